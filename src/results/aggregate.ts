/** Means of a run's scores per group, with counts of every trial outcome and bounded intervals. */
import type { Row } from "../analytics/duckdb.ts";
import type { MetricRange } from "../plugins/types.ts";
import {
  clipToRange,
  clusteredMean,
  type IntervalMethod,
  metricInterval,
  summarize,
} from "./stats/mod.ts";
import { checkGroupKeys, matchesMetric } from "./aggregate_sql.ts";
import { corpusBleuRows } from "./corpus_bleu_rows.ts";
import { unionRange } from "./metric_ranges.ts";
import { groupTrialValues } from "./trial_groups.ts";
import { readTrialValues, type SamplePolicyOptions, type TrialValue } from "./trial_values.ts";
import { defaultSeed, dimensionKeys, type ResultScope, scoreFilter } from "./_scope.ts";

/** How the interval around a mean is computed. */
export interface IntervalOptions {
  /**
   * `wilson` / `clopper_pearson` (0/1 metrics), `t` or `bootstrap` (percentile, seeded).
   * Default: the score's `ci`, else Wilson for 0/1 metrics and t otherwise. With a cluster
   * field the interval is always the cluster-robust t interval.
   */
  ci?: IntervalMethod;
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
  /** Bootstrap seed (default: the project's `global_seed`, so reruns print the same numbers). */
  seed?: number;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
}

/** Options of `aggregate()`. */
export interface AggregateOptions extends IntervalOptions, SamplePolicyOptions {
  /**
   * Keys: model, slice, prompt_variant, item, params, metric, status (the trial's outcome for
   * the score: scored, invalid, failed, pending), or a slice dimension. Default: model, slice,
   * prompt_variant, metric.
   */
  groupBy?: string[];
  /** Only this score (`"acc"`) or metric (`"acc.exact_match"` or `"exact_match"`). */
  metric?: string;
}

/** How the interval of a row was computed (`t_cluster`: cluster-robust, G − 1 df). */
export type RowIntervalMethod = IntervalMethod | "t_cluster";

/**
 * The statistics of one group: the mean over the trials that count, its standard error and
 * interval (inside the metric's range; null when there is none to give), and the trials by
 * outcome. `count` is the number of values in the mean: scored trials, plus invalid ones
 * under `on_invalid = "zero"`, plus failed ones with `count_failed`. `n_trials` = every trial
 * of the group = n_scored + n_invalid + n_failed + trials still pending.
 */
export interface GroupStats {
  /** The mean of the values that count, or null when none do. */
  mean: number | null;
  /** Its standard error (cluster-robust with a cluster field), or null. */
  stderr: number | null;
  /** Lower bound of the interval, inside the metric's range, or null. */
  ci_low: number | null;
  /** Upper bound of the interval, inside the metric's range, or null. */
  ci_high: number | null;
  /** How the interval was computed. */
  ci_method: RowIntervalMethod | null;
  /** Values in the mean. */
  count: number;
  /** Every trial of the group (scored + invalid + failed + pending). */
  n_trials: number;
  /** Trials with a score. */
  n_scored: number;
  /** Trials whose answer was invalid (no answer found). */
  n_invalid: number;
  /** Trials whose generation failed. */
  n_failed: number;
  /** Clusters of a clustered score (null without a cluster field). */
  clusters: number | null;
}

/** One group: its keys, the score and metric, and its statistics. */
export type AggregateRow = Row & GroupStats & { score: string; metric: string };

/** The default grouping of `aggregate()`. */
export const DEFAULT_GROUP_BY = ["model", "slice", "prompt_variant", "metric"];

/** The statistics of a row. */
type Described = Omit<GroupStats, "n_trials" | "n_scored" | "n_invalid" | "n_failed">;

/**
 * Mean, standard error and interval of one group's trial values, inside `range`: proportion
 * intervals for 0/1 values of a binary metric (Wilson unless `ci` says otherwise), t or
 * bootstrap intervals clipped to the range, or with `clusters` the cluster-robust t interval
 * (statsmodels' `cov_type="cluster"`), clipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeValues } from "./aggregate.ts";
 * const binary = { min: 0, max: 1, binary: true };
 * const r = describeValues([1, 1, 1, 0, 0], { range: binary, seed: 1 });
 * assert.equal(r.ci_method, "wilson");
 * assert.ok(r.ci_low! > 0 && r.ci_high! < 1 && r.mean === 0.6);
 * ```
 */
export function describeValues(
  values: readonly number[],
  options: IntervalOptions & { seed: number; range: MetricRange; clusters?: readonly string[] },
): Described {
  const { range, confidence = 0.95 } = options;
  const s = summarize(values, { confidence });
  const base = { mean: s.mean, count: values.length, clusters: null };
  if (values.length === 0) {
    return { ...base, stderr: null, ci_low: null, ci_high: null, ci_method: null };
  }
  if (options.clusters !== undefined) {
    const c = clusteredMean(values, { clusters: options.clusters, confidence });
    const ci = c.ci ? clipToRange(c.ci, range) : null;
    return {
      ...base,
      clusters: c.clusters,
      stderr: c.se,
      ci_low: ci?.low ?? null,
      ci_high: ci?.high ?? null,
      ci_method: ci ? "t_cluster" : null,
    };
  }
  const interval = metricInterval(values, {
    range,
    method: options.ci,
    confidence,
    seed: options.seed,
    resamples: options.resamples ?? 2000,
  });
  return {
    ...base,
    stderr: s.se,
    ci_low: interval?.low ?? null,
    ci_high: interval?.high ?? null,
    ci_method: interval?.method ?? null,
  };
}

/** The interval method a group asks for: the option, else the one its scores agree on. */
function groupMethod(trials: ReadonlyArray<TrialValue>, option?: IntervalMethod) {
  if (option !== undefined) return option;
  const asked = new Set(trials.map((t) => t.score.ci));
  return asked.size === 1 ? [...asked][0] : undefined;
}

/** A group's statistics and counts. */
export function describeGroup(
  trials: ReadonlyArray<TrialValue>,
  options: IntervalOptions & { seed: number },
): GroupStats {
  const counted = trials.filter((t) => t.value !== null);
  const values = counted.map((t) => t.value as number);
  const clustered = counted.some((t) => t.cluster !== null);
  const described = describeValues(values, {
    ...options,
    ci: groupMethod(trials, options.ci),
    range: unionRange(trials.map((t) => t.range)),
    clusters: clustered ? counted.map((t) => t.cluster ?? `\u0000trial:${t.trial}`) : undefined,
  });
  return {
    mean: described.mean,
    stderr: described.stderr,
    ci_low: described.ci_low,
    ci_high: described.ci_high,
    ci_method: described.ci_method,
    count: described.count,
    ...outcomeCounts(trials),
    clusters: described.clusters,
  };
}

/** n_trials and the trials by outcome. */
export function outcomeCounts(trials: ReadonlyArray<TrialValue>) {
  const count = (status: string) => trials.filter((t) => t.status === status).length;
  return {
    n_trials: trials.length,
    n_scored: count("scored"),
    n_invalid: count("invalid"),
    n_failed: count("failed"),
  };
}

/**
 * Per-group means of a run's scores. Each trial's samples are reduced first (the score's
 * `reduction`, counting invalid answers and failed generations by the score's policies or the
 * options'), then the trials of each group are described: mean, standard error, an interval
 * inside the metric's range, and n_trials / n_scored / n_invalid / n_failed. A score with a
 * `bleu` metric adds a `corpus_bleu` row per group. Unknown group keys are a `QUERY_INVALID`
 * error listing the valid ones.
 */
export async function aggregateResult(
  scope: ResultScope,
  options: AggregateOptions = {},
): Promise<AggregateRow[]> {
  const keys = checkGroupKeys(options.groupBy ?? DEFAULT_GROUP_BY, dimensionKeys(scope.manifest));
  const values = await readTrialValues(
    scope,
    { ...scoreFilter(scope), metric: options.metric },
    { ...options, corpusBleu: true },
  );
  const seed = options.seed ?? defaultSeed(scope.manifest);
  const rows: AggregateRow[] = [];
  for (const group of groupTrialValues(values, keys, scope.manifest)) {
    rows.push({
      ...group.keys,
      score: group.score,
      metric: group.metric,
      ...describeGroup(group.trials, { ...options, seed }),
    });
    rows.push(...corpusBleuRows(group, options));
  }
  return rows.filter((r) => matchesMetric(r.score, r.metric, options.metric));
}
