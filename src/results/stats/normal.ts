/**
 * The standard normal distribution: erfc, CDF and quantile, accurate to a few ulps in both
 * tails (relative, not just absolute, so p-values near 0 keep their digits).
 *
 * @module
 */

const INV_SQRT_PI = 0.56418958354775628695; // 1/√π
const SQRT_2PI = 2.50662827463100050242; // √(2π)
const SERIES_MAX = 1; // erfc switches from the erf series to the continued fraction here
const EPSILON = 2.220446049250313e-16;

/** exp(−x²) without the rounding error of forming x² (x is split into a 16-bit head). */
function expMinusSquare(x: number): number {
  const head = Math.round(x * 65536) / 65536;
  const tail = x - head;
  return Math.exp(-head * head) * Math.exp(-tail * (x + head));
}

/** erf(x) for 0 <= x < ~1 from the series with positive terms: 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(2n+1)!!. */
function erfSeries(x: number): number {
  const x2 = 2 * x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (term < sum * EPSILON * 0.25) break;
  }
  return 2 * INV_SQRT_PI * expMinusSquare(x) * sum;
}

/** erfc(x) for x >= 1 from Laplace's continued fraction, evaluated with modified Lentz. */
function erfcContinuedFraction(x: number): number {
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const a = n / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < EPSILON * 0.5) break;
  }
  return INV_SQRT_PI * expMinusSquare(x) / f;
}

/**
 * The complementary error function erfc(x) = 1 − erf(x), matching `scipy.special.erfc` to
 * ~1e-15 relative for every x (erfc(27) ≈ 5e-319 is the last nonzero value).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { erfc } from "./normal.ts";
 * assert.equal(erfc(0), 1);
 * assert.ok(Math.abs(erfc(1) - 0.15729920705028513) < 1e-15);
 * ```
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < SERIES_MAX) return 1 - erfSeries(x);
  if (x > 27.3) return 0;
  return erfcContinuedFraction(x);
}

/**
 * The standard normal CDF Φ(x), matching `scipy.special.ndtr` (and `scipy.stats.norm.cdf`).
 * The lower tail is computed directly, so Φ(−38) ≈ 2.9e-316 is still meaningful.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalCdf } from "./normal.ts";
 * assert.equal(normalCdf(0), 0.5);
 * assert.ok(Math.abs(normalCdf(1.959963984540054) - 0.975) < 1e-15);
 * ```
 */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

/** The standard normal density φ(x). */
function normalPdf(x: number): number {
  return expMinusSquare(x * Math.SQRT1_2) / SQRT_2PI;
}

// Acklam's rational approximation (relative error < 1.2e-9), then refined by Newton steps.
const A = [
  -3.969683028665376e+01,
  2.209460984245205e+02,
  -2.759285104469687e+02,
  1.383577518672690e+02,
  -3.066479806614716e+01,
  2.506628277459239e+00,
];
const B = [
  -5.447609879822406e+01,
  1.615858368580409e+02,
  -1.556989798598866e+02,
  6.680131188771972e+01,
  -1.328068155211077e+01,
];
const C = [
  -7.784894002430293e-03,
  -3.223964580411365e-01,
  -2.400758277161838e+00,
  -2.549732539343734e+00,
  4.374664141464968e+00,
  2.938163982698783e+00,
];
const D = [
  7.784695709041462e-03,
  3.224671290700398e-01,
  2.445134137142996e+00,
  3.754408661907416e+00,
];

function acklam(p: number): number {
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
}

/** The x <= 0 with Φ(x) = p, for 0 < p < 0.5, by Newton steps on ln Φ(x) = ln p. */
function lowerTailQuantile(p: number): number {
  let x = acklam(p);
  const logP = Math.log(p);
  for (let i = 0; i < 8; i++) {
    const cdf = normalCdf(x);
    // Newton on ln Φ: the step is (ln Φ − ln p)·Φ/φ, stable even when Φ is tiny.
    const step = (Math.log(cdf) - logP) * cdf / normalPdf(x);
    x -= step;
    if (!(Math.abs(step) > 2 * EPSILON * Math.abs(x))) break;
  }
  return x;
}

/** The x with Φ(x) − ½ = q for |q| < ~0.42, by Newton steps on ½·erf(x/√2) = q (no cancellation). */
function centralQuantile(q: number): number {
  let x = acklam(q + 0.5);
  for (let i = 0; i < 8; i++) {
    const z = Math.abs(x) * Math.SQRT1_2;
    const half = 0.5 * Math.sign(x) * (z < SERIES_MAX ? erfSeries(z) : 1 - erfc(z));
    const step = (half - q) / normalPdf(x);
    x -= step;
    if (!(Math.abs(step) > 2 * EPSILON * Math.abs(x))) break;
  }
  return x;
}

/**
 * The standard normal quantile Φ⁻¹(p), matching `scipy.special.ndtri` (`scipy.stats.norm.ppf`)
 * to ~1e-15 relative for 1e-300 <= p < 1. Returns −Infinity at 0, Infinity at 1, NaN outside.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalQuantile } from "./normal.ts";
 * assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-14);
 * ```
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // p − ½ and 1 − p are exact for p >= 0.25 (Sterbenz), so no input digits are lost.
  if (p > 0.08 && p < 0.92) return centralQuantile(p - 0.5);
  return p < 0.5 ? lowerTailQuantile(p) : -lowerTailQuantile(1 - p);
}
