import { ThemisError } from "../../core/errors.ts";

/** How many issues an error message lists before it says "and N more". */
const SHOWN_ISSUES = 20;

/** A bundle that is malformed, changed since export, or does not match its plan. */
export function bundleInvalid(message: string, details: Record<string, unknown> = {}): ThemisError {
  return new ThemisError("BUNDLE_INVALID", message, details);
}

/** Records that cannot be imported: every issue at once, each naming its record line. */
export function importInvalid(source: string, issues: string[]): ThemisError {
  const shown = issues.slice(0, SHOWN_ISSUES).map((i) => `  - ${i}`);
  if (issues.length > SHOWN_ISSUES) shown.push(`  … and ${issues.length - SHOWN_ISSUES} more`);
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return new ThemisError(
    "IMPORT_INVALID",
    `Cannot import ${source}: ${count}, nothing was imported:\n${shown.join("\n")}`,
    { file: source, issues: issues.map((message) => ({ path: source, message })) },
  );
}
