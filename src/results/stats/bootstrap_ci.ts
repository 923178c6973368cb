/**
 * Percentile bootstrap confidence intervals, reproducible from a seed.
 *
 * @module
 */

import { ThemisError } from "../../core/errors.ts";
import { assertConfidence, assertFiniteValues, assertInteger } from "./_validate.ts";
import { mean } from "./mean.ts";
import { percentileSorted } from "./percentile.ts";
import { createXoshiro128 } from "./xoshiro128.ts";

/** Options of {@link bootstrapCi}. */
export interface BootstrapOptions {
  /** Seed of the xoshiro128** generator; the same seed always gives the same interval. */
  seed: number;
  /** Number of bootstrap resamples, an integer >= 1. */
  resamples?: number;
  /** Two-sided confidence level, strictly between 0 and 1. */
  confidence?: number;
  /**
   * The statistic to bootstrap (default: {@link mean}). It receives a scratch array that is
   * overwritten by the next resample, so it must not keep a reference to it.
   */
  statistic?: (sample: number[]) => number;
}

/** A percentile bootstrap interval and the settings that reproduce it. */
export interface BootstrapInterval {
  /** The statistic on the original sample. */
  estimate: number;
  low: number;
  high: number;
  method: "percentile";
  confidence: number;
  resamples: number;
  seed: number;
}

/**
 * A percentile bootstrap interval for `statistic` (default: the mean) of `values`.
 *
 * Algorithm, fixed so that the numbers are reproducible and re-implementable (the reference
 * script `scripts/stats_reference.py` does so bit for bit): one xoshiro128** generator seeded
 * with `seed`; for each of `resamples` resamples draw n indices with `nextIndex(n)` in order
 * and apply `statistic`; sort the resample statistics and take `numpy.percentile`-style linear
 * percentiles at 100·α and 100·(1 − α), α = (1 − confidence)/2. Throws a `QUERY_INVALID`
 * ThemisError for an empty sample, non-finite values or invalid options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapCi } from "./bootstrap_ci.ts";
 * const a = bootstrapCi([0, 1, 1, 0, 1], { seed: 7, resamples: 1000 });
 * const b = bootstrapCi([0, 1, 1, 0, 1], { seed: 7, resamples: 1000 });
 * assert.ok(a.low === b.low && a.high === b.high && a.low <= a.estimate);
 * ```
 */
export function bootstrapCi(
  values: readonly number[],
  { seed, resamples = 10_000, confidence = 0.95, statistic = mean }: BootstrapOptions,
): BootstrapInterval {
  const fn = "bootstrapCi()";
  assertFiniteValues(values, { name: "values", fn });
  assertInteger(seed, { name: "seed", fn });
  assertInteger(resamples, { name: "resamples", fn, min: 1 });
  assertConfidence(confidence, { fn });
  const n = values.length;
  if (n === 0) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: values is empty; a bootstrap interval needs at least one value`,
      { path: "values" },
    );
  }
  const rng = createXoshiro128(seed);
  const sample = new Array<number>(n);
  const statistics = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = values[rng.nextIndex(n)];
    statistics[r] = statistic(sample);
  }
  statistics.sort();
  const alpha = (1 - confidence) / 2;
  return {
    estimate: statistic(values.slice()),
    low: percentileSorted(statistics, alpha * 100),
    high: percentileSorted(statistics, (1 - alpha) * 100),
    method: "percentile",
    confidence,
    resamples,
    seed,
  };
}
