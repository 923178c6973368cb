import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { assertScalesLinearly } from "../../../test/support/scaling.ts";
import type { Json } from "../../core/json.ts";
import type { MetricInput } from "../types.ts";
import { length, measureLength } from "./length.ts";

const input = (prediction: Json): MetricInput => ({
  prediction,
  text: String(prediction),
  item: {},
  reference: undefined,
});

Deno.test("length() counts Unicode code points by default", () => {
  assert.deepEqual(length.score(input("héllo 👋"), {}), { value: 7, details: { unit: "chars" } });
  assert.equal(length.score(input("東京"), {}).value, 2);
  assert.equal(length.score(input(""), {}).value, 0);
});

Deno.test("length() counts whitespace-separated words", () => {
  assert.deepEqual(length.score(input("  one\ttwo\n three  "), { unit: "words" }), {
    value: 3,
    details: { unit: "words" },
  });
  assert.equal(length.score(input("   "), { unit: "words" }).value, 0);
});

Deno.test("length() measures non-string predictions through their text form", () => {
  assert.equal(length.score(input(12345), {}).value, 5);
  assert.equal(length.score(input({ a: 1 }), {}).value, 7); // {"a":1}
});

Deno.test("measureLength() handles ~1 MB, in time linear in the length", () => {
  const check = (words: number) => {
    const text = "word ".repeat(words);
    return () => {
      assert.equal(measureLength(text, "words"), words);
      assert.equal(measureLength(text, "chars"), 5 * words);
    };
  };
  check(200_000)();
  assertScalesLinearly(check, 1_600);
});

Deno.test("length.validateConfig() rejects an unknown unit", () => {
  assert.throws(
    () => length.validateConfig!({ unit: "tokens" }),
    (e) => isThemisError(e) && e.code === "SPEC_INVALID" && e.message.includes('"chars", "words"'),
  );
});
