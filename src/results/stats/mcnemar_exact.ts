/**
 * The exact McNemar test for paired binary outcomes.
 *
 * @module
 */

import { assertInteger } from "./_validate.ts";
import { binomialCdf } from "./binomial.ts";

/** Discordant-pair counts and the two-sided exact p-value. */
export interface McnemarResult {
  /** Pairs where only the first condition succeeded. */
  b: number;
  /** Pairs where only the second condition succeeded. */
  c: number;
  pValue: number;
}

/**
 * The two-sided exact McNemar test from the discordant counts b and c:
 * p = min(1, 2·P(X <= min(b, c))) with X ~ Binomial(b + c, ½), which is
 * `statsmodels.stats.contingency_tables.mcnemar(table, exact=True)` and equals
 * `min(1, 2 * scipy.stats.binom.cdf(min(b, c), b + c, 0.5))`. With no discordant pairs
 * (b = c = 0) the p-value is 1. Throws a `QUERY_INVALID` ThemisError unless b and c are
 * non-negative integers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mcnemarExact } from "./mcnemar_exact.ts";
 * assert.equal(mcnemarExact(0, 5).pValue, 0.0625);
 * assert.equal(mcnemarExact(4, 4).pValue, 1);
 * ```
 */
export function mcnemarExact(b: number, c: number): McnemarResult {
  assertInteger(b, { name: "b", fn: "mcnemarExact()", min: 0 });
  assertInteger(c, { name: "c", fn: "mcnemarExact()", min: 0 });
  const pValue = Math.min(1, 2 * binomialCdf(Math.min(b, c), { n: b + c, p: 0.5 }));
  return { b, c, pValue };
}
