import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { wilcoxonSignedRank } from "./wilcoxon_signed_rank.ts";
import { assertClose, reference } from "./_reference.ts";

Deno.test("wilcoxonSignedRank() matches scipy.stats.wilcoxon (SciPy 1.17 defaults) on every reference case", () => {
  const sizes = new Set<number>();
  for (const c of reference.wilcoxon) {
    const y = "y" in c ? (c.y as number[]) : undefined;
    const result = wilcoxonSignedRank(c.x, y);
    assertClose(result, c.expected, { path: c.name });
    assert.equal(result.method, c.scipyMethod, c.name);
    // Where SciPy answers, themis gives SciPy's number; the fixture records SciPy's own p-value.
    if (c.scipyPValue !== null) assertClose(result.pValue, c.scipyPValue, { path: c.name });
    sizes.add(c.x.length);
  }
  for (let n = 1; n <= 60; n++) assert.ok(sizes.has(n), `no reference case with ${n} differences`);
});

Deno.test("wilcoxonSignedRank() exact p-values are exact dyadic fractions", () => {
  // All 8 differences positive: p = 2 / 2^8.
  assert.deepEqual(wilcoxonSignedRank([1, 2, 3, 4, 5, 6, 7, 8]), {
    n: 8,
    zeros: 0,
    statistic: 0,
    pValue: 2 / 256,
    zStatistic: null,
    method: "exact",
  });
});

Deno.test("wilcoxonSignedRank() picks SciPy's method: exact, permutation up to 13 with ties or zeros, else normal", () => {
  const d50 = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (i + 1));
  assert.equal(wilcoxonSignedRank(d50).method, "exact");
  assert.equal(wilcoxonSignedRank([...d50, 51]).method, "asymptotic");
  assert.equal(wilcoxonSignedRank([1, -1, 2, 3]).method, "permutation");
  assert.equal(wilcoxonSignedRank([0, 1, -2, 3]).method, "permutation");
  const tied13 = [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  assert.equal(wilcoxonSignedRank(tied13).method, "permutation");
  assert.equal(wilcoxonSignedRank([...tied13, 13]).method, "asymptotic");
  // Zeros count towards the 13: 13 non-zero differences plus one zero is 14.
  assert.equal(wilcoxonSignedRank([0, ...d50.slice(0, 13)]).method, "asymptotic");
});

Deno.test("wilcoxonSignedRank() permutation p-value enumerates the sign flips of tied ranks", () => {
  // |d| = 1, 1, 1 share rank 2: R⁺ takes 0, 2, 4, 6 with counts 1, 3, 3, 1 over 8 flips.
  // Observed R⁺ = 6 (all positive): p = 2·1/8.
  assert.deepEqual(wilcoxonSignedRank([1, 1, 1]), {
    n: 3,
    zeros: 0,
    statistic: 0,
    pValue: 0.25,
    zStatistic: null,
    method: "permutation",
  });
  // A zero flips to itself: it changes neither the statistic nor the p-value.
  assert.equal(wilcoxonSignedRank([0, 1, 1, 1]).pValue, 0.25);
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

Deno.test("wilcoxonSignedRank() gives p = 1 for all-zero differences at any n, nulls only for no data", () => {
  for (const size of [1, 2, 13, 14, 60, 500]) {
    assert.deepEqual(wilcoxonSignedRank(new Array(size).fill(0)), {
      n: 0,
      zeros: size,
      statistic: 0,
      pValue: 1,
      zStatistic: null,
      method: "permutation",
    });
  }
  assert.equal(wilcoxonSignedRank([1, 2], [1, 2]).pValue, 1);
  assert.deepEqual(wilcoxonSignedRank([]), {
    n: 0,
    zeros: 0,
    statistic: null,
    pValue: null,
    zStatistic: null,
    method: null,
  });
});

Deno.test("wilcoxonSignedRank() rejects misaligned or non-finite input with QUERY_INVALID", () => {
  const invalid = (path: string) => (error: unknown) =>
    isThemisError(error) && error.code === "QUERY_INVALID" && error.details.path === path;
  assert.throws(() => wilcoxonSignedRank([1, 2, 3], [1, 2]), invalid("y"));
  assert.throws(() => wilcoxonSignedRank([1, NaN]), invalid("x[1]"));
  assert.throws(() => wilcoxonSignedRank([1, 2], [1, Infinity]), invalid("y[1]"));
});
