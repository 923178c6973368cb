/**
 * The pure part of spec diffs: which fields changed between two specs, and which trials,
 * parses and scores two plans share. The work a treatment adds is an estimate (estimate.ts).
 */
import type { Json, JsonObject } from "../core/json.ts";
import type { CostEstimate } from "./estimate.ts";
import type { TaskStages } from "./plan_trials.ts";

/** One changed field, by its path in the spec (`slices[math].scores[acc].metrics[0].id`). */
export interface FieldChange {
  /** Where, with list items named by their id (`slices[math]`) rather than position. */
  path: string;
  /** What happened to the field. */
  change: "added" | "removed" | "changed";
  /** The baseline's value (absent when added). */
  before?: Json;
  /** The treatment's value (absent when removed). */
  after?: Json;
}

/** A parse or score of one slice, by hash. */
export interface StageItem {
  /** The slice (task) id. */
  task: string;
  /** The parse's or score's name. */
  name: string;
  /** Its hash: equal hashes are the same work. */
  hash: string;
}

/** What two plans share and what only one of them has. */
export interface SetDiff<T> {
  /** Only in the treatment. */
  added: T[];
  /** Only in the baseline. */
  removed: T[];
  /** In both: the treatment reuses them. */
  reused: T[];
}

/** One side of a diff. */
export interface DiffSide {
  /** The run id the spec plans to. */
  runId: string;
  /** Which kind of spec. */
  kind: "benchmark" | "experiment";
  /** The benchmark or experiment id. */
  id: string;
}

/** What changes from a baseline spec to a treatment spec, and what running it would do. */
export interface RunDiff {
  /** The baseline spec. */
  baseline: DiffSide;
  /** The treatment spec. */
  treatment: DiffSide;
  /** The fields that differ. */
  fields: FieldChange[];
  /** Trial ids only one side plans, and those both plan. */
  trials: SetDiff<string>;
  /** Parses only one side has, and those both have. */
  parses: SetDiff<StageItem>;
  /** Scores only one side has, and those both have. */
  scores: SetDiff<StageItem>;
  /** The work running the treatment after the baseline (and with the store) would do. */
  work: CostEstimate;
}

// Array elements are matched by the first of these keys that every element has, uniquely.
const ID_KEYS = ["model_id", "slice_id", "task_id", "benchmark_id", "id", "name"];

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function idKeyOf(list: Json[]): string | undefined {
  if (list.length === 0 || !list.every(isObject)) return undefined;
  return ID_KEYS.find((key) => {
    const ids = list.map((e) => (e as JsonObject)[key]);
    return ids.every((id) => typeof id === "string") && new Set(ids).size === ids.length;
  });
}

function walk(
  a: Json | undefined,
  b: Json | undefined,
  { path, out }: { path: string; out: FieldChange[] },
): void {
  if (a === undefined && b === undefined) return;
  if (a === undefined) return void out.push({ path, change: "added", after: b });
  if (b === undefined) return void out.push({ path, change: "removed", before: a });
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      walk(a[key], b[key], { path: path === "" ? key : `${path}.${key}`, out });
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const [keyA, keyB] = [idKeyOf(a), idKeyOf(b)];
    const key = a.length === 0 ? keyB : b.length === 0 || keyA === keyB ? keyA : undefined;
    if (key !== undefined) {
      const byId = (list: Json[]) => new Map(list.map((e) => [(e as JsonObject)[key], e]));
      const left = byId(a);
      const right = byId(b);
      const ids = [...left.keys(), ...[...right.keys()].filter((id) => !left.has(id))];
      for (const id of ids) walk(left.get(id), right.get(id), { path: `${path}[${id}]`, out });
      return;
    }
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      walk(a[i], b[i], { path: `${path}[${i}]`, out });
    }
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push({ path: path || "(root)", change: "changed", before: a, after: b });
  }
}

/**
 * The fields that differ between two JSON values (two specs), by path. Arrays of objects with
 * a unique id (`model_id`, `slice_id`, `id`, `name` …) are matched by id, so reordering or
 * inserting a model reports one change, not a shifted list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diffFields } from "./diff_specs.ts";
 * const a = { models: [{ model_id: "m", extras: { t: 0 } }] };
 * const b = { models: [{ model_id: "m", extras: { t: 1 } }] };
 * assert.equal(diffFields(a, b)[0].path, "models[m].extras.t");
 * ```
 */
export function diffFields(a: Json, b: Json): FieldChange[] {
  const out: FieldChange[] = [];
  walk(a, b, { path: "", out });
  return out;
}

/**
 * Trials of two plans: in the treatment only (added), in the baseline only (removed), in both
 * (reused), each list in its plan's order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diffTrialIds } from "./diff_specs.ts";
 * const d = diffTrialIds(["t1", "t2"], ["t2", "t3"]);
 * assert.ok(d.added[0] === "t3" && d.removed[0] === "t1" && d.reused[0] === "t2");
 * ```
 */
export function diffTrialIds(baseline: Iterable<string>, treatment: Iterable<string>) {
  const before = new Set(baseline);
  const out: SetDiff<string> = { added: [], removed: [], reused: [] };
  const seen = new Set<string>();
  for (const trial of treatment) {
    seen.add(trial);
    (before.has(trial) ? out.reused : out.added).push(trial);
  }
  for (const trial of before) if (!seen.has(trial)) out.removed.push(trial);
  return out;
}

function diffItems(before: StageItem[], after: StageItem[]): SetDiff<StageItem> {
  const key = (i: StageItem) => `${i.task}|${i.hash}`;
  const left = new Set(before.map(key));
  const right = new Set(after.map(key));
  return {
    added: after.filter((i) => !left.has(key(i))),
    removed: before.filter((i) => !right.has(key(i))),
    reused: after.filter((i) => left.has(key(i))),
  };
}

/**
 * Parses and scores of two plans, per slice, by hash: a renamed or reconfigured score is one
 * removed and one added.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diffStages } from "./diff_specs.ts";
 * const stages = new Map([["s", { parses: [], scores: [] }]]);
 * assert.equal(diffStages(stages, stages).scores.added.length, 0);
 * ```
 */
export function diffStages(
  baseline: ReadonlyMap<string, TaskStages>,
  treatment: ReadonlyMap<string, TaskStages>,
): { parses: SetDiff<StageItem>; scores: SetDiff<StageItem> } {
  const items = (stages: ReadonlyMap<string, TaskStages>, kind: "parses" | "scores") =>
    [...stages.values()].flatMap((s) =>
      s[kind].map((x) => ({ task: x.taskId, name: x.name, hash: x.hash }))
    );
  return {
    parses: diffItems(items(baseline, "parses"), items(treatment, "parses")),
    scores: diffItems(items(baseline, "scores"), items(treatment, "scores")),
  };
}
