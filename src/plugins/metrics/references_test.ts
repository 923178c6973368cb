import assert from "node:assert/strict";
import { isThemisError, type ThemisError } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";
import type { MetricInput } from "../types.ts";
import {
  answerText,
  bestOverReferences,
  clip,
  readMetricConfig,
  referencesOf,
} from "./references.ts";

const input = (reference: Json | undefined): MetricInput => ({
  prediction: "x",
  text: "x",
  item: {},
  reference,
});

Deno.test("answerText() stringifies JSON values sensibly", () => {
  assert.equal(answerText("a"), "a");
  assert.equal(answerText(1.5), "1.5");
  assert.equal(answerText(false), "false");
  assert.equal(answerText(null), "");
  assert.equal(answerText({ b: [1, "c"] }), '{"b":[1,"c"]}');
});

Deno.test("referencesOf() treats an array as alternatives and a scalar as one", () => {
  assert.deepEqual(referencesOf(input(["a", 2]), { metric: "m", config: {} }), ["a", 2]);
  assert.deepEqual(referencesOf(input(0), { metric: "m", config: {} }), [0]);
  assert.deepEqual(referencesOf(input(""), { metric: "m", config: {} }), [""]);
});

Deno.test("referencesOf() names the configured field when the reference is missing", () => {
  for (const reference of [undefined, null]) {
    assert.throws(
      () =>
        referencesOf(input(reference), { metric: "exact_match", config: { reference: "gold" } }),
      (e) => {
        assert.ok(isThemisError(e));
        const error = e as ThemisError;
        assert.equal(error.code, "DATASET_INVALID");
        assert.equal(
          error.message,
          'exact_match needs a reference answer, but the item has no "gold" field; add "gold" to ' +
            'every item, or set reference = "<field>" in the exact_match config to read another field',
        );
        assert.equal(error.details.path, "gold");
        return true;
      },
    );
  }
});

Deno.test("bestOverReferences() keeps the first best and stops at a perfect score", () => {
  const seen: Json[] = [];
  const result = bestOverReferences(["a", "b", "c", "d"], (r) => {
    seen.push(r);
    return { value: r === "b" || r === "c" ? 1 : 0, details: { r } };
  });
  assert.deepEqual(result, { value: 1, details: { r: "b", reference: "b", references: 4 } });
  assert.deepEqual(seen, ["a", "b"]);
});

Deno.test("bestOverReferences() clips a long reference in the details", () => {
  const long = "x".repeat(500);
  const result = bestOverReferences([long], () => ({ value: 0 }));
  assert.equal(result.details?.reference, clip(long));
  assert.equal(String(result.details?.reference).length, 201);
});

Deno.test("readMetricConfig() always allows a string reference key", () => {
  readMetricConfig({ reference: "gold", unit: "words" }, "length").only(["unit"]);
  assert.throws(
    () => readMetricConfig({ reference: 3 }, "length"),
    (e) => isThemisError(e) && e.code === "SPEC_INVALID" && e.message.includes('"reference"'),
  );
  assert.throws(
    () => readMetricConfig({ units: "words" }, "length").only(["unit"]),
    (e) => isThemisError(e) && (e as ThemisError).details.suggestion === 'did you mean "unit"?',
  );
});
