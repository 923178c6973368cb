/**
 * The quantile function of the beta distribution: the inverse of I_x(a, b) in x, the engine
 * of the Clopper–Pearson interval.
 *
 * @module
 */

import { regularizedIncompleteBeta } from "./incomplete_beta.ts";
import { logBeta } from "./log_gamma.ts";

const MAX_ITERATIONS = 300;
const TOLERANCE = 4e-16;

/** A probability p and its complement q = 1 − p, each as precise as the caller knows it. */
interface Tails {
  p: number;
  q: number;
}

/** Options of {@link betaQuantile}. */
export interface BetaQuantileOptions {
  /** First shape parameter, > 0. */
  a: number;
  /** Second shape parameter, > 0. */
  b: number;
}

/**
 * The equation I_x(a, b) = p in the form that keeps its digits at x <= ½, increasing in x:
 * the lower tail ln I_x(a, b) − ln p when p <= ½, else the upper tail
 * ln q − ln I_(1−x)(b, a) with q = 1 − p; and its derivative in ln x.
 */
function equation(x: number, tails: Tails, a: number, b: number): [number, number] {
  const xDensity = Math.exp(a * Math.log(x) + (b - 1) * Math.log1p(-x) - logBeta(a, b));
  if (tails.p <= 0.5) {
    const cdf = regularizedIncompleteBeta(x, { a, b, oneMinusX: 1 - x });
    return [Math.log(cdf) - Math.log(tails.p), xDensity / cdf];
  }
  const sf = regularizedIncompleteBeta(1 - x, { a: b, b: a, oneMinusX: x });
  return [Math.log(tails.q) - Math.log(sf), xDensity / sf];
}

/**
 * Solves I_x(a, b) = p for a root known to lie in (0, ½] by Newton's method in ln x (nearly
 * linear near 0, where I ~ C·x^a), kept inside a shrinking bracket by geometric bisection.
 */
function quantileBelowHalf(tails: Tails, a: number, b: number): number {
  let lo = 0;
  let hi = 0.5;
  let x = Math.min(0.25, a / (a + b));
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    const [value, slope] = equation(x, tails, a, b);
    if (value === 0) return x;
    if (value > 0) hi = x;
    else lo = x;
    let next = x * Math.exp(-value / slope);
    if (!(next > lo && next < hi)) {
      next = lo === 0 ? hi / 16 : Math.sqrt(lo * hi);
      if (hi - lo <= TOLERANCE * hi) return next;
    }
    if (Math.abs(next - x) <= TOLERANCE * x) return next;
    x = next;
  }
  return x;
}

/**
 * The p-quantile of the Beta(a, b) distribution — the x in [0, 1] with I_x(a, b) = p — equal
 * to `scipy.stats.beta.ppf(p, a, b)` to ~1e-12 relative. The root is found on the side of ½
 * where it lies (x, or 1 − x for Beta(b, a)), with the smaller of the two tails, so tiny
 * quantiles keep their digits. Returns NaN for p outside [0, 1] or a, b <= 0; 0 and 1 at p = 0 and p = 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { betaQuantile } from "./beta_quantile.ts";
 * // Beta(1, 1) is uniform; Beta(2, 1) has CDF x², so its median is √½.
 * assert.ok(Math.abs(betaQuantile(0.3, { a: 1, b: 1 }) - 0.3) < 1e-15);
 * assert.ok(Math.abs(betaQuantile(0.5, { a: 2, b: 1 }) - Math.SQRT1_2) < 1e-15);
 * ```
 */
export function betaQuantile(p: number, { a, b }: BetaQuantileOptions): number {
  if (!(a > 0 && b > 0 && p >= 0 && p <= 1)) return NaN;
  if (p === 0) return 0;
  if (p === 1) return 1;
  // I_½(a, b) may underflow to 0 (a ≫ b); comparing upper tails keeps the decision right.
  const atHalf = regularizedIncompleteBeta(0.5, { a, b });
  const below = p <= 0.5 ? p <= atHalf : 1 - p >= regularizedIncompleteBeta(0.5, { a: b, b: a });
  if (below) return quantileBelowHalf({ p, q: 1 - p }, a, b);
  return 1 - quantileBelowHalf({ p: 1 - p, q: p }, b, a);
}
