/**
 * The Wilcoxon signed-rank test (two-sided), reproducing SciPy's numbers branch by branch.
 *
 * @module
 */

import { ThemisError } from "../../core/errors.ts";
import { assertFiniteValues } from "./_validate.ts";
import { normalCdf } from "./normal.ts";

/** Largest number of non-zero differences handled by the exact null distribution. */
export const WILCOXON_EXACT_MAX_N = 50;

/**
 * The test result. `n` counts the non-zero differences (zeros are dropped, Wilcoxon's
 * method). With n = 0 there is nothing to test: `statistic`, `pValue`, `zStatistic` and
 * `method` are null.
 */
export interface WilcoxonResult {
  n: number;
  /** min(R⁺, R⁻), the sum of ranks of the positive resp. negative differences. */
  statistic: number | null;
  pValue: number | null;
  /** −|z| of the normal approximation (SciPy's `zstatistic`); null for the exact test. */
  zStatistic: number | null;
  method: "exact" | "asymptotic" | null;
}

interface SignedRanks {
  rPlus: number;
  rMinus: number;
  /** Σ(t³ − t) over groups of tied |d|. */
  tieCorrection: number;
  hasTies: boolean;
}

/** Average ranks of |d| (ties share their mean rank), summed by sign. */
function signedRanks(d: readonly number[]): SignedRanks {
  const order = d.map((_, i) => i).sort((i, j) => Math.abs(d[i]) - Math.abs(d[j]));
  let rPlus = 0;
  let rMinus = 0;
  let tieCorrection = 0;
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    const magnitude = Math.abs(d[order[start]]);
    while (end < order.length && Math.abs(d[order[end]]) === magnitude) end++;
    const size = end - start;
    const rank = start + 1 + (size - 1) / 2;
    for (let k = start; k < end; k++) {
      if (d[order[k]] > 0) rPlus += rank;
      else rMinus += rank;
    }
    tieCorrection += size ** 3 - size;
    start = end;
  }
  return { rPlus, rMinus, tieCorrection, hasTies: tieCorrection > 0 };
}

/**
 * Number of sign assignments of ranks 1..n giving each rank sum 0..n(n+1)/2. The counts are
 * integers below 2^50 for n <= 50, so doubles hold them exactly.
 */
function rankSumCounts(n: number): Float64Array {
  const max = n * (n + 1) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) {
    for (let s = k * (k + 1) / 2; s >= k; s--) counts[s] += counts[s - k];
  }
  return counts;
}

/** 2·min(P(R⁺ >= r), P(R⁺ <= r)) under the exact null distribution, capped at 1. */
function exactPValue(rPlus: number, n: number): number {
  const counts = rankSumCounts(n);
  let lower = 0;
  let upper = 0;
  for (let s = 0; s < counts.length; s++) {
    if (s <= rPlus) lower += counts[s];
    if (s >= rPlus) upper += counts[s];
  }
  return Math.min(1, 2 * Math.min(lower, upper) / 2 ** n);
}

/**
 * The two-sided Wilcoxon signed-rank test of the differences d = x − y (or of x alone).
 * Zero differences are dropped (`zero_method="wilcox"`), ties get average ranks, and there is
 * no continuity correction. Two branches, each equal to one explicit SciPy call:
 *
 * - `method: "exact"` when 1 <= n <= 50 and no |d| are tied:
 *   `scipy.stats.wilcoxon(d, zero_method="wilcox", correction=False,
 *   alternative="two-sided", method="exact")` — the exact null distribution of R⁺.
 * - `method: "asymptotic"` otherwise (n > 50, ties, or zeros were dropped): the same call with
 *   `method="asymptotic"` — z = (R⁺ − n(n+1)/4)/σ with
 *   σ² = (n(n+1)(2n+1) − Σ(t³ − t)/2)/24, p = 2·Φ(−|z|).
 *
 * This is SciPy's `method="auto"` except for n <= 13 with ties or zeros, where SciPy runs a
 * permutation test and themis keeps the normal approximation. Throws a `QUERY_INVALID`
 * ThemisError for non-finite values or arrays of different lengths.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wilcoxonSignedRank } from "./wilcoxon_signed_rank.ts";
 * const r = wilcoxonSignedRank([1.5, 2.5, -0.5, 3.5, 4.5]);
 * assert.ok(r.method === "exact" && r.statistic === 1 && r.pValue === 0.125);
 * ```
 */
export function wilcoxonSignedRank(x: readonly number[], y?: readonly number[]): WilcoxonResult {
  const fn = "wilcoxonSignedRank()";
  assertFiniteValues(x, { name: "x", fn });
  if (y !== undefined) {
    assertFiniteValues(y, { name: "y", fn });
    if (y.length !== x.length) {
      throw new ThemisError(
        "QUERY_INVALID",
        `${fn}: x has ${x.length} values but y has ${y.length}; paired samples must be ` +
          `aligned item by item`,
        { path: "y" },
      );
    }
  }
  const differences = y === undefined ? x.slice() : x.map((v, i) => v - y[i]);
  const d = differences.filter((v) => v !== 0);
  const n = d.length;
  if (n === 0) return { n, statistic: null, pValue: null, zStatistic: null, method: null };
  const hadZeros = n < differences.length;
  const { rPlus, rMinus, tieCorrection, hasTies } = signedRanks(d);
  const statistic = Math.min(rPlus, rMinus);
  if (n <= WILCOXON_EXACT_MAX_N && !hasTies && !hadZeros) {
    return { n, statistic, pValue: exactPValue(rPlus, n), zStatistic: null, method: "exact" };
  }
  const meanRank = n * (n + 1) * 0.25;
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1) - tieCorrection / 2) / 24);
  const z = -Math.abs((rPlus - meanRank) / sd);
  return { n, statistic, pValue: 2 * normalCdf(z), zStatistic: z, method: "asymptotic" };
}
