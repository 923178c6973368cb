import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";
import type { MetricInput } from "../types.ts";
import { choiceAccuracy } from "./choice_accuracy.ts";

const input = (prediction: Json, reference?: Json): MetricInput => ({
  prediction,
  text: String(prediction),
  item: {},
  reference,
});

Deno.test("choice_accuracy() compares letters case-insensitively", () => {
  assert.deepEqual(choiceAccuracy.score(input("b", "B"), {}), {
    value: 1,
    details: { prediction: "B", reference: "B" },
  });
  assert.equal(choiceAccuracy.score(input("A", "B"), {}).value, 0);
});

Deno.test("choice_accuracy() maps a 0-based index reference to a letter", () => {
  assert.deepEqual(choiceAccuracy.score(input("c", 2), {}), {
    value: 1,
    details: { prediction: "C", reference: "C" },
  });
  assert.equal(choiceAccuracy.score(input("A", 0), {}).value, 1);
  assert.equal(choiceAccuracy.score(input(1, "B"), {}).value, 1);
});

Deno.test("choice_accuracy() strips light formatting around the letter", () => {
  assert.equal(choiceAccuracy.score(input("(B)", "B"), {}).value, 1);
  assert.equal(choiceAccuracy.score(input(" b. ", "B"), {}).value, 1);
  assert.equal(choiceAccuracy.score(input("**D**", "D"), {}).value, 1);
});

Deno.test("choice_accuracy() accepts any of several references", () => {
  assert.deepEqual(choiceAccuracy.score(input("C", ["A", 2]), {}), {
    value: 1,
    details: { prediction: "C", reference: "C", references: 2 },
  });
});

Deno.test("choice_accuracy() scores a prediction that is not a letter 0 with a reason", () => {
  assert.deepEqual(choiceAccuracy.score(input("The answer is B", "B"), {}), {
    value: 0,
    details: { reason: 'the prediction "The answer is B" is not a choice letter' },
  });
  assert.equal(choiceAccuracy.score(input("", "B"), {}).value, 0);
  assert.equal(choiceAccuracy.score(input("Б", "B"), {}).value, 0);
});

Deno.test("choice_accuracy() treats a bad reference as a data error", () => {
  for (const reference of ["AB", -1, 26, 1.5, true]) {
    assert.throws(
      () => choiceAccuracy.score(input("A", reference), {}),
      (e) => isThemisError(e) && e.code === "DATASET_INVALID",
      String(reference),
    );
  }
});
