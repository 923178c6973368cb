import assert from "node:assert/strict";
import { logBeta, logGamma, stirlingRemainder } from "./log_gamma.ts";
import {
  assertClose,
  reference,
  relativeError,
  SCIPY_RELATIVE_TOLERANCE,
  TRUTH_RELATIVE_TOLERANCE,
} from "./_reference.ts";

// lnΓ crosses zero at 1 and 2, so its accuracy is absolute below magnitude 1.
function logGammaError(actual: number, truth: number): number {
  return Math.abs(actual - truth) / Math.max(1, Math.abs(truth));
}

Deno.test("logGamma() matches scipy.special.gammaln within 1e-9 relative", () => {
  for (const [x, scipy] of reference.special.logGamma) {
    assertClose(logGamma(x), scipy, { path: `logGamma(${x})` });
  }
});

Deno.test("logGamma() is within 1e-14 of 50-digit mpmath (absolute below 1, relative above)", () => {
  for (const [x, , truth] of reference.special.logGamma) {
    const error = logGammaError(logGamma(x), truth);
    assert.ok(error < 1e-14, `logGamma(${x}) error ${error}`);
  }
});

Deno.test("logGamma() is exactly 0 at 1 and 2 and ln((n-1)!) at small integers", () => {
  assert.equal(logGamma(1), 0);
  assert.equal(logGamma(2), 0);
  assert.equal(logGamma(6), Math.log(120));
});

Deno.test("logGamma() returns NaN outside x > 0 and Infinity at Infinity", () => {
  assert.ok(Number.isNaN(logGamma(0)));
  assert.ok(Number.isNaN(logGamma(-1.5)));
  assert.ok(Number.isNaN(logGamma(NaN)));
  assert.equal(logGamma(Infinity), Infinity);
});

Deno.test("logBeta() matches scipy.special.betaln within 1e-9 relative", () => {
  for (const [a, b, scipy] of reference.special.logBeta) {
    assertClose(logBeta(a, b), scipy, { path: `logBeta(${a}, ${b})` });
  }
});

Deno.test("logBeta() is within 1e-12 relative of 50-digit mpmath, even for B(0.5, 4999.5)", () => {
  for (const [a, b, , truth] of reference.special.logBeta) {
    const error = relativeError(logBeta(a, b), truth);
    assert.ok(error < TRUTH_RELATIVE_TOLERANCE, `logBeta(${a}, ${b}) error ${error}`);
  }
});

Deno.test("logBeta() is symmetric and NaN for non-positive arguments", () => {
  assert.equal(logBeta(3.5, 200), logBeta(200, 3.5));
  assert.ok(Number.isNaN(logBeta(0, 1)));
  assert.ok(Number.isNaN(logBeta(1, -2)));
});

Deno.test("stirlingRemainder() joins its series and logGamma branches continuously at 10", () => {
  const below = stirlingRemainder(10 - 1e-9);
  const above = stirlingRemainder(10);
  assert.ok(Math.abs(below - above) < 1e-12, `${below} vs ${above}`);
  assert.ok(relativeError(stirlingRemainder(1e6), 1 / 12e6) < SCIPY_RELATIVE_TOLERANCE);
});
