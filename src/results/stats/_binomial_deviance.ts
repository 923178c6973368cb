/**
 * Loader's saddle-point pieces ("Fast and accurate computation of binomial probabilities",
 * 2000; R's `bd0`/`dbinom_raw`): they let x^a·y^b/B(a, b) and binomial probabilities be formed
 * without subtracting huge log-gammas.
 *
 * @module
 */

import { stirlingRemainder } from "./log_gamma.ts";

const LOG_2PI = 1.83787706640934548356; // ln(2π)

/**
 * The deviance term x·ln(x/m) + m − x >= 0, by a series in (x − m)/(x + m) when x ≈ m so that
 * the result keeps full relative precision.
 */
export function binomialDeviance(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    const v2 = v * v;
    let sum = (x - m) * v;
    let term = 2 * x * v;
    v = v2;
    for (let j = 1; j < 1000; j++) {
      term *= v2;
      const next = sum + term / (2 * j + 1);
      if (next === sum) return next;
      sum = next;
    }
    return sum;
  }
  return x * Math.log(x / m) + m - x;
}

/**
 * x^a·y^b / B(a, b) for a, b >= 1 (with y = 1 − x), accurate to a few ulps for any size of
 * a and b: sqrt(ab/(2π(a + b)))·exp(−bd0(a, (a + b)x) − bd0(b, (a + b)y) + Stirling terms).
 */
export function betaFront(x: number, y: number, a: number, b: number): number {
  const n = a + b;
  const logFront = stirlingRemainder(n) - stirlingRemainder(a) - stirlingRemainder(b) -
    binomialDeviance(a, n * x) - binomialDeviance(b, n * y);
  return Math.exp(logFront + 0.5 * (Math.log(a * b / n) - LOG_2PI));
}
