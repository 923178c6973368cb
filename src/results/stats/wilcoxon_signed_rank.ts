/**
 * The Wilcoxon signed-rank test (two-sided), reproducing `scipy.stats.wilcoxon` of SciPy 1.17
 * with its defaults, branch by branch.
 *
 * @module
 */

import { ThemisError } from "../../core/errors.ts";
import { assertFiniteValues } from "./_validate.ts";
import { normalCdf } from "./normal.ts";

/** Largest number of differences for which SciPy's `method="auto"` uses the exact test. */
export const WILCOXON_EXACT_MAX_N = 50;

/**
 * Largest number of differences for which SciPy's `method="auto"` runs a permutation test
 * when there are ties or zeros: 2^13 sign flips fit in its default 9999 resamples, so the
 * permutation distribution is enumerated completely and the p-value is exact.
 */
export const WILCOXON_PERMUTATION_MAX_N = 13;

/**
 * How the p-value was computed: `exact` (the tabulated null distribution of R⁺ — no ties, no
 * zeros), `permutation` (all 2^n sign flips of the tied average ranks — ties or zeros and at
 * most 13 differences), `asymptotic` (normal approximation with the tie correction).
 */
export type WilcoxonMethod = "exact" | "permutation" | "asymptotic";

/**
 * The test result. `n` counts the non-zero differences and `zeros` the zero differences,
 * which are dropped (`zero_method="wilcox"`). With no difference at all (empty input)
 * `statistic`, `pValue`, `zStatistic` and `method` are null.
 */
export interface WilcoxonResult {
  n: number;
  zeros: number;
  /** min(R⁺, R⁻), the sums of ranks of the positive resp. negative differences. */
  statistic: number | null;
  pValue: number | null;
  /** −|z| of the normal approximation (SciPy's `zstatistic`); null unless asymptotic. */
  zStatistic: number | null;
  method: WilcoxonMethod | null;
}

interface SignedRanks {
  rPlus: number;
  rMinus: number;
  /** Twice the average rank of each difference (an integer), in input order. */
  doubledRanks: number[];
  /** Σ(t³ − t) over groups of tied |d|. */
  tieCorrection: number;
}

/** Average ranks of |d| (ties share their mean rank), summed by sign. */
function signedRanks(d: readonly number[]): SignedRanks {
  const order = d.map((_, i) => i).sort((i, j) => Math.abs(d[i]) - Math.abs(d[j]));
  const doubledRanks = new Array<number>(d.length);
  let rPlus = 0;
  let rMinus = 0;
  let tieCorrection = 0;
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    const magnitude = Math.abs(d[order[start]]);
    while (end < order.length && Math.abs(d[order[end]]) === magnitude) end++;
    const size = end - start;
    const doubled = 2 * start + 1 + size; // 2·(start + 1 + (size − 1)/2)
    for (let k = start; k < end; k++) {
      doubledRanks[order[k]] = doubled;
      if (d[order[k]] > 0) rPlus += doubled / 2;
      else rMinus += doubled / 2;
    }
    tieCorrection += size ** 3 - size;
    start = end;
  }
  return { rPlus, rMinus, doubledRanks, tieCorrection };
}

/**
 * Number of sign assignments giving each sum 0..Σw of the positive weights `w` (integers).
 * For ranks 1..n with n <= 50 the counts stay below 2^50, so doubles hold them exactly.
 */
function signFlipCounts(weights: readonly number[]): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = new Float64Array(total + 1);
  counts[0] = 1;
  let reach = 0;
  for (const w of weights) {
    reach += w;
    for (let s = reach; s >= w; s--) counts[s] += counts[s - w];
  }
  return counts;
}

/** 2·min(P(S <= observed), P(S >= observed)) under the sign-flip distribution, capped at 1. */
function twoSidedPValue(weights: readonly number[], observed: number): number {
  const counts = signFlipCounts(weights);
  let lower = 0;
  let upper = 0;
  for (let s = 0; s < counts.length; s++) {
    if (s <= observed) lower += counts[s];
    if (s >= observed) upper += counts[s];
  }
  return Math.min(1, 2 * Math.min(lower, upper) / 2 ** weights.length);
}

function differencesOf(x: readonly number[], y: readonly number[] | undefined): number[] {
  const fn = "wilcoxonSignedRank()";
  assertFiniteValues(x, { name: "x", fn });
  if (y === undefined) return x.slice();
  assertFiniteValues(y, { name: "y", fn });
  if (y.length !== x.length) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: x has ${x.length} values but y has ${y.length}; paired samples must be ` +
        `aligned item by item`,
      { path: "y" },
    );
  }
  return x.map((v, i) => v - y[i]);
}

/**
 * The two-sided Wilcoxon signed-rank test of the differences d = x − y (or of x alone), as
 * `scipy.stats.wilcoxon(x, y)` computes it in SciPy 1.17 with its defaults
 * (`zero_method="wilcox"`: zeros are dropped before ranking; `correction=False`;
 * `method="auto"`). With N differences, n of them non-zero:
 *
 * - `exact` when N <= 50 and there are neither zeros nor tied |d|: the exact null
 *   distribution of R⁺, p = 2·min(P(R⁺ <= r), P(R⁺ >= r)).
 * - `permutation` when N <= 13 and there are zeros or ties: SciPy's `PermutationMethod()`,
 *   which enumerates all 2^N sign flips of the average ranks, so p is exact for tied data.
 * - `asymptotic` otherwise: z = (R⁺ − n(n+1)/4)/σ, σ² = (n(n+1)(2n+1) − Σ(t³ − t)/2)/24,
 *   p = 2·Φ(−|z|).
 *
 * All-zero differences (n = 0 < N) give statistic 0 and p = 1 by the permutation argument
 * (every sign flip gives the same statistic), which SciPy returns for N <= 13; for N > 13
 * SciPy's normal approximation divides 0 by 0 and returns NaN, where themis keeps p = 1 so the
 * comparison stays in a Holm/BH family. Empty input gives nulls. Throws `QUERY_INVALID` for
 * non-finite values or arrays of different lengths.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wilcoxonSignedRank } from "./wilcoxon_signed_rank.ts";
 * const r = wilcoxonSignedRank([1.5, 2.5, -0.5, 3.5, 4.5]);
 * assert.equal(r.method, "exact");
 * assert.equal(r.pValue, 0.125);
 * assert.equal(wilcoxonSignedRank([1, 1, -1]).pValue, 1); // ties, n <= 13: permutation
 * assert.equal(wilcoxonSignedRank([0, 0]).pValue, 1);
 * ```
 */
export function wilcoxonSignedRank(x: readonly number[], y?: readonly number[]): WilcoxonResult {
  const differences = differencesOf(x, y);
  const d = differences.filter((v) => v !== 0);
  const n = d.length;
  const zeros = differences.length - n;
  if (differences.length === 0) {
    return { n, zeros, statistic: null, pValue: null, zStatistic: null, method: null };
  }
  if (n === 0) {
    return { n, zeros, statistic: 0, pValue: 1, zStatistic: null, method: "permutation" };
  }
  const { rPlus, rMinus, doubledRanks, tieCorrection } = signedRanks(d);
  const statistic = Math.min(rPlus, rMinus);
  const plain = zeros === 0 && tieCorrection === 0;
  if (plain && n <= WILCOXON_EXACT_MAX_N) {
    const ranks = doubledRanks.map((r) => r / 2);
    const pValue = twoSidedPValue(ranks, rPlus);
    return { n, zeros, statistic, pValue, zStatistic: null, method: "exact" };
  }
  if (!plain && differences.length <= WILCOXON_PERMUTATION_MAX_N) {
    const pValue = twoSidedPValue(doubledRanks, 2 * rPlus);
    return { n, zeros, statistic, pValue, zStatistic: null, method: "permutation" };
  }
  const meanRank = n * (n + 1) * 0.25;
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1) - tieCorrection / 2) / 24);
  const z = -Math.abs((rPlus - meanRank) / sd);
  return { n, zeros, statistic, pValue: 2 * normalCdf(z), zStatistic: z, method: "asymptotic" };
}
