import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";
import type { MetricInput } from "../types.ts";
import { isClose, numericMatch } from "./numeric_match.ts";

const input = (prediction: Json, reference?: Json): MetricInput => ({
  prediction,
  text: String(prediction),
  item: {},
  reference,
});

Deno.test("numeric_match() parses numeric strings with thousands separators", () => {
  assert.deepEqual(numericMatch.score(input("1,234", 1234), {}), {
    value: 1,
    details: { prediction: 1234, abs_diff: 0, reference: 1234 },
  });
  assert.equal(numericMatch.score(input(" -3.5e2 ", "-350"), {}).value, 1);
  assert.equal(numericMatch.score(input("42.", 42), {}).value, 1);
});

Deno.test("numeric_match() is exact by default", () => {
  const result = numericMatch.score(input(0.1 + 0.2, 0.3), {});
  assert.equal(result.value, 0);
  assert.equal(numericMatch.score(input(0.1 + 0.2, 0.3), { abs_tol: 1e-9 }).value, 1);
});

Deno.test("numeric_match() follows math.isclose with rel_tol and abs_tol", () => {
  // Python: math.isclose(100, 101, rel_tol=0.01) → True; (100, 102, rel_tol=0.01) → False
  assert.equal(numericMatch.score(input(100, 101), { rel_tol: 0.01 }).value, 1);
  assert.equal(numericMatch.score(input(100, 102), { rel_tol: 0.01 }).value, 0);
  // the tolerance is the larger of the two: max(0.01 * 102, 5) = 5
  assert.equal(numericMatch.score(input(100, 102), { rel_tol: 0.01, abs_tol: 5 }).value, 1);
  assert.equal(isClose(0, 1e-12, { absTol: 0, relTol: 0.5 }), false);
  assert.equal(isClose(-5, -5, { absTol: 0, relTol: 0 }), true);
});

Deno.test("numeric_match() accepts any of several references", () => {
  assert.deepEqual(numericMatch.score(input("2", [1, "2"]), {}), {
    value: 1,
    details: { prediction: 2, abs_diff: 0, reference: 2, references: 2 },
  });
});

Deno.test("numeric_match() scores a non-numeric prediction 0 with a reason", () => {
  assert.deepEqual(numericMatch.score(input("about twelve", 12), {}), {
    value: 0,
    details: { reason: 'the prediction "about twelve" is not a number' },
  });
  assert.equal(numericMatch.score(input("", 12), {}).value, 0);
  assert.equal(numericMatch.score(input(null, 12), {}).value, 0);
});

Deno.test("numeric_match() treats a non-numeric reference as a data error", () => {
  assert.throws(
    () => numericMatch.score(input("12", "twelve"), {}),
    (e) => isThemisError(e) && e.code === "DATASET_INVALID" && e.message.includes('"twelve"'),
  );
});

Deno.test("numeric_match.validateConfig() rejects negative or non-numeric tolerances", () => {
  const spec = (e: unknown) => isThemisError(e) && e.code === "SPEC_INVALID";
  assert.throws(() => numericMatch.validateConfig!({ abs_tol: -1 }), spec);
  assert.throws(() => numericMatch.validateConfig!({ rel_tol: "0.1" }), spec);
});
