import type { BenchmarkSpec, ExperimentSpec } from "./schemas.ts";

/** One cross-field issue: a path into the spec and what is wrong there. */
export interface ReferenceIssue {
  path: Array<string | number>;
  message: string;
  code: string;
}

// The checks also run on specs the schema refused (so one report lists every problem): they read
// the raw values defensively and skip what is not there or has the wrong type.
type Loose = Record<string, unknown>;
const list = (value: unknown): Loose[] =>
  Array.isArray(value) ? value.map((v) => (typeof v === "object" && v !== null ? v : {})) : [];
const text = (value: unknown): string | undefined => typeof value === "string" ? value : undefined;
const texts = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;

function duplicates(items: Loose[], field: string, path: string) {
  const seen = new Map<string, number>();
  const issues: ReferenceIssue[] = [];
  items.forEach((item, i) => {
    const k = text(item[field]);
    if (k === undefined) return;
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

function checkParsesAndScores(group: Loose, prefix: Array<string | number>): ReferenceIssue[] {
  const [parses, scores] = [list(group.parses), list(group.scores)];
  const issues: ReferenceIssue[] = [];
  const at = (p: Array<string | number>) => [...prefix, ...p];
  for (const d of duplicates(parses, "name", "parses")) issues.push({ ...d, path: at(d.path) });
  for (const d of duplicates(scores, "name", "scores")) issues.push({ ...d, path: at(d.path) });
  const parseNames = new Set(parses.flatMap((p) => text(p.name) ?? []));
  scores.forEach((score, i) => {
    const parse = text(score.parse);
    if (parse !== undefined && !parseNames.has(parse)) {
      const known = [...parseNames].map((n) => `"${n}"`).join(", ") || "none";
      issues.push({
        path: at(["scores", i, "parse"]),
        code: "unknown_parse",
        message: `score "${score.name}" reads parse "${parse}", which this slice does ` +
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

/** `slice_by` goes with a query it can add its filter to, and sets dimensions of its own. */
function checkSliceBy(slice: Loose, prefix: Array<string | number>): ReferenceIssue[] {
  const fields = typeof slice.slice_by === "string" ? [slice.slice_by] : texts(slice.slice_by);
  if (fields === undefined) {
    return slice.max_slices === undefined ? [] : [{
      path: [...prefix, "max_slices"],
      code: "max_slices_without_slice_by",
      message: "max_slices bounds the slices slice_by makes: add slice_by, or remove max_slices",
    }];
  }
  const issues: ReferenceIssue[] = [];
  const query = typeof slice.dataset_query === "object" && slice.dataset_query !== null
    ? slice.dataset_query as Loose
    : {};
  if (query.kind === "item_ids") {
    issues.push({
      path: [...prefix, "slice_by"],
      code: "slice_by_item_ids",
      message: `slice_by cannot split a dataset_query of kind "item_ids": use kind "all", ` +
        `"filter", "subset" or "stratified" (applied within each slice), or list the slices by hand`,
    });
  }
  const dimensions = typeof slice.dimensions === "object" && slice.dimensions !== null
    ? slice.dimensions as Loose
    : {};
  fields.forEach((field, i) => {
    const at = [...prefix, "slice_by", ...(Array.isArray(slice.slice_by) ? [i] : [])];
    if (fields.indexOf(field) !== i) {
      issues.push({
        path: at,
        code: "duplicate_field",
        message: `slice_by names "${field}" twice`,
      });
    } else if (Object.hasOwn(dimensions, field)) {
      issues.push({
        path: at,
        code: "slice_by_dimension",
        message: `slice_by sets the dimension "${field}" of each slice it makes: remove ` +
          `dimensions.${field}`,
      });
    }
  });
  return issues;
}

/**
 * Cross-field checks zod cannot express: unique ids, prompt variants and parses that exist.
 * They also run on a spec the schema refused, reading what is there, so that one report lists
 * every problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkBenchmarkReferences } from "./check_references.ts";
 * const issues = checkBenchmarkReferences({
 *   models: [{ model_id: "m" }, { model_id: "m" }],
 *   prompt_variants: [{ id: "p" }],
 *   slices: [{ slice_id: "s", prompt_variant_ids: ["q"], scores: "not a list" }],
 * });
 * assert.deepEqual(issues.map((i) => i.code), ["duplicate_id", "unknown_prompt_variant"]);
 * ```
 */
export function checkBenchmarkReferences(spec: BenchmarkSpec | Loose): ReferenceIssue[] {
  const raw = spec as Loose;
  const variants = list(raw.prompt_variants);
  const issues: ReferenceIssue[] = [
    ...duplicates(list(raw.models), "model_id", "models"),
    ...duplicates(variants, "id", "prompt_variants"),
    ...duplicates(list(raw.slices), "slice_id", "slices"),
  ];
  const variantIds = new Set(variants.flatMap((p) => text(p.id) ?? []));
  const families = new Set(variants.flatMap((p) => text(p.family) ?? []));
  list(raw.slices).forEach((slice, i) => {
    const ids = texts(slice.prompt_variant_ids);
    const familyNames = texts(slice.prompt_families);
    ids?.forEach((vid, j) => {
      if (!variantIds.has(vid)) {
        issues.push({
          path: ["slices", i, "prompt_variant_ids", j],
          code: "unknown_prompt_variant",
          message: `slice "${slice.slice_id}" names prompt variant "${vid}", which is not ` +
            `defined (defined: ${[...variantIds].map((v) => `"${v}"`).join(", ")})`,
        });
      }
    });
    const selectsNone = (ids?.length ?? -1) === 0 && (familyNames?.length ?? 0) === 0;
    if (selectsNone || (familyNames?.length === 0 && !ids)) {
      issues.push({
        path: ["slices", i, ids ? "prompt_variant_ids" : "prompt_families"],
        code: "no_prompt_variant",
        message: `slice "${slice.slice_id}" selects no prompt variant: name at least one, or ` +
          `leave prompt_variant_ids and prompt_families out to use them all`,
      });
    }
    familyNames?.forEach((family, j) => {
      if (!families.has(family)) {
        issues.push({
          path: ["slices", i, "prompt_families", j],
          code: "unknown_prompt_family",
          message: `slice "${slice.slice_id}" names prompt family "${family}", which no ` +
            `prompt variant has`,
        });
      }
    });
    issues.push(...checkParsesAndScores(slice, ["slices", i]));
    issues.push(...checkSliceBy(slice, ["slices", i]));
  });
  return issues;
}

/** Cross-field checks of a compiled experiment (also on a spec the schema refused). */
export function checkExperimentReferences(spec: ExperimentSpec | Loose): ReferenceIssue[] {
  const raw = spec as Loose;
  const issues: ReferenceIssue[] = [
    ...duplicates(list(raw.models), "model_id", "models"),
    ...duplicates(list(raw.tasks), "task_id", "tasks"),
  ];
  list(raw.tasks).forEach((task, i) => {
    for (const d of duplicates(list(task.prompts), "id", "prompts")) {
      issues.push({ ...d, path: ["tasks", i, ...d.path] });
    }
    issues.push(...checkParsesAndScores(task, ["tasks", i]));
    issues.push(...checkSliceBy(task, ["tasks", i]));
  });
  return issues;
}
