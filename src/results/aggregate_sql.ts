import { closestMatch } from "../core/closest.ts";
import { ThemisError } from "../core/errors.ts";
import type { RunManifest } from "../plan/manifest.ts";
import type { PlannedScore } from "../plan/plan_trials.ts";

/** Group keys every run has; dimension keys of its slices come on top. */
export const BASE_GROUP_KEYS: Record<string, string> = {
  model: "r.model_id",
  slice: "r.slice_id",
  prompt_variant: "r.prompt_variant_id",
  item: "r.item_id",
  params: "r.params_index",
};

/** The trial's status for the score (completed, invalid, skipped, failed, pending). */
const STATUS_KEY = "r.status";

/** The keys that say which trial a value belongs to (pairing aligns on them). */
export const IDENTITY_KEYS = ["model", "slice", "prompt_variant", "params", "item"] as const;

/** SQL string literal. */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** Every valid group key of a run: the base keys, `metric`, its slices' dimensions, `status`. */
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
 * The SQL expression of each group key, or a clear error listing the valid keys.
 *
 * @example
 * ```ts
 * import { groupExpressions } from "./aggregate_sql.ts";
 * console.assert(groupExpressions(["model", "metric"], [])[0].sql === "r.model_id");
 * ```
 */
export function groupExpressions(
  groupBy: ReadonlyArray<string>,
  dimensionKeys: ReadonlyArray<string>,
): Array<{ key: string; sql: string }> {
  const valid = validGroupKeys(dimensionKeys);
  const out: Array<{ key: string; sql: string }> = [];
  for (const key of groupBy) {
    if (key === "metric") continue; // score and metric are always grouped
    const base = key === "status" ? STATUS_KEY : BASE_GROUP_KEYS[key];
    if (base !== undefined) out.push({ key, sql: base });
    else if (dimensionKeys.includes(key)) {
      out.push({ key, sql: `json_extract_string(r.dimensions, ${sqlString("$." + key)})` });
    } else throw unknownKeyError(key, valid);
  }
  return out;
}

/** Which scores a query reads: all of the run's, or those an overlay view or filter names. */
export interface ScoreFilter {
  /** Only this score hash (an evaluation overlay). */
  scoreHash?: string;
  /** Only scores reading this parse (a transform overlay). */
  parseHash?: string;
  /** Only these trials (a page of trials). */
  trials?: ReadonlyArray<string>;
}

/** `and trial in (…)` for a list of trials, or nothing. */
export function trialsIn(trials: ReadonlyArray<string> | undefined, column = "trial"): string {
  if (trials === undefined) return "";
  return trials.length ? `and ${column} in (${trials.map(sqlString).join(", ")})` : "and false";
}

// The manifest lists a score once per slice; slices sharing a score definition share its hash.
function selectedScores(manifest: RunManifest, filter: ScoreFilter): PlannedScore[] {
  const unique = new Map<string, PlannedScore>();
  for (const s of manifest.scores) {
    if (filter.scoreHash !== undefined && s.hash !== filter.scoreHash) continue;
    if (filter.parseHash !== undefined && s.parseHash !== filter.parseHash) continue;
    if (!unique.has(s.hash)) unique.set(s.hash, s);
  }
  return [...unique.values()];
}

function valuesTable(name: string, columns: string, rows: string[], empty: string): string {
  return `${name}(${columns}) as (values ${rows.length ? rows.join(", ") : empty})`;
}

// A trial's status for one score, from its candidates' items: the least finished wins.
const TRIAL_STATUS = `case when bool_or(status = 'pending') then 'pending'
  when bool_or(status = 'failed') then 'failed' when bool_or(status = 'skipped') then 'skipped'
  when bool_or(status = 'invalid') then 'invalid' else 'completed' end`;

/**
 * SQL (a `with` list ending in `rows`) of one row per (trial of the run, score, metric): the
 * trial's identity, its slice's dimensions, the trial's status for the score, and the value
 * of the samples reduced as the score says (mean, max, majority, pass_at_k; null when no
 * sample has a value). The run's plan comes from `work_items`, so each trial counts once
 * however many runs of the store computed it. Parameter: `$run`.
 *
 * @example
 * ```ts
 * // const rows = await analytics.all(`with ${perTrialSql(manifest)} select * from rows`, { run });
 * ```
 */
export function perTrialSql(manifest: RunManifest, filter: ScoreFilter = {}): string {
  const scores = selectedScores(manifest, filter);
  const majority = scores.some((s) => s.reduction === "majority");
  return `${planTables(manifest, scores)},
    ${planSql(filter)},
    samples as (
      select i.trial, i.score_hash, s.metric, i.sample, s.value
        ${majority ? ", cast(pa.answer as varchar) as answer" : ""}
      from items i join scores s on s.cand = i.cand and s.score_hash = i.score_hash
      ${majority ? "left join parses pa on pa.cand = s.cand and pa.parse_hash = s.parse_hash" : ""}
    ),
    ${reducedSql(majority)},
    metrics as (select * from rm where metric is not null
      union select distinct score_hash, metric from basic),
    rows as (
      select p.trial, p.slice_id, p.model_id, p.prompt_variant_id, p.params_index, p.item_id,
        rt.dimensions, ts.status, rs.score_name, ts.score_hash, mt.metric, pt.value
      from trial_status ts join plan p using (trial) join rs using (score_hash)
      join metrics mt using (score_hash)
      left join rt on rt.slice_id = p.slice_id
      left join per_trial pt on pt.trial = ts.trial and pt.score_hash = ts.score_hash
        and pt.metric = mt.metric
    )`;
}

/** `rs` (scores and reductions), `rm` (their metrics), `rt` (slice dimensions) from the plan. */
function planTables(manifest: RunManifest, scores: PlannedScore[]): string {
  const rs = valuesTable(
    "rs",
    "score_hash, score_name, reduction, k",
    scores.map((s) =>
      `(${sqlString(s.hash)}, ${sqlString(s.name)}, ${sqlString(s.reduction)}, ${s.k ?? "null"})`
    ),
    "(null, null, null, null)",
  );
  const rm = valuesTable(
    "rm",
    "score_hash, metric",
    scores.flatMap((s) => s.metrics.map((m) => `(${sqlString(s.hash)}, ${sqlString(m.id)})`)),
    "(null, null)",
  );
  const rt = valuesTable(
    "rt",
    "slice_id, dimensions",
    manifest.experiment.tasks.map((t) =>
      `(${sqlString(t.task_id)}, ${sqlString(JSON.stringify(t.dimensions))}::json)`
    ),
    "(null, null)",
  );
  return `${rs}, ${rm}, ${rt}`;
}

/** The run's trials (`plan`), its score items (`items`) and each trial's status per score. */
function planSql(filter: ScoreFilter): string {
  return `plan as (
      select trial, any_value(slice_id) as slice_id, any_value(model_id) as model_id,
        any_value(prompt_variant_id) as prompt_variant_id,
        any_value(params_index) as params_index, any_value(item_id) as item_id
      from work_items where run = $run and stage = 'generation' ${trialsIn(filter.trials)}
      group by trial
    ),
    gens as (
      select cand, status as gen_status from work_items
      where run = $run and stage = 'generation' ${trialsIn(filter.trials)}
    ),
    items as (
      select w.trial, w.cand, w.sample, w.hash as score_hash,
        -- behind a generation that failed or is pending, a score is that, not "skipped"
        case when w.skip_reason = 'no_generation' then g.gen_status else w.status end as status
      from work_items w left join gens g using (cand)
      where w.run = $run and w.stage = 'score' and w.hash in (select score_hash from rs)
        ${trialsIn(filter.trials, "w.trial")}
    ),
    trial_status as (select trial, score_hash, ${TRIAL_STATUS} as status from items group by all)`;
}

/** `basic` sample statistics and `per_trial`: the samples reduced as each score says. */
function reducedSql(majority: boolean): string {
  const none = `majority as (select null::varchar as trial, null::varchar as score_hash,
        null::varchar as metric, null::double as maj_v where false),`;
  return `basic as (
      select trial, score_hash, metric, avg(value) as mean_v, max(value) as max_v,
        count(*) as n, count(*) filter (where value >= 1) as c
      from samples group by all
    ),
    ${majority ? majoritySql() : none}
    per_trial as (
      select b.trial, b.score_hash, b.metric,
        case rs.reduction
          when 'max' then b.max_v
          when 'majority' then m.maj_v
          when 'pass_at_k' then case
            when b.n < rs.k then null
            when b.n - b.c < rs.k then 1.0
            else 1 - exp(lgamma(b.n - b.c + 1) - lgamma(b.n - b.c - rs.k + 1)
                         - lgamma(b.n + 1) + lgamma(b.n - rs.k + 1)) end
          else b.mean_v end as value
      from basic b join rs using (score_hash)
      left join majority m using (trial, score_hash, metric)
    )`;
}

function majoritySql(): string {
  return `votes as (
      select trial, score_hash, metric, coalesce(answer, cast(value as varchar)) as a,
        count(*) as cnt, min(sample) as first_sample, first(value order by sample) as v
      from samples group by all
    ),
    majority as (
      select trial, score_hash, metric, first(v order by cnt desc, first_sample) as maj_v
      from votes group by all
    ),`;
}

/** Condition of a metric filter (`$metric`): a score name, a metric id, or `score.metric`. */
export function metricCondition(metric: string | undefined): string {
  return metric === undefined
    ? "true"
    : `(r.score_name = $metric or r.metric = $metric or r.score_name || '.' || r.metric = $metric)`;
}
