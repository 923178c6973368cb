/**
 * Every trial's value of every score × metric of a run: the samples read from the store with
 * their outcome (scored, invalid, failed, pending), reduced by the score's reduction and its
 * policies (`on_invalid`, `count_failed`) with `reduceSamples`. Aggregates, leaderboards,
 * comparisons and trial summaries all read their numbers from here.
 */
import type { Row } from "../analytics/duckdb.ts";
import { canonicalJson } from "../core/canonical.ts";
import { ThemisError } from "../core/errors.ts";
import type { Json, JsonObject } from "../core/json.ts";
import type { RunManifest } from "../plan/manifest.ts";
import type { PlannedScore } from "../plan/plan_trials.ts";
import { failingValue } from "../plugins/metrics/metric_range.ts";
import { reduceSamples, type SampleOutcome } from "../plugins/reductions.ts";
import type { MetricRange } from "../plugins/types.ts";
import { sampleSql, type ScoreFilter, selectedScores } from "./aggregate_sql.ts";
import { rangeOf } from "./metric_ranges.ts";
import type { ResultScope } from "./_scope.ts";

/** How recorded samples count; each defaults to the score's own setting (docs/specs.md). */
export interface SamplePolicyOptions {
  /** Samples without an answer: `zero` (the failing value) or `exclude` (out of the mean). */
  onInvalid?: "zero" | "exclude";
  /** true: samples whose generation (or metric) failed score the failing value too. */
  countFailed?: boolean;
}

/** The outcome of a trial for one score × metric. */
export type TrialOutcome = "scored" | "invalid" | "failed" | "pending";

/** One trial's value of one score × metric, with what a group needs to know about it. */
export interface TrialValue {
  trial: string;
  model_id: string;
  slice_id: string;
  prompt_variant_id: string;
  params_index: number;
  item_id: string;
  score: PlannedScore;
  metric: string;
  /** The metric's index in the score's `metrics`. */
  metricIndex: number;
  /** The metric's range (clipping, proportion intervals, the failing value). */
  range: MetricRange;
  status: TrialOutcome;
  /** Null when the trial stays out of means (excluded, failed, pending). */
  value: number | null;
  /** The cluster label (the item field's value as JSON) when the score names a cluster. */
  cluster: string | null;
  /** The samples as they were read (corpus BLEU reads their details). */
  samples: SampleRow[];
  /** The item payload, when a cluster or corpus BLEU asked for it (null: not stored). */
  item: JsonObject | null;
}

/** One sample of a trial for one metric, as the store holds it. */
export interface SampleRow {
  sample: number;
  outcome: SampleOutcome | { status: "pending" };
  details: JsonObject | null;
}

/** Options of {@link readTrialValues}. */
export interface ReadTrialValuesOptions extends SamplePolicyOptions {
  /**
   * Read what corpus BLEU needs when a score has a `bleu` metric: its samples' details and the
   * items (an invalid answer is an empty hypothesis against the item's references).
   */
  corpusBleu?: boolean;
}

const parseJson = (value: unknown): Json =>
  typeof value === "string" ? JSON.parse(value) as Json : value as Json;

/** A sample's outcome from its work item and score row. */
export function sampleOutcome(row: Row): SampleRow["outcome"] {
  const status = row.status as string;
  if (status === "completed") {
    if (row.invalid === true) return { status: "invalid" };
    if (typeof row.value !== "number") return { status: "failed" };
    const answer = row.answer === undefined || row.answer === null ? null : parseJson(row.answer);
    return { status: "scored", value: row.value, answer };
  }
  if (status === "invalid") return { status: "invalid" };
  if (status === "skipped") {
    return row.skip_reason === "no_answer" ? { status: "invalid" } : { status: "pending" };
  }
  if (status === "failed") return { status: "failed" };
  return { status: "pending" };
}

/** The value of a dotted path (`meta.passage`) in an item, or undefined. */
export function itemField(item: JsonObject, path: string): Json | undefined {
  let value: Json | undefined = item;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = Array.isArray(value) ? value[Number(part)] : (value as JsonObject)[part];
  }
  return value;
}

function clusterLabel(
  item: JsonObject | null,
  row: Row,
  score: PlannedScore,
  runId: string,
): string {
  const field = score.cluster!;
  const where = `score "${score.name}" clusters by the item field "${field}"`;
  if (item === null) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${where}, but run ${runId} stored no payload for item "${row.item_id}" of slice ` +
        `"${row.slice_id}" (store_item_payloads = false). Run it again with ` +
        `store_item_payloads = true, or remove cluster.`,
      { path: "cluster" },
    );
  }
  const value = itemField(item, field);
  if (value === undefined || value === null) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${where}, but item "${row.item_id}" of slice "${row.slice_id}" has no "${field}". Give ` +
        `every item of the score's slices that field, or set cluster on the scores that have it.`,
      { path: "cluster", suggestion: Object.keys(item).join(", ") },
    );
  }
  return canonicalJson(value);
}

/** Reduce one trial's samples of one metric by the score's reduction and policies. */
export function reduceTrial(
  score: PlannedScore,
  samples: ReadonlyArray<SampleRow>,
  range: MetricRange,
  policy: SamplePolicyOptions = {},
): { status: TrialOutcome; value: number | null } {
  const known = samples.flatMap((s) =>
    s.outcome.status === "pending" ? [] : [s.outcome as SampleOutcome]
  );
  if (known.length === 0) return { status: "pending", value: null };
  const r = reduceSamples(score.reduction, known, {
    k: score.k,
    onInvalid: policy.onInvalid ?? score.onInvalid ?? "zero",
    onFailed: (policy.countFailed ?? score.countFailed) ? "zero" : "exclude",
    failingValue: failingValue(range),
  });
  const pending = known.length < samples.length;
  if (r.status === "insufficient") return { status: pending ? "pending" : "failed", value: null };
  // Failed samples counted as zero (count_failed) give a value, but the trial stays failed.
  if (r.scored === 0 && r.invalid === 0) return { status: "failed", value: r.value };
  return { status: r.status, value: r.value };
}

/**
 * Every trial's value of every selected score × metric of the run, in trial order: samples
 * reduced by the score's reduction with its policies (the options override them for every
 * score). A trial none of whose samples is known yet is `pending`. The samples stream from the
 * store and each trial is handed over once its samples are in, so a run of millions of trials
 * is never held at once.
 */
export async function* iterTrialValues(
  scope: ResultScope,
  filter: ScoreFilter,
  options: ReadTrialValuesOptions = {},
): AsyncGenerator<TrialValue> {
  const scores = selectedScores(scope.manifest, filter, { corpusBleu: options.corpusBleu });
  if (scores.length === 0) return;
  const bleu = options.corpusBleu === true &&
    scores.some((s) => s.metrics.some((i) => s.score.metrics[i].id === "bleu"));
  const clustered = scores.some((s) => s.score.cluster !== undefined);
  const sql = sampleSql(scores, filter, {
    answers: scores.some((s) => s.score.reduction === "majority"),
    details: bleu ? "bleu" : undefined,
    items: clustered || bleu,
  });
  const params = { run: scope.runId };
  const chunks = scope.analytics.stream
    ? scope.analytics.stream(sql, params)
    : (async function* () {
      yield await scope.analytics.all(sql, params);
    })();
  const byHash = new Map(scores.map((s) => [s.score.hash, s.score]));
  let current: TrialValue | undefined;
  let currentKey = "";
  for await (const rows of chunks) {
    for (const row of rows) {
      const key = keyOf(row.trial, row.score_hash, row.metric_index);
      if (current === undefined || key !== currentKey) {
        if (current) {
          finish(current, options);
          yield current;
        }
        current = newTrialValue(scope, row, byHash.get(row.score_hash as string)!);
        currentKey = key;
      }
      current.samples.push({
        sample: row.sample as number,
        outcome: sampleOutcome(row),
        details: row.details == null ? null : parseJson(row.details) as JsonObject,
      });
    }
  }
  if (current) {
    finish(current, options);
    yield current;
  }
}

/**
 * Every trial's value of every selected score × metric of the run, in trial order (see
 * {@linkcode iterTrialValues}), as one array.
 */
export async function readTrialValues(
  scope: ResultScope,
  filter: ScoreFilter,
  options: ReadTrialValuesOptions = {},
): Promise<TrialValue[]> {
  const out: TrialValue[] = [];
  for await (const value of iterTrialValues(scope, filter, options)) out.push(value);
  return out;
}

const keyOf = (trial: unknown, hash: unknown, index: unknown) =>
  `${trial}\u0000${hash}\u0000${index}`;

function newTrialValue(scope: ResultScope, row: Row, score: PlannedScore): TrialValue {
  const index = row.metric_index as number;
  const item = row.item == null ? null : parseJson(row.item) as JsonObject;
  return {
    trial: row.trial as string,
    model_id: row.model_id as string,
    slice_id: row.slice_id as string,
    prompt_variant_id: row.prompt_variant_id as string,
    params_index: row.params_index as number,
    item_id: row.item_id as string,
    score,
    metric: row.metric as string,
    metricIndex: index,
    range: rangeOf(score, index),
    status: "pending",
    value: null,
    cluster: score.cluster === undefined ? null : clusterLabel(item, row, score, scope.runId),
    samples: [],
    item,
  };
}

function finish(v: TrialValue, options: SamplePolicyOptions): void {
  const r = reduceTrial(v.score, v.samples, v.range, options);
  v.status = r.status;
  v.value = r.value;
}

/** The manifest's dimensions of each slice, for group keys. */
export function sliceDimensions(manifest: RunManifest): Map<string, JsonObject> {
  return new Map(manifest.experiment.tasks.map((t) => [t.task_id, t.dimensions as JsonObject]));
}
