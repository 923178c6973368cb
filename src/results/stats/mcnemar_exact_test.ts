import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { mcnemarExact } from "./mcnemar_exact.ts";
import { assertClose, intervalReference, reference } from "./_reference.ts";

Deno.test("mcnemarExact() matches min(1, 2·scipy.stats.binom.cdf(min(b, c), b + c, ½)) within 1e-9", () => {
  for (const { b, c, expected } of reference.mcnemar) {
    assertClose(mcnemarExact(b, c), expected, { path: `mcnemarExact(${b}, ${c})` });
  }
});

Deno.test("mcnemarExact() matches statsmodels mcnemar(table, exact=True) within 1e-9", () => {
  for (const { b, c, pValue } of intervalReference.mcnemarStatsmodels) {
    assertClose(mcnemarExact(b, c).pValue, pValue, { path: `mcnemarExact(${b}, ${c})` });
  }
  assert.ok(
    intervalReference.mcnemarStatsmodels.some((r) => r.b === 0 && r.c === 0 && r.pValue === 1),
  );
});

Deno.test("mcnemarExact() is exact for small counts and symmetric in b and c", () => {
  assert.deepEqual(mcnemarExact(0, 5), { b: 0, c: 5, pValue: 0.0625 });
  assert.deepEqual(mcnemarExact(5, 0), { b: 5, c: 0, pValue: 0.0625 });
  assert.equal(mcnemarExact(1, 9).pValue, 22 / 1024);
});

Deno.test("mcnemarExact() is 1 with no discordant pairs or balanced counts", () => {
  assert.deepEqual(mcnemarExact(0, 0), { b: 0, c: 0, pValue: 1 });
  assert.equal(mcnemarExact(40, 40).pValue, 1);
  assert.equal(mcnemarExact(40, 41).pValue, 1);
});

Deno.test("mcnemarExact() keeps tiny p-values instead of rounding them to 0", () => {
  // 2·2^-1000 ≈ 1.87e-301.
  assert.equal(mcnemarExact(0, 1000).pValue, 2 ** -999);
});

Deno.test("mcnemarExact() rejects negative or fractional counts with QUERY_INVALID", () => {
  for (const [b, c] of [[-1, 3], [2.5, 1], [1, NaN]]) {
    assert.throws(
      () => mcnemarExact(b, c),
      (error) => isThemisError(error) && error.code === "QUERY_INVALID",
    );
  }
});
