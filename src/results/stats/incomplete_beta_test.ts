import assert from "node:assert/strict";
import { regularizedIncompleteBeta } from "./incomplete_beta.ts";
import { assertClose, reference, relativeError, TRUTH_RELATIVE_TOLERANCE } from "./_reference.ts";

Deno.test("regularizedIncompleteBeta() matches scipy.special.betainc within 1e-9 relative", () => {
  for (const [x, a, b, scipy] of reference.special.regularizedIncompleteBeta) {
    assertClose(regularizedIncompleteBeta(x, { a, b }), scipy, { path: `I(${x}; ${a}, ${b})` });
  }
});

Deno.test("regularizedIncompleteBeta() is within 1e-12 relative of 50-digit mpmath", () => {
  for (const [x, a, b, , truth] of reference.special.regularizedIncompleteBeta) {
    const error = relativeError(regularizedIncompleteBeta(x, { a, b }), truth);
    assert.ok(error < TRUTH_RELATIVE_TOLERANCE, `I(${x}; ${a}, ${b}) error ${error}`);
  }
});

Deno.test("regularizedIncompleteBeta() satisfies I_x(a, b) = 1 − I_(1−x)(b, a)", () => {
  for (const [x, a, b] of [[0.3, 2.5, 7], [0.8, 40, 3], [0.5, 0.5, 0.5]]) {
    const left = regularizedIncompleteBeta(x, { a, b });
    const right = 1 - regularizedIncompleteBeta(1 - x, { a: b, b: a });
    assert.ok(Math.abs(left - right) < 1e-14, `x=${x}: ${left} vs ${right}`);
  }
});

Deno.test("regularizedIncompleteBeta() uses oneMinusX when x itself rounds to 1", () => {
  // x = ν/(ν + t²) with ν = 1e6, t = 1e-6 rounds to 1; 1 − x = 1e-18 does not.
  const y = 1e-12 / (1e6 + 1e-12);
  const value = regularizedIncompleteBeta(1, { a: 5e5, b: 0.5, oneMinusX: y });
  assert.ok(value < 1 && value > 0.999999, String(value));
});

Deno.test("regularizedIncompleteBeta() is 0 at x = 0, 1 at x = 1, NaN outside its domain", () => {
  assert.equal(regularizedIncompleteBeta(0, { a: 2, b: 3 }), 0);
  assert.equal(regularizedIncompleteBeta(1, { a: 2, b: 3 }), 1);
  assert.ok(Number.isNaN(regularizedIncompleteBeta(-0.1, { a: 2, b: 3 })));
  assert.ok(Number.isNaN(regularizedIncompleteBeta(0.5, { a: 0, b: 3 })));
  assert.ok(Number.isNaN(regularizedIncompleteBeta(0.5, { a: 2, b: NaN })));
});
