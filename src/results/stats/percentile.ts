/**
 * Sample percentiles by linear interpolation between order statistics, bit-compatible with
 * `numpy.percentile(values, q)` (default method "linear", Hyndman & Fan type 7).
 *
 * @module
 */

import { ThemisError } from "../../core/errors.ts";
import { assertFiniteValues } from "./_validate.ts";

function assertPercent(q: number, fn: string): void {
  if (typeof q !== "number" || !(q >= 0 && q <= 100)) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: q is ${String(q)}; a percentile must be between 0 and 100`,
      { path: "q" },
    );
  }
}

/**
 * The q-th percentile (0 <= q <= 100) of values already sorted ascending. Mirrors NumPy
 * step by step: index h = (n − 1)·(q/100), lower neighbour ⌊h⌋, weight γ = h − ⌊h⌋, then
 * `a + (b − a)·γ`, or `b − (b − a)·(1 − γ)` when γ >= ½. The sort order is not checked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { percentileSorted } from "./percentile.ts";
 * assert.equal(percentileSorted([1, 2, 3, 4], 50), 2.5);
 * ```
 */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  assertPercent(q, "percentileSorted()");
  const n = sorted.length;
  if (n === 0) {
    throw new ThemisError("QUERY_INVALID", "percentileSorted(): values must not be empty", {
      path: "values",
    });
  }
  const h = (n - 1) * (q / 100);
  if (h >= n - 1) return sorted[n - 1];
  const lower = Math.floor(h);
  const gamma = h - lower;
  const a = sorted[lower];
  const b = sorted[lower + 1];
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/**
 * The q-th percentile (0 <= q <= 100) of `values`, equal to `numpy.percentile(values, q)`.
 * Throws a `QUERY_INVALID` ThemisError for an empty array, a non-finite value or q outside
 * [0, 100].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { percentile } from "./percentile.ts";
 * assert.equal(percentile([3, 1, 2], 50), 2);
 * assert.equal(percentile([1, 2, 3, 4], 25), 1.75);
 * ```
 */
export function percentile(values: readonly number[], q: number): number {
  assertFiniteValues(values, { name: "values", fn: "percentile()" });
  return percentileSorted(Float64Array.from(values).sort(), q);
}
