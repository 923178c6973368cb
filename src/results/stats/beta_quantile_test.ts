import assert from "node:assert/strict";
import { betaQuantile } from "./beta_quantile.ts";
import { regularizedIncompleteBeta } from "./incomplete_beta.ts";
import { intervalReference, relativeError, TRUTH_RELATIVE_TOLERANCE } from "./_reference.ts";

Deno.test("betaQuantile() inverts the incomplete beta function in both tails", () => {
  const shapes = [[1, 1], [2, 9], [0.5, 2], [37, 9], [1000, 100000], [3, 99998], [1e5, 9]];
  for (const [a, b] of shapes) {
    // Beta(0.5, b)'s 1e-300 quantile is ~1e-600, below the smallest double.
    for (const p of [a >= 1 ? 1e-300 : 1e-150, 1e-12, 0.001, 0.025, 0.5, 0.975, 0.999999]) {
      const x = betaQuantile(p, { a, b });
      assert.ok(x > 0 && x < 1, `Beta(${a}, ${b}) q(${p}) = ${x}`);
      // Compare in the smaller tail, where the relative error is meaningful.
      const achieved = p <= 0.5
        ? regularizedIncompleteBeta(x, { a, b })
        : regularizedIncompleteBeta(1 - x, { a: b, b: a, oneMinusX: x });
      const error = relativeError(achieved, p <= 0.5 ? p : 1 - p);
      assert.ok(error < 1e-11, `Beta(${a}, ${b}) q(${p}): I = ${achieved}, error ${error}`);
    }
  }
});

Deno.test("betaQuantile() gives the Clopper–Pearson bounds of the mpmath reference", () => {
  for (const c of intervalReference.proportions) {
    const tail = (1 - c.confidence) / 2;
    const n = c.trials;
    const [low, high] = c.clopperPearsonTruth;
    if (c.successes > 0) {
      const got = betaQuantile(tail, { a: c.successes, b: n - c.successes + 1 });
      assert.ok(relativeError(got, low) < TRUTH_RELATIVE_TOLERANCE, `low ${got} vs ${low}`);
    }
    if (c.successes < n) {
      const got = betaQuantile(1 - tail, { a: c.successes + 1, b: n - c.successes });
      assert.ok(relativeError(got, high) < 1e-11, `high ${got} vs ${high}`);
    }
  }
});

Deno.test("betaQuantile() has closed forms at the edges and NaN outside its domain", () => {
  assert.equal(betaQuantile(0, { a: 2, b: 3 }), 0);
  assert.equal(betaQuantile(1, { a: 2, b: 3 }), 1);
  // Beta(1, b): I_x = 1 − (1 − x)^b, so q(p) = 1 − (1 − p)^(1/b).
  const exact = -Math.expm1(Math.log1p(-0.025) / 10);
  assert.ok(relativeError(betaQuantile(0.025, { a: 1, b: 10 }), exact) < 1e-14);
  for (const [p, a, b] of [[-0.1, 1, 1], [1.1, 1, 1], [0.5, 0, 1], [0.5, 1, -2], [NaN, 1, 1]]) {
    assert.ok(Number.isNaN(betaQuantile(p, { a, b })), `${p} ${a} ${b}`);
  }
});
