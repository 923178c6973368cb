import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { regex } from "./regex.ts";

const specError = (text: string) => (e: unknown) =>
  isThemisError(e) && e.code === "SPEC_INVALID" && e.message.includes(text);

Deno.test("regex() returns capture group 1 by default when the pattern has one", () => {
  assert.deepEqual(regex.extract("Final: 42 apples", { pattern: "Final: (\\d+)" }), {
    ok: true,
    answer: "42",
  });
});

Deno.test("regex() returns the whole match when the pattern has no group", () => {
  assert.deepEqual(regex.extract("id=ab12", { pattern: "[a-z]+\\d+" }), {
    ok: true,
    answer: "ab12",
  });
});

Deno.test("regex() reads a numbered or named group", () => {
  const text = "x=1, y=2";
  assert.deepEqual(regex.extract(text, { pattern: "(\\w)=(\\d)", group: 2 }), {
    ok: true,
    answer: "1",
  });
  assert.deepEqual(regex.extract(text, { pattern: "y=(?<v>\\d)", group: "v" }), {
    ok: true,
    answer: "2",
  });
  assert.deepEqual(regex.extract(text, { pattern: "(\\w)=(\\d)", group: 0 }), {
    ok: true,
    answer: "x=1",
  });
});

Deno.test("regex() applies flags and ignores g for the first match", () => {
  assert.deepEqual(regex.extract("ANSWER: yes", { pattern: "answer: (\\w+)", flags: "gi" }), {
    ok: true,
    answer: "yes",
  });
});

Deno.test("regex() with all = true returns every match's group", () => {
  assert.deepEqual(regex.extract("a1 b2 c3", { pattern: "([a-z])\\d", all: true }), {
    ok: true,
    answer: ["a", "b", "c"],
  });
  assert.deepEqual(regex.extract("none", { pattern: "\\d", all: true }), {
    ok: false,
    error: "no match for /\\d/",
  });
});

Deno.test("regex() fails with the pattern when nothing matches", () => {
  assert.deepEqual(regex.extract("", { pattern: "(\\d+)" }), {
    ok: false,
    error: "no match for /(\\d+)/",
  });
});

Deno.test("regex() fails when the chosen group took no part in the match", () => {
  assert.deepEqual(regex.extract("b", { pattern: "(a)|b" }), {
    ok: false,
    error: "/(a)|b/ matched but group 1 took no part in the match",
  });
});

Deno.test("regex() matches unicode text with the u flag", () => {
  assert.deepEqual(regex.extract("答案是 東京", { pattern: "答案是 (\\p{L}+)", flags: "u" }), {
    ok: true,
    answer: "東京",
  });
});

Deno.test("regex.validateConfig() rejects a bad pattern, flags or group", () => {
  assert.throws(() => regex.validateConfig!({}), specError('"pattern" is required'));
  assert.throws(() => regex.validateConfig!({ pattern: "(" }), specError("not a valid JavaScript"));
  assert.throws(() => regex.validateConfig!({ pattern: "a", flags: "q" }), specError('"flags"'));
  assert.throws(
    () => regex.validateConfig!({ pattern: "(a)", group: 2 }),
    specError("from 0 to 1, got 2"),
  );
  assert.throws(
    () => regex.validateConfig!({ pattern: "(?<x>a)", group: "y" }),
    specError("named groups: x"),
  );
  assert.throws(() => regex.validateConfig!({ pattern: "a", group: true }), specError('"group"'));
  assert.throws(() => regex.validateConfig!({ pattern: "a", all: "yes" }), specError('"all"'));
});
