import type { z } from "zod";
import { type ErrorIssue, ThemisError } from "../core/errors.ts";
import { checkBenchmarkReferences, checkExperimentReferences } from "./check_references.ts";
import type { ReferenceIssue } from "./check_references.ts";
import { locateLine } from "./locate_line.ts";
import {
  type BenchmarkSpec,
  BenchmarkSpecSchema,
  type ExperimentSpec,
  ExperimentSpecSchema,
  type ProjectSpec,
  ProjectSpecSchema,
} from "./schemas.ts";

/** Where a spec came from, for error messages that point at a file and line. */
export interface SpecSource {
  file?: string;
  text?: string;
  format?: "toml" | "json";
}

/** `models[1].provider` from `["models", 1, "provider"]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out || "(root)";
}

function zodIssues(error: z.ZodError): ReferenceIssue[] {
  const out: ReferenceIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({
          path: [...path, key],
          code: "unknown_key",
          message: `unknown key "${key}"`,
        });
      }
    } else if (issue.code === "invalid_union" && "note" in issue && issue.note) {
      out.push({ path, code: issue.code, message: String(issue.note) });
    } else {
      out.push({ path, code: issue.code, message: issue.message });
    }
  }
  return out;
}

function toErrorIssues(issues: ReferenceIssue[], source: SpecSource): ErrorIssue[] {
  const located = issues.map((issue) => {
    const line = source.text && source.format
      ? locateLine(source.text, source.format, issue.path)
      : undefined;
    return { path: formatPath(issue.path), message: issue.message, code: issue.code, line };
  });
  // In file order, so the list reads top to bottom like the file.
  return located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

/** The one error that lists every issue of a spec at once. */
export function specInvalid(kind: string, issues: ErrorIssue[], source: SpecSource): ThemisError {
  const where = source.file ? ` in ${source.file}` : "";
  const lines = issues.map((i) => {
    const at = source.file && i.line ? `${source.file}:${i.line}` : i.line ? `line ${i.line}` : "";
    return `  - ${i.path}: ${i.message}${at ? ` (${at})` : ""}`;
  });
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return new ThemisError(
    "SPEC_INVALID",
    `The ${kind} spec${where} has ${count}:\n${lines.join("\n")}`,
    { file: source.file, line: issues[0]?.line, path: issues[0]?.path, issues },
  );
}

function validateWith<T>(
  kind: string,
  schema: z.ZodType<T>,
  raw: unknown,
  source: SpecSource,
  check: (value: T) => ReferenceIssue[],
): T {
  const parsed = schema.safeParse(raw);
  const issues = parsed.success ? check(parsed.data) : zodIssues(parsed.error);
  if (issues.length > 0) throw specInvalid(kind, toErrorIssues(issues, source), source);
  return (parsed as { data: T }).data;
}

/**
 * Validate a raw benchmark object; throws `SPEC_INVALID` listing every issue with its path.
 *
 * @example
 * ```ts
 * import { validateBenchmark } from "./validate_spec.ts";
 * try { validateBenchmark({ benchmark_id: "b" }); } catch (e) { console.log((e as Error).message); }
 * ```
 */
export function validateBenchmark(raw: unknown, source: SpecSource = {}): BenchmarkSpec {
  return validateWith("benchmark", BenchmarkSpecSchema, raw, source, checkBenchmarkReferences);
}

/** Validate a raw experiment object; throws `SPEC_INVALID` listing every issue. */
export function validateExperiment(raw: unknown, source: SpecSource = {}): ExperimentSpec {
  return validateWith("experiment", ExperimentSpecSchema, raw, source, checkExperimentReferences);
}

/** Validate a raw project object; throws `SPEC_INVALID` listing every issue. */
export function validateProject(raw: unknown, source: SpecSource = {}): ProjectSpec {
  return validateWith("project", ProjectSpecSchema, raw, source, () => []);
}

/** Which kind of spec an object is, by its identifying key. */
export function specKind(raw: unknown): "benchmark" | "experiment" | "project" | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  if ("benchmark_id" in raw) return "benchmark";
  if ("experiment_id" in raw) return "experiment";
  if ("project_name" in raw) return "project";
  return undefined;
}
