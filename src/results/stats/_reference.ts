/**
 * Test helpers: the SciPy reference numbers of `scripts/stats_reference.py`, the statsmodels
 * ones of `scripts/intervals_reference.py`, and the comparison every reference test uses.
 *
 * @module
 */

import assert from "node:assert/strict";
import reference from "../../../test/fixtures/stats_reference.json" with { type: "json" };
import intervalReference from "../../../test/fixtures/intervals_reference.json" with {
  type: "json",
};

export { intervalReference, reference };

/**
 * The contract with SciPy: |actual − expected| <= 1e-9·|expected| (relative). An expected 0
 * must be matched exactly; an expected null (SciPy NaN or a documented "no value") must be null.
 */
export const SCIPY_RELATIVE_TOLERANCE = 1e-9;

/** Our own accuracy against 50-digit mpmath values, for the special functions. */
export const TRUTH_RELATIVE_TOLERANCE = 1e-12;

/** Relative error of `actual` against `expected` (0 when both are equal, Infinity if only expected is 0). */
export function relativeError(actual: number, expected: number): number {
  if (actual === expected) return 0;
  return Math.abs(actual - expected) / Math.abs(expected);
}

/**
 * Deep comparison: numbers within `tolerance` (relative), everything else strictly equal,
 * and the same keys on both sides. The failure message names the path of the first mismatch.
 */
export function assertClose(
  actual: unknown,
  expected: unknown,
  { tolerance = SCIPY_RELATIVE_TOLERANCE, path = "$" }: { tolerance?: number; path?: string } = {},
): void {
  if (typeof expected === "number") {
    assert.equal(typeof actual, "number", `${path}: expected a number, got ${String(actual)}`);
    const error = relativeError(actual as number, expected);
    assert.ok(
      error <= tolerance,
      `${path}: ${String(actual)} differs from ${expected} by ${error} relative (> ${tolerance})`,
    );
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertClose(actual[i], e, { tolerance, path: `${path}[${i}]` }));
    return;
  }
  if (expected !== null && typeof expected === "object") {
    assert.ok(actual !== null && typeof actual === "object", `${path}: expected an object`);
    assert.deepEqual(
      Object.keys(actual as object).sort(),
      Object.keys(expected).sort(),
      `${path}: keys`,
    );
    for (const [key, e] of Object.entries(expected)) {
      assertClose((actual as Record<string, unknown>)[key], e, {
        tolerance,
        path: `${path}.${key}`,
      });
    }
    return;
  }
  assert.equal(actual, expected, `${path}`);
}
