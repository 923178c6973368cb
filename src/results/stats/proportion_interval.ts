/**
 * Confidence intervals for a proportion (a 0/1 metric): Wilson score and Clopper–Pearson.
 * Both stay inside [0, 1] by construction.
 *
 * @module
 */

import { ThemisError } from "../../core/errors.ts";
import { assertConfidence, assertInteger } from "./_validate.ts";
import { betaQuantile } from "./beta_quantile.ts";
import { normalQuantile } from "./normal.ts";

/** The interval methods for proportions. */
export type ProportionMethod = "wilson" | "clopper_pearson";

/** Options of {@link proportionInterval}. */
export interface ProportionIntervalOptions {
  /** `wilson` (default) or `clopper_pearson` (exact, conservative). */
  method?: ProportionMethod;
  /** Two-sided confidence level, strictly between 0 and 1 (default 0.95). */
  confidence?: number;
}

/** A confidence interval for a proportion. */
export interface ProportionInterval {
  /** successes / trials. */
  estimate: number;
  low: number;
  high: number;
  method: ProportionMethod;
  confidence: number;
}

function checkCounts(successes: number, trials: number, fn: string): void {
  assertInteger(trials, { name: "trials", fn, min: 1 });
  assertInteger(successes, { name: "successes", fn, min: 0 });
  if (successes > trials) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: successes is ${successes} but trials is only ${trials}; count each 0/1 value ` +
        `once`,
      { path: "successes" },
    );
  }
}

/**
 * Lower Wilson bound in the cancellation-free form 2c² / (n·(A + B)) with A = 2c + z² and
 * B = z·√(z² + 4c(n − c)/n) — (centre − half-width) of the textbook formula multiplied out,
 * exactly 0 at c = 0.
 */
function wilsonLow(c: number, n: number, z: number): number {
  if (c === 0) return 0;
  const z2 = z * z;
  return (2 * c * c) / (n * (2 * c + z2 + z * Math.sqrt(z2 + (4 * c * (n - c)) / n)));
}

/** Upper Wilson bound (A + B)/(2(n + z²)), with nothing to cancel. */
function wilsonHigh(c: number, n: number, z: number): number {
  const z2 = z * z;
  return (2 * c + z2 + z * Math.sqrt(z2 + (4 * c * (n - c)) / n)) / (2 * (n + z2));
}

/**
 * The Wilson score interval for `successes` out of `trials`, equal (to ~1e-15) to statsmodels'
 * `proportion_confint(successes, trials, alpha=1 − confidence, method="wilson")`: the set of p
 * whose score test does not reject, with z = Φ⁻¹(1 − α/2). The bounds are computed without
 * cancellation (low = 0 exactly when successes = 0, high = 1 exactly when all succeed), each
 * on the side of ½ where it is small, and the interval mirrors exactly when successes and
 * failures swap. Throws `QUERY_INVALID` for trials < 1, successes outside 0..trials, or a
 * confidence outside (0, 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wilsonInterval } from "./proportion_interval.ts";
 * const r = wilsonInterval(3, 4);
 * assert.ok(r.low > 0.3 && r.high < 1 && r.estimate === 0.75);
 * assert.equal(wilsonInterval(0, 10).low, 0);
 * ```
 */
export function wilsonInterval(
  successes: number,
  trials: number,
  { confidence = 0.95 }: { confidence?: number } = {},
): ProportionInterval {
  const fn = "wilsonInterval()";
  checkCounts(successes, trials, fn);
  assertConfidence(confidence, { fn });
  const z = -normalQuantile((1 - confidence) / 2);
  return {
    estimate: successes / trials,
    // Each bound is computed on the side where it is small, so it keeps its digits; the
    // other side is 1 − the mirrored bound (exactly 1 when every trial succeeded).
    low: 2 * successes <= trials
      ? wilsonLow(successes, trials, z)
      : 1 - wilsonHigh(trials - successes, trials, z),
    high: 2 * successes >= trials
      ? 1 - wilsonLow(trials - successes, trials, z)
      : wilsonHigh(successes, trials, z),
    method: "wilson",
    confidence,
  };
}

/**
 * The Clopper–Pearson ("exact") interval for `successes` out of `trials`, equal to statsmodels'
 * `proportion_confint(successes, trials, alpha=1 − confidence, method="beta")`: low = the
 * α/2-quantile of Beta(c, n − c + 1) (0 when c = 0), high = the (1 − α/2)-quantile of
 * Beta(c + 1, n − c) (1 when c = n). Its coverage is at least the nominal level, so it is
 * wider than Wilson. Throws like {@link wilsonInterval}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clopperPearsonInterval } from "./proportion_interval.ts";
 * // With no success in 10 trials the upper bound solves (1 − p)^10 = 0.025.
 * const r = clopperPearsonInterval(0, 10);
 * assert.equal(r.low, 0);
 * assert.ok(Math.abs(r.high - (1 - 0.025 ** 0.1)) < 1e-14);
 * ```
 */
export function clopperPearsonInterval(
  successes: number,
  trials: number,
  { confidence = 0.95 }: { confidence?: number } = {},
): ProportionInterval {
  const fn = "clopperPearsonInterval()";
  checkCounts(successes, trials, fn);
  assertConfidence(confidence, { fn });
  const tail = (1 - confidence) / 2;
  const c = successes;
  const n = trials;
  return {
    estimate: c / n,
    low: c === 0 ? 0 : betaQuantile(tail, { a: c, b: n - c + 1 }),
    // The upper bound is 1 − the lower bound of the failures (Beta symmetry), solved in the
    // lower tail so that it keeps its digits.
    high: c === n ? 1 : 1 - betaQuantile(tail, { a: n - c, b: c + 1 }),
    method: "clopper_pearson",
    confidence,
  };
}

/**
 * A confidence interval for a proportion by `method`: {@link wilsonInterval} (default) or
 * {@link clopperPearsonInterval}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { proportionInterval } from "./proportion_interval.ts";
 * const exact = proportionInterval(6, 10, { method: "clopper_pearson" });
 * const wilson = proportionInterval(6, 10);
 * assert.ok(exact.low < wilson.low && exact.high > wilson.high);
 * ```
 */
export function proportionInterval(
  successes: number,
  trials: number,
  { method = "wilson", confidence = 0.95 }: ProportionIntervalOptions = {},
): ProportionInterval {
  if (method === "clopper_pearson") {
    return clopperPearsonInterval(successes, trials, { confidence });
  }
  if (method === "wilson") return wilsonInterval(successes, trials, { confidence });
  throw new ThemisError(
    "QUERY_INVALID",
    `proportionInterval(): unknown method "${String(method)}"; use "wilson" or ` +
      `"clopper_pearson"`,
    { path: "method" },
  );
}
