/**
 * Descriptive summary of one score column: mean, sample standard deviation, standard error and
 * a Student t confidence interval for the mean.
 *
 * @module
 */

import { assertConfidence, assertFiniteValues } from "./_validate.ts";
import { mean } from "./mean.ts";
import { studentTQuantile } from "./student_t.ts";

/** Options of {@link summarize}. */
export interface SummarizeOptions {
  /** Two-sided confidence level of the interval, strictly between 0 and 1. */
  confidence?: number;
}

/** A t-based confidence interval for the mean. */
export interface TInterval {
  low: number;
  high: number;
  method: "t";
  confidence: number;
}

/**
 * The summary of a sample. Fields that need more data are `null` instead of NaN, so the
 * object serializes to JSON unchanged: n = 0 leaves everything but `n` null; n = 1 has a mean
 * but no sd, se or ci (the sample standard deviation needs two values).
 */
export interface Summary {
  n: number;
  mean: number | null;
  /** Sample standard deviation (ddof = 1). */
  sd: number | null;
  /** Standard error of the mean, sd/√n. */
  se: number | null;
  ci: TInterval | null;
}

/** Σ(x − m)² with the compensation term of the corrected two-pass algorithm. */
function sumOfSquares(values: readonly number[], m: number): number {
  let squares = 0;
  let deviations = 0;
  for (const v of values) {
    const d = v - m;
    squares += d * d;
    deviations += d;
  }
  return squares - deviations * deviations / values.length;
}

/**
 * Summarizes a sample: n, mean, sd (ddof = 1, as `numpy.std(x, ddof=1)`), se = sd/√n and the
 * interval mean ± t·se with t = `scipy.stats.t.ppf((1 + confidence)/2, n − 1)`. Identical
 * values give sd = 0 exactly and a zero-width interval. Throws a `QUERY_INVALID` ThemisError
 * for a non-finite value or a confidence outside (0, 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarize } from "./summarize.ts";
 * const s = summarize([1, 2, 3, 4], { confidence: 0.95 });
 * assert.ok(s.mean === 2.5 && s.n === 4);
 * assert.equal(summarize([]).mean, null);
 * ```
 */
export function summarize(
  values: readonly number[],
  { confidence = 0.95 }: SummarizeOptions = {},
): Summary {
  assertFiniteValues(values, { name: "values", fn: "summarize()" });
  assertConfidence(confidence, { fn: "summarize()" });
  const n = values.length;
  if (n === 0) return { n, mean: null, sd: null, se: null, ci: null };
  const m = mean(values);
  if (n === 1) return { n, mean: m, sd: null, se: null, ci: null };
  const sd = Math.sqrt(Math.max(0, sumOfSquares(values, m)) / (n - 1));
  const se = sd / Math.sqrt(n);
  const t = studentTQuantile((1 + confidence) / 2, n - 1);
  return {
    n,
    mean: m,
    sd,
    se,
    ci: { low: m - t * se, high: m + t * se, method: "t", confidence },
  };
}
