/**
 * The group keys of result queries, and the SQL that reads every sample of a run's scores with
 * its outcome (scored, invalid, failed, pending): the input of the per-trial reductions, which
 * run in TypeScript (`trial_values.ts`).
 */
import { closestMatch } from "../core/closest.ts";
import { ThemisError } from "../core/errors.ts";
import type { RunManifest } from "../plan/manifest.ts";
import type { PlannedScore } from "../plan/plan_trials.ts";

/** Group keys every run has, with the column of the trial row holding each. */
export const BASE_GROUP_KEYS: Record<string, string> = {
  model: "model_id",
  slice: "slice_id",
  prompt_variant: "prompt_variant_id",
  item: "item_id",
  params: "params_index",
};

/** The keys that say which trial a value belongs to (pairing aligns on them). */
export const IDENTITY_KEYS = ["model", "slice", "prompt_variant", "params", "item"] as const;

/** SQL string literal. */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/**
 * Every valid group key of a run: the base keys, `metric`, its slices' dimensions, `status`
 * (the trial's outcome for the score: scored, invalid, failed or pending).
 */
export function validGroupKeys(dimensionKeys: ReadonlyArray<string>): string[] {
  return [...Object.keys(BASE_GROUP_KEYS), "metric", ...dimensionKeys, "status"];
}

/** A clear error for an unknown group key, with the closest valid key and the full list. */
export function unknownKeyError(key: string, valid: ReadonlyArray<string>): ThemisError {
  const close = closestMatch(key, valid);
  return new ThemisError(
    "QUERY_INVALID",
    `Cannot group by "${key}".${close ? ` Did you mean "${close}"?` : ""} Valid keys: ${
      valid.join(", ")
    }`,
    { suggestion: close, valid: [...valid] },
  );
}

/**
 * The group keys to split by (`metric` left out: score and metric always split), or a clear
 * error naming the closest valid key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkGroupKeys } from "./aggregate_sql.ts";
 * assert.deepEqual(checkGroupKeys(["model", "metric", "domain"], ["domain"]), ["model", "domain"]);
 * assert.throws(() => checkGroupKeys(["modle"], []), /Did you mean "model"/);
 * ```
 */
export function checkGroupKeys(
  groupBy: ReadonlyArray<string>,
  dimensionKeys: ReadonlyArray<string>,
): string[] {
  const valid = validGroupKeys(dimensionKeys);
  for (const key of groupBy) if (!valid.includes(key)) throw unknownKeyError(key, valid);
  return groupBy.filter((k) => k !== "metric");
}

/** Which scores a query reads: all of the run's, or those an overlay view or filter names. */
export interface ScoreFilter {
  /** Only this score hash (an evaluation overlay). */
  scoreHash?: string;
  /** Only scores reading this parse (a transform overlay). */
  parseHash?: string;
  /** Only these trials (a page of trials). */
  trials?: ReadonlyArray<string>;
  /** Only this score (`"acc"`) or metric (`"exact_match"`, `"acc.exact_match"`). */
  metric?: string;
}

/** `and trial in (…)` for a list of trials, or nothing. */
export function trialsIn(trials: ReadonlyArray<string> | undefined, column = "trial"): string {
  if (trials === undefined) return "";
  return trials.length ? `and ${column} in (${trials.map(sqlString).join(", ")})` : "and false";
}

/**
 * True when a score × metric matches a metric filter: a score name, a metric id, or
 * `score.metric`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchesMetric } from "./aggregate_sql.ts";
 * assert.ok(matchesMetric("acc", "exact_match", "acc.exact_match"));
 * assert.ok(!matchesMetric("acc", "exact_match", "f1"));
 * ```
 */
export function matchesMetric(score: string, metric: string, filter: string | undefined): boolean {
  return filter === undefined || filter === score || filter === metric ||
    filter === `${score}.${metric}`;
}

/** A score of the run with the metrics a filter keeps (indexes into its `metrics`). */
export interface SelectedScore {
  score: PlannedScore;
  metrics: number[];
}

/**
 * The run's scores a filter selects, once each (the manifest lists a score once per slice;
 * slices sharing a score definition share its hash), with the metrics it keeps.
 */
export function selectedScores(
  manifest: RunManifest,
  filter: ScoreFilter,
  { corpusBleu = false }: { corpusBleu?: boolean } = {},
): SelectedScore[] {
  const unique = new Map<string, SelectedScore>();
  for (const s of manifest.scores) {
    if (filter.scoreHash !== undefined && s.hash !== filter.scoreHash) continue;
    if (filter.parseHash !== undefined && s.parseHash !== filter.parseHash) continue;
    if (unique.has(s.hash)) continue;
    // For an aggregate, a bleu metric also answers for its corpus BLEU row (of its details).
    const metrics = s.metrics.flatMap((m, i) =>
      matchesMetric(s.name, m.id, filter.metric) ||
        (corpusBleu && m.id === "bleu" && matchesMetric(s.name, "corpus_bleu", filter.metric))
        ? [i]
        : []
    );
    if (metrics.length > 0) unique.set(s.hash, { score: s, metrics });
  }
  return [...unique.values()];
}

function valuesTable(name: string, columns: string, rows: string[], empty: string): string {
  return `${name}(${columns}) as (values ${rows.length ? rows.join(", ") : empty})`;
}

/** What the sample query should read besides outcomes and values. */
export interface SampleColumns {
  /** The answer a majority votes on: the parse's answer, or the raw text without a parse. */
  answers?: boolean;
  /** The details of this metric's values (corpus BLEU reads the sufficient statistics). */
  details?: string;
  /** The item payload as the store holds it (`trials.item`; null without payloads). */
  items?: boolean;
}

/**
 * SQL of one row per (score sample of the run, metric): the trial and its identity (model,
 * slice, prompt variant, params, item), score hash, metric (and its index in the score), sample
 * index, the work item's status and skip reason, and the recorded value and `invalid` flag. Generation failures and pending generations show through
 * (`no_generation` items take the generation's status). The run's plan comes from
 * `work_items`, so each trial counts once however many runs of the store computed it.
 * Parameter: `$run`.
 */
export function sampleSql(
  scores: ReadonlyArray<SelectedScore>,
  filter: ScoreFilter,
  columns: SampleColumns = {},
): string {
  const rm = valuesTable(
    "rm",
    "score_hash, metric, metric_index",
    scores.flatMap(({ score, metrics }) =>
      metrics.map((i) => `(${sqlString(score.hash)}, ${sqlString(score.metrics[i].id)}, ${i})`)
    ),
    "(null, null, null)",
  );
  return `with ${rm},
    gens as (
      select cand, status as gen_status from work_items
      where run = $run and stage = 'generation' ${trialsIn(filter.trials)}
    ),
    items as (
      select w.trial, w.cand, w.sample, w.hash as score_hash, w.parse_hash, w.skip_reason,
        w.slice_id, w.model_id, w.prompt_variant_id, w.params_index, w.item_id,
        case when w.skip_reason = 'no_generation' then g.gen_status else w.status end as status
      from work_items w left join gens g using (cand)
      where w.run = $run and w.stage = 'score' and w.hash in (select score_hash from rm)
        ${trialsIn(filter.trials, "w.trial")}
    )
    select i.trial, i.slice_id, i.model_id, i.prompt_variant_id, i.params_index, i.item_id,
      i.score_hash, m.metric, m.metric_index, i.sample, i.status, i.skip_reason,
      s.value, coalesce(s.invalid, false) as invalid
      ${columns.items ? ", t.item" : ""}
      ${
    columns.answers
      ? ", case when i.parse_hash is null then to_json(c.text) else pa.answer end as answer"
      : ""
  }
      ${
    columns.details
      ? `, case when m.metric = ${sqlString(columns.details)} then s.details end as details`
      : ""
  }
    from items i join rm m using (score_hash)
    left join scores s on s.cand = i.cand and s.score_hash = i.score_hash and s.metric = m.metric
    ${
    columns.answers
      ? `left join parses pa on pa.cand = i.cand and pa.parse_hash = i.parse_hash
    left join candidates c on c.cand = i.cand`
      : ""
  }
    ${columns.items ? "left join trials t on t.trial = i.trial" : ""}
    order by i.trial, i.score_hash, m.metric_index, i.sample`;
}
