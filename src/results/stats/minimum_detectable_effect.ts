/**
 * Power analysis for comparisons of means: the minimum detectable effect for an observed
 * standard error, and the number of items needed to detect a given effect ("Adding Error Bars
 * to Evals", Miller 2024, §4). Two-sided z test, the large-sample test every mean comparison
 * in themis is judged by.
 *
 * @module
 */

import { ThemisError } from "../../core/errors.ts";
import { normalCdf, normalQuantile } from "./normal.ts";

/** Options shared by the power functions. */
export interface PowerOptions {
  /** Significance level of the two-sided test, strictly between 0 and 1 (default 0.05). */
  alpha?: number;
  /** Wanted power, strictly between alpha and 1 (default 0.8). */
  power?: number;
}

const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)

function checkPower(alpha: number, power: number, fn: string): void {
  if (!(typeof alpha === "number" && alpha > 0 && alpha < 1)) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: alpha is ${String(alpha)}; it must be strictly between 0 and 1 (e.g. 0.05)`,
      { path: "alpha" },
    );
  }
  if (!(typeof power === "number" && power > alpha && power < 1)) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: power is ${String(power)}; it must be above alpha (${alpha}) and below 1 ` +
        `(e.g. 0.8)`,
      { path: "power" },
    );
  }
}

/**
 * λ, the effect in standard errors that a two-sided level-α z test detects with the given
 * power: the root of Φ(λ − z) + Φ(−λ − z) = power with z = Φ⁻¹(1 − α/2) — statsmodels'
 * `normal_power` with both rejection tails, which `NormalIndPower` solves. Newton's method
 * from the one-tail closed form z + Φ⁻¹(power) (2.8016 for α = 0.05, power = 0.8).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectableNoncentrality } from "./minimum_detectable_effect.ts";
 * assert.ok(Math.abs(detectableNoncentrality() - 2.801581787013579) < 1e-12);
 * ```
 */
export function detectableNoncentrality({ alpha = 0.05, power = 0.8 }: PowerOptions = {}): number {
  checkPower(alpha, power, "detectableNoncentrality()");
  const z = -normalQuantile(alpha / 2);
  let lambda = z + normalQuantile(power);
  for (let i = 0; i < 100; i++) {
    const achieved = normalCdf(lambda - z) + normalCdf(-lambda - z);
    const slope = INV_SQRT_2PI *
      (Math.exp(-0.5 * (lambda - z) ** 2) - Math.exp(-0.5 * (lambda + z) ** 2));
    const step = (achieved - power) / slope;
    lambda -= step;
    if (Math.abs(step) <= 1e-15 * lambda) break;
  }
  return lambda;
}

/**
 * The minimum detectable effect: the smallest true difference that a two-sided level-α test
 * detects with the given power when the estimate's standard error is `se` — λ·se with λ from
 * {@link detectableNoncentrality}. Pass the standard error of the compared quantity: for a
 * paired comparison the SE of the mean difference (sd of the differences/√n, or the
 * clustered SE); for two independent means √(se₁² + se₂²). Equals
 * `NormalIndPower().solve_power(effect_size=None, nobs1=n, alpha=α, power=power, ratio=0)·sd`
 * up to statsmodels' root-finder tolerance. Throws `QUERY_INVALID` for a negative or
 * non-finite se.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { minimumDetectableEffect } from "./minimum_detectable_effect.ts";
 * // 400 paired items whose differences have sd 0.5: SE 0.025, MDE ≈ 7 points.
 * const mde = minimumDetectableEffect(0.5 / Math.sqrt(400));
 * assert.ok(Math.abs(mde - 0.0700395446753395) < 1e-12);
 * ```
 */
export function minimumDetectableEffect(se: number, options: PowerOptions = {}): number {
  if (!(typeof se === "number" && Number.isFinite(se) && se >= 0)) {
    throw new ThemisError(
      "QUERY_INVALID",
      `minimumDetectableEffect(): se is ${String(se)}; it must be a finite number >= 0`,
      { path: "se" },
    );
  }
  return detectableNoncentrality(options) * se;
}

/** The spread to plan with: a per-item sd, or an observed SE with the n it came from. */
export type SpreadOptions = { sd: number } | { se: number; n: number };

/** How many items a comparison needs. */
export interface ItemsNeeded {
  /** The real-valued solution n = (λ·sd/δ)². */
  exact: number;
  /** The whole number of items to plan: ⌈exact⌉. */
  items: number;
}

function perItemSd(spread: SpreadOptions, fn: string): number {
  const sd = "sd" in spread ? spread.sd : spread.se * Math.sqrt(spread.n);
  const ok = "sd" in spread
    ? Number.isFinite(spread.sd) && spread.sd > 0
    : Number.isFinite(spread.se) && spread.se > 0 && Number.isFinite(spread.n) && spread.n > 0;
  if (!ok) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: give a positive sd, or a positive se with the n it was measured on`,
      { path: "sd" in spread ? "sd" : "se" },
    );
  }
  return sd;
}

/**
 * The number of items needed to detect a true difference `delta` with the given power, for a
 * per-item standard deviation `sd` — n = (λ·sd/δ)² with λ from {@link detectableNoncentrality}
 * — or from an observed `se` on `n` items (sd = se·√n, so clustered SEs carry their design
 * effect over). For a paired comparison `sd` is that of the per-item differences
 * (statsmodels: `NormalIndPower().solve_power(effect_size=delta/sd, nobs1=None, alpha=α,
 * power=power, ratio=0)`); for two independent arms of n items each, sd = √(sd₁² + sd₂²).
 * Throws `QUERY_INVALID` for a zero or non-finite delta or spread.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { itemsToDetect } from "./minimum_detectable_effect.ts";
 * // Differences with sd 0.5; to detect 3 points at 80% power needs 2181 paired items.
 * assert.equal(itemsToDetect(0.03, { sd: 0.5 }).items, 2181);
 * ```
 */
export function itemsToDetect(
  delta: number,
  options: SpreadOptions & PowerOptions,
): ItemsNeeded {
  const fn = "itemsToDetect()";
  if (!(typeof delta === "number" && Number.isFinite(delta) && delta !== 0)) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: delta is ${String(delta)}; it must be a non-zero difference to detect (e.g. 0.02)`,
      { path: "delta" },
    );
  }
  const sd = perItemSd(options, fn);
  const lambda = detectableNoncentrality(options);
  const exact = (lambda * sd / delta) ** 2;
  return { exact, items: Math.ceil(exact) };
}
