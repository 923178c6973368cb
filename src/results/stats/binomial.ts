/**
 * The binomial distribution: pmf and CDF with full relative precision in both tails, for any
 * number of trials (Loader's saddle-point pmf, then a short sum of neighbouring terms).
 *
 * @module
 */

import { binomialDeviance } from "./_binomial_deviance.ts";
import { stirlingRemainder } from "./log_gamma.ts";

const LOG_2PI = 1.83787706640934548356; // ln(2π)
const MAX_TRIALS = 2 ** 31;

/** Options of {@link binomialPmf} and {@link binomialCdf}. */
export interface BinomialOptions {
  /** Number of trials, an integer >= 0. */
  n: number;
  /** Success probability, 0 <= p <= 1. */
  p: number;
}

function validParameters(n: number, p: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_TRIALS && p >= 0 && p <= 1;
}

/** P(X = k) for an integer 0 <= k <= n (R's `dbinom_raw`). */
function pmf(k: number, n: number, p: number): number {
  const q = 1 - p;
  if (p === 0) return k === 0 ? 1 : 0;
  if (q === 0) return k === n ? 1 : 0;
  if (k === 0) return p < 0.1 ? Math.exp(-binomialDeviance(n, n * q) - n * p) : q ** n;
  if (k === n) return q < 0.1 ? Math.exp(-binomialDeviance(n, n * p) - n * q) : p ** n;
  const logCore = stirlingRemainder(n) - stirlingRemainder(k) - stirlingRemainder(n - k) -
    binomialDeviance(k, n * p) - binomialDeviance(n - k, n * q);
  const logScale = LOG_2PI + Math.log(k) + Math.log(n - k) - Math.log(n); // ln(2π·k·(n − k)/n)
  return Math.exp(logCore - 0.5 * logScale);
}

/** Largest n for which p = ½ is computed exactly with integers (2^-1000 is still normal). */
const EXACT_HALF_MAX_N = 1000;

/** Σ_{i<=k} C(n, i) / 2^n in exact integers, rounded once: the McNemar case, kept exact. */
function exactHalfCdf(k: number, n: number): number {
  let term = 1n;
  let sum = 1n;
  const bigN = BigInt(n);
  for (let i = 0n; i < BigInt(k); i++) {
    term = term * (bigN - i) / (i + 1n);
    sum += term;
  }
  return Number(sum) * 2 ** -n;
}

/** Σ pmf(i) for i from `start` stepping by `step` (±1) while terms matter, via term ratios. */
function sumTerms(start: number, step: 1 | -1, n: number, p: number): number {
  const q = 1 - p;
  let term = pmf(start, n, p);
  let sum = term;
  for (let i = start; term > 0; i += step) {
    const next = i + step;
    if (next < 0 || next > n) break;
    // pmf(i − 1)/pmf(i) = i·q/((n − i + 1)·p); pmf(i + 1)/pmf(i) = (n − i)·p/((i + 1)·q).
    term *= step < 0 ? (i * q) / ((n - i + 1) * p) : ((n - i) * p) / ((i + 1) * q);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * The binomial probability mass P(X = k) for X ~ Binomial(n, p), matching
 * `scipy.stats.binom.pmf(k, n, p)` to ~1e-14 relative. Non-integer or out-of-range k gives 0;
 * invalid n or p gives NaN.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { binomialPmf } from "./binomial.ts";
 * assert.ok(Math.abs(binomialPmf(2, { n: 4, p: 0.5 }) - 0.375) < 1e-15);
 * ```
 */
export function binomialPmf(k: number, { n, p }: BinomialOptions): number {
  if (!validParameters(n, p) || Number.isNaN(k)) return NaN;
  if (!Number.isInteger(k) || k < 0 || k > n) return 0;
  return pmf(k, n, p);
}

/**
 * The binomial CDF P(X <= k) for X ~ Binomial(n, p), matching `scipy.stats.binom.cdf(k, n, p)`
 * to ~1e-14 relative (k is floored, as in SciPy). Below the mode the lower tail is summed
 * directly, so tiny p-values keep their digits; at or above it the result is 1 − upper tail.
 * For p = ½ and n <= 1000 (exact McNemar tests) the sum is done in integers and rounded once.
 * Invalid n or p gives NaN.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { binomialCdf } from "./binomial.ts";
 * assert.ok(Math.abs(binomialCdf(1, { n: 4, p: 0.5 }) - 0.3125) < 1e-15);
 * ```
 */
export function binomialCdf(k: number, { n, p }: BinomialOptions): number {
  if (!validParameters(n, p) || Number.isNaN(k)) return NaN;
  const j = Math.floor(k);
  if (j < 0) return 0;
  if (j >= n) return 1;
  if (p === 0) return 1;
  if (p === 1) return 0;
  if (p === 0.5 && n <= EXACT_HALF_MAX_N) return exactHalfCdf(j, n);
  const mode = Math.floor((n + 1) * p);
  if (j < mode) return Math.min(1, sumTerms(j, -1, n, p));
  return Math.max(0, 1 - sumTerms(j + 1, 1, n, p));
}
