/**
 * The confidence interval of a metric's mean that respects what the metric can produce: a
 * proportion interval for 0/1 metrics, a t or bootstrap interval clipped to the declared
 * range otherwise. No interval leaves the range.
 *
 * @module
 */

import { ThemisError } from "../../core/errors.ts";
import type { MetricRange } from "../../plugins/types.ts";
import { assertConfidence, assertFiniteValues } from "./_validate.ts";
import { bootstrapCi } from "./bootstrap_ci.ts";
import { mean } from "./mean.ts";
import { proportionInterval } from "./proportion_interval.ts";
import { summarize } from "./summarize.ts";

/** Interval methods: proportions (`wilson`, `clopper_pearson`) or means (`t`, `bootstrap`). */
export type IntervalMethod = "wilson" | "clopper_pearson" | "t" | "bootstrap";

/** Options of {@link metricInterval}. */
export interface MetricIntervalOptions {
  /** The metric's declared range (default: unbounded, nothing is clipped). */
  range?: MetricRange;
  /**
   * Default: `wilson` when the range is binary and every value is 0 or 1, else `t`. A
   * proportion method asked for values that are not all 0/1 (a binary metric averaged over
   * samples) falls back to `t`; the result's `method` says which one ran.
   */
  method?: IntervalMethod;
  /** Two-sided confidence level, strictly between 0 and 1 (default 0.95). */
  confidence?: number;
  /** Seed of the `bootstrap` method (required for it). */
  seed?: number;
  /** Resamples of the `bootstrap` method (default 10 000). */
  resamples?: number;
}

/** A confidence interval for the mean of a metric, inside the metric's range. */
export interface MetricInterval {
  n: number;
  mean: number;
  low: number;
  high: number;
  method: IntervalMethod;
  confidence: number;
  /** True when the unclipped interval left the range and was cut back to it. */
  clipped: boolean;
}

const UNBOUNDED: MetricRange = { min: null, max: null };

/**
 * Cuts an interval back to a range: low = max(low, min), high = min(high, max); `clipped`
 * tells whether anything changed. Null bounds clip nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clipToRange } from "./metric_interval.ts";
 * const range = { min: 0, max: 1 };
 * assert.deepEqual(clipToRange({ low: -0.1, high: 0.5 }, range), { low: 0, high: 0.5, clipped: true });
 * assert.deepEqual(clipToRange({ low: 2, high: 9 }, { min: 0, max: null }), { low: 2, high: 9, clipped: false });
 * ```
 */
export function clipToRange(
  interval: { low: number; high: number },
  range: MetricRange,
): { low: number; high: number; clipped: boolean } {
  const low = range.min === null ? interval.low : Math.max(interval.low, range.min);
  const high = range.max === null ? interval.high : Math.min(interval.high, range.max);
  return { low, high, clipped: low !== interval.low || high !== interval.high };
}

/**
 * The range of a difference of two values of a metric with `range` — [min − max, max − min] —
 * for clipping intervals of paired deltas (a 0/1 metric's delta lies in [−1, 1]). Unbounded
 * sides stay unbounded; the result is never binary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { differenceRange } from "./metric_interval.ts";
 * assert.deepEqual(differenceRange({ min: 0, max: 1, binary: true }), { min: -1, max: 1 });
 * assert.deepEqual(differenceRange({ min: 0, max: null }), { min: null, max: null });
 * ```
 */
export function differenceRange(range: MetricRange): MetricRange {
  if (range.min === null || range.max === null) return { min: null, max: null };
  return { min: range.min - range.max, max: range.max - range.min };
}

function isZeroOne(values: readonly number[]): boolean {
  return values.every((v) => v === 0 || v === 1);
}

/** The interval before clipping, or null when the method needs more values. */
function rawInterval(
  values: readonly number[],
  method: "t" | "bootstrap",
  options: MetricIntervalOptions,
): { low: number; high: number } | null {
  const { confidence = 0.95, seed, resamples } = options;
  if (method === "t") return summarize(values, { confidence }).ci;
  if (seed === undefined) {
    throw new ThemisError(
      "QUERY_INVALID",
      `metricInterval(): the bootstrap method needs a seed (e.g. seed: 1) so that the ` +
        `interval can be reproduced`,
      { path: "seed" },
    );
  }
  return bootstrapCi(values, { seed, resamples, confidence });
}

/**
 * The confidence interval of the mean of one metric's values, by the metric's declared range:
 *
 * - 0/1 values of a binary metric: `wilson` (default) or `clopper_pearson` from
 *   {@link proportionInterval} — inside [0, 1] by construction.
 * - anything else: `t` ({@link summarize}) or `bootstrap` ({@link bootstrapCi}), then
 *   clipped to [min, max] with {@link clipToRange}.
 *
 * Returns null when there is no interval to give: no values, or a single value for the t
 * method. Throws `QUERY_INVALID` for non-finite values, a confidence outside (0, 1), an unknown
 * method, or `bootstrap` without a seed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricInterval } from "./metric_interval.ts";
 * const binary = { min: 0, max: 1, binary: true };
 * const r = metricInterval([1, 1, 1, 0], { range: binary });
 * assert.ok(r !== null && r.method === "wilson" && r.high < 1);
 * const t = metricInterval([0.9, 1, 1, 0.95], { range: { min: 0, max: 1 } });
 * assert.ok(t !== null && t.method === "t" && t.clipped && t.high === 1);
 * ```
 */
export function metricInterval(
  values: readonly number[],
  options: MetricIntervalOptions = {},
): MetricInterval | null {
  const fn = "metricInterval()";
  const { range = UNBOUNDED, confidence = 0.95 } = options;
  assertFiniteValues(values, { name: "values", fn });
  assertConfidence(confidence, { fn });
  const zeroOne = range.binary === true && isZeroOne(values);
  const method = options.method ?? (zeroOne ? "wilson" : "t");
  if (!["wilson", "clopper_pearson", "t", "bootstrap"].includes(method)) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: unknown interval method "${String(method)}"; use wilson, clopper_pearson, t or ` +
        `bootstrap`,
      { path: "method" },
    );
  }
  const n = values.length;
  if (n === 0) return null;
  if ((method === "wilson" || method === "clopper_pearson") && isZeroOne(values)) {
    const successes = values.filter((v) => v === 1).length;
    const p = proportionInterval(successes, n, { method, confidence });
    return { n, mean: p.estimate, low: p.low, high: p.high, method, confidence, clipped: false };
  }
  const used = method === "bootstrap" ? "bootstrap" : "t";
  const raw = rawInterval(values, used, options);
  if (raw === null) return null;
  const { low, high, clipped } = clipToRange(raw, range);
  return { n, mean: mean(values), low, high, method: used, confidence, clipped };
}
