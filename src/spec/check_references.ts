import type { BenchmarkSpec, ExperimentSpec, ParseSpec, ScoreSpec } from "./schemas.ts";

/** One cross-field issue: a path into the spec and what is wrong there. */
export interface ReferenceIssue {
  path: Array<string | number>;
  message: string;
  code: string;
}

function duplicates<T>(items: T[], key: (item: T) => string, path: string, field: string) {
  const seen = new Map<string, number>();
  const issues: ReferenceIssue[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else {
      issues.push({
        path: [path, i, field],
        code: "duplicate_id",
        message: `duplicate ${field} "${k}" (first used at ${path}[${first}])`,
      });
    }
  });
  return issues;
}

function checkParsesAndScores(
  parses: ParseSpec[],
  scores: ScoreSpec[],
  prefix: Array<string | number>,
): ReferenceIssue[] {
  const issues: ReferenceIssue[] = [];
  const at = (p: Array<string | number>) => [...prefix, ...p];
  for (const d of duplicates(parses, (p) => p.name, "parses", "name")) {
    issues.push({ ...d, path: at(d.path) });
  }
  for (const d of duplicates(scores, (s) => s.name, "scores", "name")) {
    issues.push({ ...d, path: at(d.path) });
  }
  const parseNames = new Set(parses.map((p) => p.name));
  scores.forEach((score, i) => {
    if (score.parse !== undefined && !parseNames.has(score.parse)) {
      const known = [...parseNames].map((n) => `"${n}"`).join(", ") || "none";
      issues.push({
        path: at(["scores", i, "parse"]),
        code: "unknown_parse",
        message: `score "${score.name}" reads parse "${score.parse}", which this slice does ` +
          `not define (defined: ${known})`,
      });
    }
    if (score.reduction === "pass_at_k" && score.k === undefined) {
      issues.push({
        path: at(["scores", i, "k"]),
        code: "missing_k",
        message: `score "${score.name}" uses reduction "pass_at_k" and needs k`,
      });
    }
  });
  return issues;
}

/**
 * Cross-field checks zod cannot express: unique ids, prompt variants and parses that exist.
 *
 * @example
 * ```ts
 * import { checkBenchmarkReferences } from "./check_references.ts";
 * // issues is empty for a consistent benchmark
 * ```
 */
export function checkBenchmarkReferences(spec: BenchmarkSpec): ReferenceIssue[] {
  const issues: ReferenceIssue[] = [
    ...duplicates(spec.models, (m) => m.model_id, "models", "model_id"),
    ...duplicates(spec.prompt_variants, (p) => p.id, "prompt_variants", "id"),
    ...duplicates(spec.slices, (s) => s.slice_id, "slices", "slice_id"),
  ];
  const variantIds = new Set(spec.prompt_variants.map((p) => p.id));
  const families = new Set(spec.prompt_variants.flatMap((p) => (p.family ? [p.family] : [])));
  spec.slices.forEach((slice, i) => {
    slice.prompt_variant_ids?.forEach((vid, j) => {
      if (!variantIds.has(vid)) {
        issues.push({
          path: ["slices", i, "prompt_variant_ids", j],
          code: "unknown_prompt_variant",
          message: `slice "${slice.slice_id}" names prompt variant "${vid}", which is not ` +
            `defined (defined: ${[...variantIds].map((v) => `"${v}"`).join(", ")})`,
        });
      }
    });
    const selectsNone = (slice.prompt_variant_ids?.length ?? -1) === 0 &&
      (slice.prompt_families?.length ?? 0) === 0;
    if (selectsNone || (slice.prompt_families?.length === 0 && !slice.prompt_variant_ids)) {
      issues.push({
        path: ["slices", i, slice.prompt_variant_ids ? "prompt_variant_ids" : "prompt_families"],
        code: "no_prompt_variant",
        message: `slice "${slice.slice_id}" selects no prompt variant: name at least one, or ` +
          `leave prompt_variant_ids and prompt_families out to use them all`,
      });
    }
    slice.prompt_families?.forEach((family, j) => {
      if (!families.has(family)) {
        issues.push({
          path: ["slices", i, "prompt_families", j],
          code: "unknown_prompt_family",
          message: `slice "${slice.slice_id}" names prompt family "${family}", which no ` +
            `prompt variant has`,
        });
      }
    });
    issues.push(...checkParsesAndScores(slice.parses, slice.scores, ["slices", i]));
  });
  return issues;
}

/** Cross-field checks of a compiled experiment. */
export function checkExperimentReferences(spec: ExperimentSpec): ReferenceIssue[] {
  const issues: ReferenceIssue[] = [
    ...duplicates(spec.models, (m) => m.model_id, "models", "model_id"),
    ...duplicates(spec.tasks, (t) => t.task_id, "tasks", "task_id"),
  ];
  spec.tasks.forEach((task, i) => {
    for (const d of duplicates(task.prompts, (p) => p.id, "prompts", "id")) {
      issues.push({ ...d, path: ["tasks", i, ...d.path] });
    }
    issues.push(...checkParsesAndScores(task.parses, task.scores, ["tasks", i]));
  });
  return issues;
}
