import assert from "node:assert/strict";
import { isThemisError } from "../core/errors.ts";
import { majority, max, mean, passAtK, reduce } from "./reductions.ts";

const code = (expected: string) => (e: unknown) => isThemisError(e) && e.code === expected;

Deno.test("mean() averages the sample values", () => {
  assert.equal(mean([1, 0, 1, 1]), 0.75);
  assert.equal(mean([0.5]), 0.5);
});

Deno.test("max() returns the best sample value", () => {
  assert.equal(max([0, 0.5, 0.25]), 0.5);
  assert.equal(max([-2, -1]), -1);
});

Deno.test("mean() and max() refuse no values or non-finite values", () => {
  assert.throws(() => mean([]), code("INTERNAL"));
  assert.throws(() => max([]), code("INTERNAL"));
  assert.throws(() => mean([1, NaN]), code("INTERNAL"));
});

Deno.test("majority() returns the value of the most frequent answer", () => {
  assert.equal(majority(["42", "41", "42"], [1, 0, 1]), 1);
  assert.equal(majority(["41", "42", "41"], [0, 1, 0]), 0);
});

Deno.test("majority() breaks a tie by first occurrence", () => {
  assert.equal(majority(["B", "A", "A", "B"], [0, 1, 1, 0]), 0);
  assert.equal(majority(["A", "B"], [1, 0]), 1);
});

Deno.test("majority() compares answers as canonical JSON", () => {
  assert.equal(majority([{ a: 1, b: 2 }, { b: 2, a: 1 }, { a: 3 }], [1, 1, 0]), 1);
  assert.equal(majority([1, "1", "1"], [0, 1, 1]), 1); // 1 and "1" are different answers
});

Deno.test("majority() lets samples without an answer abstain", () => {
  assert.equal(majority([undefined, undefined, "x"], [0, 0, 1]), 1);
  assert.throws(() => majority([undefined], [0]), code("INTERNAL"));
});

Deno.test("majority() needs one answer per value", () => {
  assert.throws(() => majority(["a"], [1, 0]), code("INTERNAL"));
});

// Reference values: the Codex paper (Chen et al. 2021) estimator 1 - C(n-c,k)/C(n,k),
// computed with exact integers in Python (`1 - comb(n-c, k) / comb(n, k)` and Fractions)
// and with the paper's numpy product `1 - np.prod(1 - k / np.arange(n - c + 1, n + 1))`.
const PASS_AT_K = [
  { n: 10, c: 3, k: 1, expected: 0.3 }, // = c/n for k = 1
  { n: 10, c: 3, k: 5, expected: 0.9166666666666666 }, // 1 - C(7,5)/C(10,5) = 1 - 21/252
  { n: 200, c: 13, k: 10, expected: 0.4975511147306061 },
  { n: 200, c: 13, k: 100, expected: 0.9999194971988055 },
  { n: 1000, c: 1, k: 1, expected: 0.001 },
  // C(1500, 700) ≈ 10^448 overflows a double: only the product form gets these right
  { n: 1500, c: 3, k: 700, expected: 0.8485619696620177 },
  { n: 2000, c: 2, k: 1000, expected: 0.7501250625312657 },
];

Deno.test("passAtK() matches the Codex paper's estimator", () => {
  for (const { n, c, k, expected } of PASS_AT_K) {
    const got = passAtK(n, c, k);
    assert.ok(Math.abs(got - expected) < 1e-12, `pass@${k} n=${n} c=${c}: ${got} != ${expected}`);
  }
});

Deno.test("passAtK() is 0 with no correct sample and 1 when fewer than k are wrong", () => {
  assert.equal(passAtK(5, 0, 1), 0);
  assert.equal(passAtK(5, 0, 5), 0);
  assert.equal(passAtK(5, 5, 1), 1);
  assert.equal(passAtK(5, 4, 2), 1);
  assert.equal(passAtK(1, 1, 1), 1);
});

Deno.test("passAtK() rejects impossible arguments, suggesting more samples for k > n", () => {
  for (const [n, c, k] of [[0, 0, 1], [5, 6, 1], [5, -1, 1], [5, 1, 0], [5, 1, 1.5], [2, 1, 3]]) {
    assert.throws(() => passAtK(n, c, k), code("SPEC_INVALID"), `${n} ${c} ${k}`);
  }
  assert.throws(
    () => passAtK(2, 1, 3),
    (e) =>
      isThemisError(e) && e.details.suggestion === "raise num_samples to at least 3, or lower k",
  );
});

Deno.test("reduce() dispatches every kind", () => {
  assert.equal(reduce("mean", [1, 0]), 0.5);
  assert.equal(reduce("max", [0, 1]), 1);
  assert.equal(reduce("majority", [0, 1, 1], { answers: ["x", "y", "y"] }), 1);
  assert.equal(reduce("pass_at_k", [1, 0, 0, 0], { k: 4 }), 1);
  assert.ok(Math.abs(reduce("pass_at_k", [1, 0, 1, 0], { k: 1 }) - 0.5) < 1e-12);
});

Deno.test("reduce('pass_at_k') counts values at or above the threshold as correct", () => {
  assert.equal(reduce("pass_at_k", [0.9, 0.5], { k: 1 }), 0);
  assert.ok(Math.abs(reduce("pass_at_k", [0.9, 0.5], { k: 1, threshold: 0.8 }) - 0.5) < 1e-12);
});

Deno.test("reduce() names what is missing or unknown", () => {
  assert.throws(() => reduce("majority", [1]), code("INTERNAL"));
  assert.throws(() => reduce("pass_at_k", [1]), code("SPEC_INVALID"));
  assert.throws(
    () => reduce("meen" as never, [1]),
    (e) =>
      isThemisError(e) && e.code === "SPEC_INVALID" &&
      e.details.suggestion === 'did you mean "mean"?',
  );
});
