import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { wilcoxonSignedRank } from "./wilcoxon_signed_rank.ts";
import { assertClose, reference } from "./_reference.ts";

for (const c of reference.wilcoxon) {
  Deno.test(`wilcoxonSignedRank() matches scipy.stats.wilcoxon(method='${c.scipyMethod}'): ${c.name}`, () => {
    const y = "y" in c ? (c.y as number[]) : undefined;
    const result = wilcoxonSignedRank(c.x, y);
    assertClose(result, c.expected);
    if (result.method !== null) assert.equal(result.method, c.scipyMethod);
  });
}

Deno.test("wilcoxonSignedRank() exact p-values are exact dyadic fractions", () => {
  // All 8 differences positive: p = 2 / 2^8.
  assert.deepEqual(wilcoxonSignedRank([1, 2, 3, 4, 5, 6, 7, 8]), {
    n: 8,
    statistic: 0,
    pValue: 2 / 256,
    zStatistic: null,
    method: "exact",
  });
});

Deno.test("wilcoxonSignedRank() switches to the normal approximation above 50 differences", () => {
  const d50 = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (i + 1));
  const d51 = [...d50, 51];
  assert.equal(wilcoxonSignedRank(d50).method, "exact");
  assert.equal(wilcoxonSignedRank(d51).method, "asymptotic");
});

Deno.test("wilcoxonSignedRank() uses the normal approximation when |d| ties or zeros occur", () => {
  assert.equal(wilcoxonSignedRank([1, -1, 2, 3]).method, "asymptotic");
  assert.equal(wilcoxonSignedRank([0, 1, -2, 3]).method, "asymptotic");
  assert.equal(wilcoxonSignedRank([0, 1, -2, 3]).n, 3);
});

Deno.test("wilcoxonSignedRank() of x and y equals the test of x − y and ignores swapping", () => {
  const x = [0.9, 0.4, 0.75, 0.3, 0.61];
  const y = [0.5, 0.45, 0.2, 0.1, 0.6];
  const d = x.map((v, i) => v - y[i]);
  assert.deepEqual(wilcoxonSignedRank(x, y), wilcoxonSignedRank(d));
  const swapped = wilcoxonSignedRank(y, x);
  assert.equal(swapped.pValue, wilcoxonSignedRank(x, y).pValue);
  assert.equal(swapped.statistic, wilcoxonSignedRank(x, y).statistic);
});

Deno.test("wilcoxonSignedRank() reports nulls when there is no non-zero difference", () => {
  const none = { n: 0, statistic: null, pValue: null, zStatistic: null, method: null };
  assert.deepEqual(wilcoxonSignedRank([]), none);
  assert.deepEqual(wilcoxonSignedRank([0, 0]), none);
  assert.deepEqual(wilcoxonSignedRank([1, 2], [1, 2]), none);
});

Deno.test("wilcoxonSignedRank() rejects misaligned or non-finite input with QUERY_INVALID", () => {
  const invalid = (path: string) => (error: unknown) =>
    isThemisError(error) && error.code === "QUERY_INVALID" && error.details.path === path;
  assert.throws(() => wilcoxonSignedRank([1, 2, 3], [1, 2]), invalid("y"));
  assert.throws(() => wilcoxonSignedRank([1, NaN]), invalid("x[1]"));
  assert.throws(() => wilcoxonSignedRank([1, 2], [1, Infinity]), invalid("y[1]"));
});
