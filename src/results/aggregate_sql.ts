import { closestMatch } from "../core/closest.ts";
import { ThemisError } from "../core/errors.ts";
import type { PlannedScore } from "../plan/plan_trials.ts";

/** Group keys every run has; dimension keys of its slices come on top. */
export const BASE_GROUP_KEYS: Record<string, string> = {
  model: "p.model_id",
  slice: "p.slice_id",
  prompt_variant: "p.prompt_variant_id",
  item: "p.item_id",
  params: "p.params_index",
};

const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** The SQL expression of each group key, or a clear error listing the valid keys. */
export function groupExpressions(
  groupBy: ReadonlyArray<string>,
  dimensionKeys: ReadonlyArray<string>,
): Array<{ key: string; sql: string }> {
  const valid = [...Object.keys(BASE_GROUP_KEYS), "metric", ...dimensionKeys];
  const out: Array<{ key: string; sql: string }> = [];
  for (const key of groupBy) {
    if (key === "metric") continue; // score and metric are always grouped
    const base = BASE_GROUP_KEYS[key];
    if (base !== undefined) out.push({ key, sql: base });
    else if (dimensionKeys.includes(key)) {
      out.push({ key, sql: `json_extract_string(p.dimensions, ${sqlString("$." + key)})` });
    } else {
      const close = closestMatch(key, valid);
      throw new ThemisError(
        "QUERY_INVALID",
        `Cannot group by "${key}".${close ? ` Did you mean "${close}"?` : ""} Valid keys: ${
          valid.join(", ")
        }`,
        { suggestion: close, valid },
      );
    }
  }
  return out;
}

/**
 * SQL of the per-trial reduced values of a run's scores: one row per (trial, score, metric),
 * the samples of the trial reduced as the score says (mean, max, majority, pass_at_k).
 * Only candidates inside the run's `num_samples` count, and each trial counts once however
 * many runs of the store computed it.
 */
export function perTrialSql(scores: ReadonlyArray<PlannedScore>): string {
  // Two slices with the same score definition share its hash: list each hash once, or every
  // trial would join twice.
  const unique = [...new Map(scores.map((s) => [s.hash, s])).values()];
  const rows = unique.map((s) =>
    `(${sqlString(s.hash)}, ${sqlString(s.reduction)}, ${s.k ?? "null"})`
  );
  const values = rows.length ? rows.join(", ") : `(null, null, null)`;
  return `
    rs(score_hash, reduction, k) as (values ${values}),
    planned as (
      select rt.trial, rt.num_samples, t.* exclude (trial)
      from run_trials rt join trials t on t.trial = rt.trial where rt.run = $run
    ),
    samples as (
      select p.trial, s.score_hash, s.score_name, s.metric, c.sample, s.value,
        cast(pa.answer as varchar) as answer
      from planned p
      join scores s on s.trial = p.trial
      join candidates c on c.cand = s.cand
      left join parses pa on pa.cand = s.cand and pa.parse_hash = s.parse_hash
      where c.sample < p.num_samples and s.score_hash in (select score_hash from rs)
    ),
    basic as (
      select trial, score_hash, score_name, metric, avg(value) as mean_v, max(value) as max_v,
        count(*) as n, count(*) filter (where value >= 1) as c
      from samples group by all
    ),
    votes as (
      select trial, score_hash, metric, coalesce(answer, cast(value as varchar)) as a,
        count(*) as cnt, min(sample) as first_sample, first(value order by sample) as v
      from samples group by all
    ),
    majority as (
      select trial, score_hash, metric, first(v order by cnt desc, first_sample) as maj_v
      from votes group by all
    ),
    per_trial as (
      select b.trial, b.score_hash, b.score_name, b.metric, b.n,
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
      join majority m using (trial, score_hash, metric)
    )`;
}
