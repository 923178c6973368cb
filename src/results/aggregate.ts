/** Means of a run's scores per group, with standard errors and confidence intervals. */
import type { Row } from "../analytics/duckdb.ts";
import { bootstrapCi, summarize } from "./stats/mod.ts";
import { groupExpressions, metricCondition, perTrialSql } from "./aggregate_sql.ts";
import { defaultSeed, dimensionKeys, type ResultScope, scoreFilter } from "./_scope.ts";

/** How the interval around a mean is computed. */
export interface IntervalOptions {
  /** `t` (Student t, the default of `aggregate`) or `bootstrap` (percentile, seeded). */
  ci?: "t" | "bootstrap";
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
  /** Bootstrap seed (default: the project's `global_seed`, so reruns print the same numbers). */
  seed?: number;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
}

/** Options of `aggregate()`. */
export interface AggregateOptions extends IntervalOptions {
  /**
   * Keys: model, slice, prompt_variant, item, params, metric, status (the trial's status for
   * the score), or a slice dimension. Default: model, slice, prompt_variant, metric.
   */
  groupBy?: string[];
  /** Only this score (`"acc"`) or metric (`"acc.exact_match"` or `"exact_match"`). */
  metric?: string;
}

/**
 * One group: its keys, the score and metric, the mean over trials with a value, its standard
 * error and interval (null below two values), `count` trials with a value and `trials` in the
 * group (with or without a value: skipped, failed, pending).
 */
export type AggregateRow = Row & {
  score: string;
  metric: string;
  mean: number | null;
  stderr: number | null;
  ci_low: number | null;
  ci_high: number | null;
  count: number;
  trials: number;
};

/** The default grouping of `aggregate()`. */
export const DEFAULT_GROUP_BY = ["model", "slice", "prompt_variant", "metric"];

/** Mean, standard error and interval of one group's per-trial values. */
export function describeValues(
  values: readonly number[],
  options: IntervalOptions & { seed: number },
): Pick<AggregateRow, "mean" | "stderr" | "ci_low" | "ci_high"> {
  const confidence = options.confidence ?? 0.95;
  const s = summarize(values, { confidence });
  if (options.ci === "bootstrap" && values.length > 0) {
    const b = bootstrapCi(values, {
      seed: options.seed,
      resamples: options.resamples ?? 2000,
      confidence,
    });
    return { mean: s.mean, stderr: s.se, ci_low: b.low, ci_high: b.high };
  }
  return { mean: s.mean, stderr: s.se, ci_low: s.ci?.low ?? null, ci_high: s.ci?.high ?? null };
}

/**
 * Per-group means of a run's scores. Each trial's samples are reduced first (the score's
 * `reduction`), then trials are summarized with the stats module (`summarize`, or
 * `bootstrapCi` with `ci: "bootstrap"`). Unknown group keys are a `QUERY_INVALID` error
 * listing the valid ones.
 *
 * @example
 * ```ts
 * // const rows = await aggregateResult(scope, { groupBy: ["model", "slice"] });
 * // rows[0] → { model, slice, score, metric, mean, stderr, ci_low, ci_high, count, trials }
 * ```
 */
export async function aggregateResult(
  scope: ResultScope,
  options: AggregateOptions = {},
): Promise<AggregateRow[]> {
  const groups = groupExpressions(
    options.groupBy ?? DEFAULT_GROUP_BY,
    dimensionKeys(scope.manifest),
  );
  const select = [
    ...groups.map((g) => `${g.sql} as "${g.key}"`),
    "r.score_name as score",
    "r.metric as metric",
  ];
  const order = select.map((_, i) => i + 1).join(", ");
  const sql = `with ${perTrialSql(scope.manifest, scoreFilter(scope))}
    select ${select.join(", ")},
      list(r.value order by r.trial) filter (where r.value is not null) as vals,
      count(*)::integer as trials
    from rows r where ${metricCondition(options.metric)}
    group by all order by ${order}`;
  const params: Record<string, string> = { run: scope.runId };
  if (options.metric !== undefined) params.metric = options.metric;
  const seed = options.seed ?? defaultSeed(scope.manifest);
  return (await scope.analytics.all(sql, params)).map((row) => {
    const { vals, trials, ...keys } = row;
    const values = (vals ?? []) as number[];
    return {
      ...keys,
      ...describeValues(values, { ...options, seed }),
      count: values.length,
      trials: trials as number,
    } as AggregateRow;
  });
}
