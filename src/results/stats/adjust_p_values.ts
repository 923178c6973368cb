/**
 * Multiple-comparison adjustments of p-values: Holm (family-wise error) and
 * Benjamini–Hochberg (false discovery rate). Both return adjusted p-values in input order.
 *
 * @module
 */

import { ThemisError } from "../../core/errors.ts";

function assertPValues(pValues: readonly number[], fn: string): void {
  if (!Array.isArray(pValues)) {
    throw new ThemisError("QUERY_INVALID", `${fn}: pValues must be an array of numbers`, {
      path: "pValues",
    });
  }
  pValues.forEach((p, i) => {
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new ThemisError(
        "QUERY_INVALID",
        `${fn}: pValues[${i}] is ${String(p)}; every p-value must be between 0 and 1`,
        { path: `pValues[${i}]` },
      );
    }
  });
}

/** Indices of `pValues` sorted by ascending p-value (stable, so ties keep input order). */
function ascendingOrder(pValues: readonly number[]): number[] {
  return pValues.map((_, i) => i).sort((i, j) => pValues[i] - pValues[j] || i - j);
}

/**
 * Holm's step-down adjustment: with p₍₁₎ <= … <= p₍ₘ₎, the adjusted value of p₍ᵢ₎ is
 * min(1, max over j <= i of (m − j + 1)·p₍ⱼ₎). Equals R's `p.adjust(p, "holm")` and
 * statsmodels' `multipletests(p, method="holm")`. Throws a `QUERY_INVALID` ThemisError for a
 * value outside [0, 1].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { holm } from "./adjust_p_values.ts";
 * assert.equal(holm([0.01, 0.04, 0.03]).join(), "0.03,0.06,0.06");
 * ```
 */
export function holm(pValues: readonly number[]): number[] {
  assertPValues(pValues, "holm()");
  const m = pValues.length;
  const adjusted = new Array<number>(m);
  let running = 0;
  ascendingOrder(pValues).forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]));
    adjusted[index] = running;
  });
  return adjusted;
}

/**
 * The Benjamini–Hochberg adjustment, identical to
 * `scipy.stats.false_discovery_control(p, method="bh")`: with p₍₁₎ <= … <= p₍ₘ₎, the
 * adjusted value of p₍ᵢ₎ is min(1, min over j >= i of p₍ⱼ₎·(m/j)). Throws a `QUERY_INVALID`
 * ThemisError for a value outside [0, 1].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { benjaminiHochberg } from "./adjust_p_values.ts";
 * assert.equal(benjaminiHochberg([0.01, 0.04, 0.03]).join(), "0.03,0.04,0.04");
 * ```
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  assertPValues(pValues, "benjaminiHochberg()");
  const m = pValues.length;
  const order = ascendingOrder(pValues);
  const adjusted = new Array<number>(m);
  let running = Infinity;
  for (let rank = m - 1; rank >= 0; rank--) {
    const index = order[rank];
    running = Math.min(running, pValues[index] * (m / (rank + 1)));
    adjusted[index] = Math.min(1, running);
  }
  return adjusted;
}
