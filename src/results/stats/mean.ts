/**
 * The arithmetic mean with compensated (Neumaier) summation, so long score columns do not
 * drift with the order of the items.
 *
 * @module
 */

/**
 * The sum of `values` by Neumaier's compensated summation (error independent of length).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compensatedSum } from "./mean.ts";
 * assert.equal(compensatedSum([1e16, 1, -1e16]), 1);
 * ```
 */
export function compensatedSum(values: ArrayLike<number>): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const t = sum + v;
    compensation += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
    sum = t;
  }
  return sum + compensation;
}

/**
 * The arithmetic mean of `values` (NaN for an empty array; callers decide what empty means).
 * When every value is identical the mean is that value exactly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mean } from "./mean.ts";
 * assert.equal(mean([1, 2, 3, 4]), 2.5);
 * assert.equal(mean([0.1, 0.1, 0.1]), 0.1);
 * ```
 */
export function mean(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  const first = values[0];
  let allEqual = true;
  for (let i = 1; i < n && allEqual; i++) allEqual = values[i] === first;
  if (allEqual) return first;
  return compensatedSum(values) / n;
}
