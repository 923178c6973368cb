import { type ErrorIssue, isThemisError } from "../core/errors.ts";
import { locateLine } from "./locate_line.ts";

/** `["models", 1, "provider"]` from `models[1].provider`. */
export function parsePath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    out.push(part[2] !== undefined ? Number(part[2]) : part[1]);
  }
  return out;
}

/**
 * Give an error raised after validation (planning, plugins) the file and line its spec path
 * points at, so every spec error reads `file:line` however late it was found.
 *
 * @example
 * ```ts
 * import { addSourceLines } from "./error_lines.ts";
 * // try { … } catch (e) { throw addSourceLines(e, { file, text, format: "toml" }); }
 * ```
 */
export function addSourceLines(
  error: unknown,
  source: { file: string; text: string; format: "toml" | "json" },
): unknown {
  if (!isThemisError(error) || error.details.file !== undefined) return error;
  const lineOf = (path: string | undefined) =>
    path === undefined ? undefined : locateLine(source.text, source.format, parsePath(path));
  const issues = error.details.issues?.map((issue: ErrorIssue) => ({
    ...issue,
    line: issue.line ?? lineOf(issue.path),
  }));
  const line = error.details.line ?? lineOf(error.details.path) ?? issues?.[0]?.line;
  if (line === undefined) return error;
  Object.assign(error.details, { file: source.file, line, ...(issues ? { issues } : {}) });
  const path = error.details.path;
  const at = path !== undefined && !error.message.includes(path) ? `${path}: ` : "";
  error.message = `${source.file}:${line}: ${at}${error.message}`;
  return error;
}
