/**
 * Student's t distribution: CDF, survival function and quantile, for ν > 0 degrees of freedom.
 *
 * @module
 */

import { regularizedIncompleteBeta } from "./incomplete_beta.ts";
import { logBeta } from "./log_gamma.ts";

const EPSILON = 2.220446049250313e-16;
const HUGE_T = 1e150;

/** P(T > t) for t >= 0: ½·I_{ν/(ν+t²)}(ν/2, ½), with 1 − x formed without cancellation. */
function upperTail(t: number, df: number): number {
  if (t === Infinity) return 0;
  if (t > HUGE_T) {
    // t² would overflow; the leading power term ½·x^(ν/2)/((ν/2)·B(ν/2, ½)), x ≈ ν/t², is
    // exact to double precision here (the next term is smaller by a factor ν/t²).
    const a = df / 2;
    return 0.5 * Math.exp(a * (Math.log(df) - 2 * Math.log(t)) - Math.log(a) - logBeta(a, 0.5));
  }
  const t2 = t * t;
  // x = ν/(ν + t²) and 1 − x = t²/(ν + t²), each computed directly.
  const x = df / (df + t2);
  const y = t2 / (df + t2);
  return 0.5 * regularizedIncompleteBeta(x, { a: df / 2, b: 0.5, oneMinusX: y });
}

/** P(0 < T < t) for t >= 0: ½·I_{t²/(ν+t²)}(½, ν/2), small near 0 without cancellation. */
function centralMass(t: number, df: number): number {
  const t2 = t * t;
  const y = t2 / (df + t2);
  return 0.5 * regularizedIncompleteBeta(y, { a: 0.5, b: df / 2, oneMinusX: df / (df + t2) });
}

function validDf(df: number): boolean {
  return df > 0;
}

/**
 * The Student t CDF P(T <= t) with `df` degrees of freedom, matching `scipy.stats.t.cdf`
 * (`scipy.special.stdtr`) to ~1e-14 relative; the lower tail keeps its relative precision.
 * Returns NaN when df <= 0 or t is NaN.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { studentTCdf } from "./student_t.ts";
 * assert.equal(studentTCdf(0, 5), 0.5);
 * assert.ok(Math.abs(studentTCdf(1, 1) - 0.75) < 1e-15);
 * ```
 */
export function studentTCdf(t: number, df: number): number {
  if (!validDf(df) || Number.isNaN(t)) return NaN;
  if (t === 0) return 0.5;
  return t < 0 ? upperTail(-t, df) : 1 - upperTail(t, df);
}

/**
 * The Student t survival function P(T > t) = 1 − CDF, matching `scipy.stats.t.sf`; the upper
 * tail keeps its relative precision.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { studentTSf } from "./student_t.ts";
 * assert.ok(Math.abs(studentTSf(1, 1) - 0.25) < 1e-15);
 * ```
 */
export function studentTSf(t: number, df: number): number {
  if (!validDf(df) || Number.isNaN(t)) return NaN;
  if (t === 0) return 0.5;
  return t > 0 ? upperTail(t, df) : 1 - upperTail(-t, df);
}

/** ln of the t density at t >= 0. */
function logPdf(t: number, df: number): number {
  const ratio = t * t / df;
  const log1pRatio = ratio === Infinity ? 2 * Math.log(t) - Math.log(df) : Math.log1p(ratio);
  return -(df + 1) / 2 * log1pRatio - 0.5 * Math.log(df) - logBeta(df / 2, 0.5);
}

/** A t > 0 with upperTail(t) <= q: the larger of a normal-based and a power-tail guess. */
function initialGuess(q: number, df: number): number {
  // Power tail: P(T > t) ≈ ν^(ν/2 − 1) t^(−ν) / B(ν/2, ½) for large t.
  const logTail = (Math.log(df) * (df / 2 - 1) - logBeta(df / 2, 0.5) - Math.log(q)) / df;
  const z = Math.sqrt(-2 * Math.log(2 * q)); // Chernoff bound: >= the normal quantile
  return Math.max(z * (1 + (z * z + 1) / (4 * df)), Math.exp(logTail), 1e-300);
}

/** The t > 0 with P(0 < T < t) = m, for 0 < m <= ¼: safeguarded Newton on the central mass. */
function centralQuantile(m: number, df: number): number {
  const density0 = Math.exp(logPdf(0, df));
  let lo = 0;
  let hi = 2 * m / density0; // the density falls away from 0, so this overshoots
  while (centralMass(hi, df) < m) {
    lo = hi;
    hi *= 2;
  }
  let t = m / density0;
  for (let i = 0; i < 300; i++) {
    const mass = centralMass(t, df);
    if (mass === m) return t;
    if (mass < m) lo = t;
    else hi = t;
    let next = t - (mass - m) / Math.exp(logPdf(t, df));
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - t) <= 2 * EPSILON * next) return next;
    t = next;
  }
  return t;
}

/** The t > 0 with P(T > t) = q, for 0 < q < ½: safeguarded Newton in ln t on ln P(T > t). */
function upperQuantile(q: number, df: number): number {
  const logQ = Math.log(q);
  if (upperTail(Number.MAX_VALUE, df) > q) return Infinity; // beyond the double range
  let lo = 0;
  let hi = Math.min(initialGuess(q, df), Number.MAX_VALUE / 4);
  while (upperTail(hi, df) > q) {
    lo = hi;
    hi = Math.min(hi * 4, Number.MAX_VALUE);
  }
  let t = hi;
  for (let i = 0; i < 300; i++) {
    const tail = upperTail(t, df);
    if (tail === q) return t;
    if (tail > q) lo = t;
    else hi = t;
    // d ln S / d ln t = −t·f(t)/S(t), so the Newton step in ln t is (ln S − ln q)·S/(t·f).
    const logStep = (Math.log(tail) - logQ) * Math.exp(Math.log(tail) - logPdf(t, df)) / t;
    let next = t * Math.exp(logStep);
    if (!(next > lo && next < hi)) {
      next = lo > 0 && hi / lo > 4 ? Math.sqrt(lo * hi) : (lo + hi) / 2;
    }
    if (Math.abs(next - t) <= 2 * EPSILON * next) return next;
    t = next;
  }
  return t;
}

/**
 * The Student t quantile (inverse CDF) with `df` degrees of freedom, matching
 * `scipy.stats.t.ppf` (`scipy.special.stdtrit`) to ~1e-14 relative for 1e-300 <= p < 1.
 * Returns −Infinity at 0, Infinity at 1 and NaN for p outside [0, 1] or df <= 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { studentTQuantile } from "./student_t.ts";
 * assert.ok(Math.abs(studentTQuantile(0.975, 9) - 2.262157162798205) < 1e-14);
 * ```
 */
export function studentTQuantile(p: number, df: number): number {
  if (!validDf(df) || !(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // 1 − p and p − ½ are exact for p >= ¼ (Sterbenz), so no input digits are lost; near ½
  // the central mass is solved instead of the tail, whose difference from ½ would cancel.
  if (p > 0.25 && p < 0.75) {
    return p < 0.5 ? -centralQuantile(0.5 - p, df) : centralQuantile(p - 0.5, df);
  }
  return p < 0.5 ? -upperQuantile(p, df) : upperQuantile(1 - p, df);
}
