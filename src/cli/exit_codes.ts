import { isThemisError } from "../core/errors.ts";

/** Exit codes of the CLI (documented in docs/cli.md). */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  SPEC: 3,
  STORE: 4,
  WORK_FAILED: 5,
  INCOMPLETE: 7,
  QUERY: 6,
  /** A score fell below a `--fail-under` threshold (`themis run`, `evaluate`, `check`). */
  BELOW_THRESHOLD: 8,
  INTERRUPTED: 130,
} as const;

/** The exit code for an error, by its code. */
export function exitCodeFor(error: unknown): number {
  if (!isThemisError(error)) return EXIT.INTERNAL;
  const code = error.code;
  if (code === "USAGE" || code === "PORT_IN_USE") return EXIT.USAGE;
  if (code === "CANCELLED") return EXIT.INTERRUPTED;
  if (code.startsWith("SQL_") || code === "QUERY_INVALID") return EXIT.QUERY;
  if (code.startsWith("STORE_") || code.startsWith("RUN_")) return EXIT.STORE;
  if (
    code.startsWith("SPEC_") || code.startsWith("PLUGIN_") || code === "DATASET_INVALID" ||
    code === "PLAN_INVALID" || code === "MISSING_GENERATIONS" || code.startsWith("PROVIDER_") ||
    code === "BUNDLE_INVALID" || code === "IMPORT_INVALID" || code === "BATCH_UNSUPPORTED"
  ) return EXIT.SPEC;
  return EXIT.INTERNAL;
}
