import type { z } from "npm:zod@4.6.7";
import { type ErrorIssue, ThemisError } from "../core/errors.ts";
import { checkBenchmarkReferences, checkExperimentReferences } from "./check_references.ts";
import type { ReferenceIssue } from "./check_references.ts";
import { locateLine } from "./locate_line.ts";
import { knownKeysAt } from "./known_keys.ts";
import { closestMatch } from "../core/closest.ts";
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
  /** The file's path, as messages should show it. */
  file?: string;
  /** Its text (errors then name the line of each issue). */
  text?: string;
  /** Its format. */
  format?: "toml" | "json";
}

const KINDS: Record<
  "benchmark" | "experiment" | "project",
  { schema: z.ZodType; check: (spec: Record<string, unknown>) => ReferenceIssue[] }
> = {
  benchmark: { schema: BenchmarkSpecSchema, check: checkBenchmarkReferences },
  experiment: { schema: ExperimentSpecSchema, check: checkExperimentReferences },
  project: { schema: ProjectSpecSchema, check: () => [] },
};

/** `models[1].provider` from `["models", 1, "provider"]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out || "(root)";
}

function zodIssues(error: z.ZodError, schema: z.ZodType, raw: unknown): ReferenceIssue[] {
  const out: ReferenceIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, raw, path) ?? [];
      for (const key of issue.keys) {
        const guess = closestMatch(key, known.filter((k) => !issue.keys.includes(k)));
        out.push({
          path: [...path, key],
          code: "unknown_key",
          message: `unknown key "${key}"` + (guess ? ` (did you mean "${guess}"?)` : ""),
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

/**
 * Every problem of a raw spec at once: the schema's issues and the cross-field checks (run on
 * the raw value too, so a spec with both kinds needs one round of fixes, not two). Unknown keys
 * say which key was meant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { specIssues } from "./validate_spec.ts";
 * const issues = specIssues("benchmark", {
 *   benchmark_id: "b", num_sample: 2,
 *   models: [{ model_id: "m", provider: "mock" }, { model_id: "m", provider: "mock" }],
 *   prompt_variants: [{ id: "p", messages: [{ role: "user", content: "hi" }] }],
 *   slices: [{ slice_id: "s", dataset: { kind: "inline", items: [{ id: "1" }] } }],
 * });
 * assert.deepEqual(issues.map((i) => i.message), [
 *   'unknown key "num_sample" (did you mean "num_samples"?)',
 *   'duplicate model_id "m" (first used at models[0])',
 * ]);
 * ```
 */
export function specIssues(
  kind: "benchmark" | "experiment" | "project",
  raw: unknown,
): ReferenceIssue[] {
  return collectIssues(kind, raw).issues;
}

function collectIssues(kind: keyof typeof KINDS, raw: unknown) {
  const { schema, check } = KINDS[kind];
  const parsed = schema.safeParse(raw);
  if (parsed.success) {
    return { issues: check(parsed.data as Record<string, unknown>), data: parsed.data };
  }
  const issues = zodIssues(parsed.error, schema, raw);
  const seen = new Set(issues.map((i) => formatPath(i.path)));
  const loose = typeof raw === "object" && raw !== null
    ? check(raw as Record<string, unknown>)
    : [];
  return { issues: [...issues, ...loose.filter((i) => !seen.has(formatPath(i.path)))] };
}

/** Issues with their formatted path and, for a file, their line; in file order. */
export function toErrorIssues(issues: ReferenceIssue[], source: SpecSource): ErrorIssue[] {
  const located = issues.map((issue) => {
    const line = source.text && source.format
      ? locateLine(source.text, source.format, issue.path)
      : undefined;
    return { path: formatPath(issue.path), message: issue.message, code: issue.code, line };
  });
  // In file order, so the list reads top to bottom like the file.
  return located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

/**
 * The one error that lists every issue of a spec at once. Its code is the issues' own when they
 * all share one kind (`PLUGIN_NOT_FOUND`, `DATASET_INVALID`), else `SPEC_INVALID`.
 */
export function specInvalid(kind: string, issues: ErrorIssue[], source: SpecSource): ThemisError {
  const where = source.file ? ` in ${source.file}` : "";
  const lines = issues.map((i) => {
    const at = source.file && i.line ? `${source.file}:${i.line}` : i.line ? `line ${i.line}` : "";
    return `  - ${i.path}: ${i.message}${at ? ` (${at})` : ""}`;
  });
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  const codes = new Set(issues.map((i) => i.code));
  const shared = codes.size === 1 ? [...codes][0] : undefined;
  const code = shared === "PLUGIN_NOT_FOUND" || shared === "DATASET_INVALID"
    ? shared
    : "SPEC_INVALID";
  return new ThemisError(
    code,
    `The ${kind} spec${where} has ${count}:\n${lines.join("\n")}`,
    { file: source.file, line: issues[0]?.line, path: issues[0]?.path, issues },
  );
}

function validateWith<T>(
  kind: "benchmark" | "experiment" | "project",
  raw: unknown,
  source: SpecSource,
): T {
  const { issues, data } = collectIssues(kind, raw);
  if (issues.length > 0) throw specInvalid(kind, toErrorIssues(issues, source), source);
  return data as T;
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
  return validateWith("benchmark", raw, source);
}

/** Validate a raw experiment object; throws `SPEC_INVALID` listing every issue. */
export function validateExperiment(raw: unknown, source: SpecSource = {}): ExperimentSpec {
  return validateWith("experiment", raw, source);
}

/** Validate a raw project object; throws `SPEC_INVALID` listing every issue. */
export function validateProject(raw: unknown, source: SpecSource = {}): ProjectSpec {
  return validateWith("project", raw, source);
}

/** Which kind of spec an object is, by its identifying key. */
export function specKind(raw: unknown): "benchmark" | "experiment" | "project" | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  if ("benchmark_id" in raw) return "benchmark";
  if ("experiment_id" in raw) return "experiment";
  if ("project_name" in raw) return "project";
  return undefined;
}
