import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";
import type { MetricInput } from "../types.ts";
import { contains } from "./contains.ts";
import { exactMatch } from "./exact_match.ts";
import { normalizeAnswer } from "./normalize_answer.ts";
import { normalizedExactMatch } from "./normalized_exact_match.ts";
import { regexMatch } from "./regex_match.ts";

const input = (prediction: Json, reference?: Json): MetricInput => ({
  prediction,
  text: String(prediction),
  item: {},
  reference,
});

Deno.test("exact_match() compares after String() and trim, case-sensitively by default", () => {
  assert.deepEqual(exactMatch.score(input(" Paris\n", "Paris"), {}), {
    value: 1,
    details: { prediction: "Paris", reference: "Paris" },
  });
  assert.deepEqual(exactMatch.score(input("paris", "Paris"), {}), {
    value: 0,
    details: { prediction: "paris", reference: "Paris" },
  });
  assert.equal(exactMatch.score(input("paris", "Paris"), { case_sensitive: false }).value, 1);
});

Deno.test("exact_match() stringifies numbers and JSON values on both sides", () => {
  assert.equal(exactMatch.score(input(42, "42"), {}).value, 1);
  assert.equal(exactMatch.score(input("42", 42), {}).value, 1);
  assert.equal(exactMatch.score(input(true, "true"), {}).value, 1);
  assert.equal(exactMatch.score(input({ a: 1 }, '{"a":1}'), {}).value, 1);
  assert.equal(exactMatch.score(input(null, ""), {}).value, 1);
});

Deno.test("exact_match() accepts any of several references and reports the matched one", () => {
  assert.deepEqual(exactMatch.score(input("B", ["A", "B", "C"]), {}), {
    value: 1,
    details: { prediction: "B", reference: "B", references: 3 },
  });
});

Deno.test("exact_match() compares unicode exactly (no normalisation)", () => {
  assert.equal(exactMatch.score(input("東京", "東京"), {}).value, 1);
  assert.equal(exactMatch.score(input("café", "cafe\u0301"), {}).value, 0);
});

Deno.test("normalizeAnswer() follows the SQuAD v1.1 normalize_answer steps", () => {
  // lower → drop string.punctuation → articles to " " → " ".join(split())
  assert.equal(normalizeAnswer("The  Eiffel-Tower!"), "eiffeltower");
  assert.equal(normalizeAnswer("An apple, a day; THE doctor."), "apple day doctor");
  assert.equal(normalizeAnswer("Theatre anthem"), "theatre anthem");
  assert.equal(normalizeAnswer("Levi's “Stadium”"), "levis “stadium”"); // only ASCII punctuation
  assert.equal(normalizeAnswer(""), "");
});

Deno.test("normalized_exact_match() ignores case, punctuation, articles and spacing", () => {
  assert.deepEqual(normalizedExactMatch.score(input("The Eiffel  Tower!", "eiffel tower"), {}), {
    value: 1,
    details: {
      prediction: "eiffel tower",
      normalized_reference: "eiffel tower",
      reference: "eiffel tower",
    },
  });
  assert.equal(normalizedExactMatch.score(input("Eiffel", "Eiffel Tower"), {}).value, 0);
  assert.equal(normalizedExactMatch.score(input("x", ["y", "X."]), {}).value, 1);
});

Deno.test("contains() finds the reference case-insensitively by default", () => {
  assert.deepEqual(contains.score(input("I think it's PARIS.", "Paris"), {}), {
    value: 1,
    details: { at: 13, reference: "Paris" },
  });
  assert.deepEqual(
    contains.score(input("I think it's PARIS.", "Paris"), { case_sensitive: true }),
    {
      value: 0,
      details: { reference: "Paris" },
    },
  );
});

Deno.test("contains() takes the best of several references", () => {
  assert.deepEqual(contains.score(input("Rome and Berlin", ["Paris", "Berlin"]), {}), {
    value: 1,
    details: { at: 9, reference: "Berlin", references: 2 },
  });
});

Deno.test("contains() treats an empty reference as a data error", () => {
  assert.throws(
    () => contains.score(input("anything", " "), {}),
    (e) => isThemisError(e) && e.code === "DATASET_INVALID",
  );
});

Deno.test("regex_match() searches the prediction and needs no reference", () => {
  assert.deepEqual(regexMatch.score(input("Order #1234 shipped"), { pattern: "#\\d{4}\\b" }), {
    value: 1,
    details: { match: "#1234" },
  });
  assert.deepEqual(regexMatch.score(input("nothing"), { pattern: "^\\d+$" }), {
    value: 0,
    details: { match: null },
  });
  assert.equal(regexMatch.score(input(42), { pattern: "^\\d+$" }).value, 1);
  assert.equal(regexMatch.score(input("YES"), { pattern: "^yes$", flags: "i" }).value, 1);
});

Deno.test("regex_match.validateConfig() rejects a missing or invalid pattern", () => {
  const spec = (e: unknown) => isThemisError(e) && e.code === "SPEC_INVALID";
  assert.throws(() => regexMatch.validateConfig!({}), spec);
  assert.throws(() => regexMatch.validateConfig!({ pattern: "(" }), spec);
  assert.throws(() => regexMatch.validateConfig!({ pattern: "a", flags: "zz" }), spec);
});
