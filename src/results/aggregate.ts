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
import { compareKeys, groupValue } from "./trial_groups.ts";
import {
  iterTrialValues,
  type SamplePolicyOptions,
  sliceDimensions,
  type TrialValue,
} from "./trial_values.ts";
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

/**
 * What a group keeps of its trials as they stream by: the values in its mean (trial order),
 * their cluster labels when the score clusters, the ranges and interval methods its scores
 * give, and the trials by outcome. Only corpus BLEU keeps the trials themselves.
 */
class GroupValues {
  readonly values: number[] = [];
  /** One label per value once any value has a cluster (an unclustered value: its own). */
  labels: string[] | undefined;
  readonly ranges = new Map<string, MetricRange>();
  readonly asked = new Set<IntervalMethod | undefined>();
  readonly counts = { n_trials: 0, n_scored: 0, n_invalid: 0, n_failed: 0 };
  readonly trials: TrialValue[] | undefined;

  constructor(
    readonly keys: Record<string, string | number | null>,
    readonly score: string,
    readonly metric: string,
    readonly order: Array<string | number | null>,
  ) {
    if (metric === "bleu") this.trials = [];
  }

  add(t: TrialValue): void {
    this.counts.n_trials++;
    if (t.status === "scored") this.counts.n_scored++;
    else if (t.status === "invalid") this.counts.n_invalid++;
    else if (t.status === "failed") this.counts.n_failed++;
    this.ranges.set(JSON.stringify(t.range), t.range);
    this.asked.add(t.score.ci);
    this.trials?.push(t);
    if (t.value === null) return;
    if (t.cluster !== null && this.labels === undefined) {
      this.labels = this.values.map((_, i) => `\u0000value:${i}`);
    }
    this.labels?.push(t.cluster ?? `\u0000value:${this.values.length}`);
    this.values.push(t.value);
  }

  /** The interval method the group asks for: the option, else the one its scores agree on. */
  method(option?: IntervalMethod): IntervalMethod | undefined {
    if (option !== undefined) return option;
    return this.asked.size === 1 ? [...this.asked][0] : undefined;
  }
}

/** A group's statistics and counts. */
function describeGroup(
  group: GroupValues,
  options: IntervalOptions & { seed: number },
): GroupStats {
  const described = describeValues(group.values, {
    ...options,
    ci: group.method(options.ci),
    range: unionRange([...group.ranges.values()]),
    clusters: group.labels,
  });
  return {
    mean: described.mean,
    stderr: described.stderr,
    ci_low: described.ci_low,
    ci_high: described.ci_high,
    ci_method: described.ci_method,
    count: described.count,
    ...group.counts,
    clusters: described.clusters,
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
  const dims = sliceDimensions(scope.manifest);
  const groups = new Map<string, GroupValues>();
  const values = iterTrialValues(
    scope,
    { ...scoreFilter(scope), metric: options.metric },
    { ...options, corpusBleu: true },
  );
  for await (const v of values) {
    const dimensions = dims.get(v.slice_id) ?? {};
    const keyValues = keys.map((k) => groupValue(v, k, dimensions));
    const order = [...keyValues, v.score.name, v.metric];
    const id = JSON.stringify(order);
    let group = groups.get(id);
    if (group === undefined) {
      const named = Object.fromEntries(keys.map((k, i) => [k, keyValues[i]]));
      group = new GroupValues(named, v.score.name, v.metric, order);
      groups.set(id, group);
    }
    group.add(v);
  }
  const seed = options.seed ?? defaultSeed(scope.manifest);
  const rows: AggregateRow[] = [];
  for (const group of [...groups.values()].sort((a, b) => compareKeys(a.order, b.order))) {
    rows.push({
      ...group.keys,
      score: group.score,
      metric: group.metric,
      ...describeGroup(group, { ...options, seed }),
    });
    if (group.trials) {
      const { keys, score, metric, trials } = group;
      rows.push(...corpusBleuRows({ keys, score, metric, trials }, options));
    }
  }
  return rows.filter((r) => matchesMetric(r.score, r.metric, options.metric));
}
