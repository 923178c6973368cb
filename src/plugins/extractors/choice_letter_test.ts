import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { choiceLetter } from "./choice_letter.ts";
import { assertScalesLinearly } from "../../../test/support/scaling.ts";

const pick = (text: string, choices?: string[]) =>
  choiceLetter.extract(text, choices === undefined ? {} : { choices });
const ok = (answer: string) => ({ ok: true, answer });

Deno.test("choice_letter() reads explicit answer forms", () => {
  assert.deepEqual(pick("Answer: B"), ok("B"));
  assert.deepEqual(pick("The answer is (C)."), ok("C"));
  assert.deepEqual(pick("The correct option is **D**"), ok("D"));
  assert.deepEqual(pick("Final Answer: $\\boxed{A}$"), ok("A"));
  assert.deepEqual(pick("answer = b"), ok("B"));
  assert.deepEqual(pick("B is correct because it is prime."), ok("B"));
});

Deno.test("choice_letter() accepts a lowercase letter after an explicit marker", () => {
  assert.deepEqual(pick("The answer is c"), ok("C"));
  assert.deepEqual(pick("the answer is a."), ok("A"));
});

Deno.test("choice_letter() reads 'the answer is a dog' as English, not choice A", () => {
  assert.deepEqual(pick("The answer is a dog"), {
    ok: false,
    error: "no choice letter (A, B, C, D) found in the text",
  });
});

Deno.test("choice_letter() prefers an explicit answer over stray letters", () => {
  assert.deepEqual(pick("A and C look close, but the answer is c."), ok("C"));
  assert.deepEqual(pick("(A) is tempting. Answer: D"), ok("D"));
});

Deno.test("choice_letter() takes the last explicit answer when the text revises itself", () => {
  assert.deepEqual(pick("The answer is (B). Wait — actually the answer is D."), ok("D"));
});

Deno.test("choice_letter() reads a lone letter in common formats", () => {
  assert.deepEqual(pick("B"), ok("B"));
  assert.deepEqual(pick("  b. "), ok("B"));
  assert.deepEqual(pick("(C)"), ok("C"));
  assert.deepEqual(pick("**D**"), ok("D"));
  assert.deepEqual(pick("B) Paris"), ok("B"));
  assert.deepEqual(pick("I pick B since it fits."), ok("B"));
});

Deno.test("choice_letter() does not count articles, pronouns or abbreviations", () => {
  assert.deepEqual(pick("A dog barks, so B."), ok("B"));
  assert.deepEqual(pick("I think it's C"), ok("C"));
  assert.deepEqual(pick("In the U.S.A. it is B"), ok("B"));
});

Deno.test("choice_letter() fails when several choices are named without a marker", () => {
  assert.deepEqual(pick("A or C?"), {
    ok: false,
    error: 'the text names several choices (A, C) and gives no explicit answer such as "Answer: A"',
  });
  assert.deepEqual(pick("A) London\nB) Paris\nC) Rome"), {
    ok: false,
    error:
      'the text names several choices (A, B, C) and gives no explicit answer such as "Answer: A"',
  });
});

Deno.test("choice_letter() fails when no choice is named, including empty text", () => {
  const error = { ok: false, error: "no choice letter (A, B, C, D) found in the text" };
  assert.deepEqual(pick("I don't know."), error);
  assert.deepEqual(pick(""), error);
  assert.deepEqual(pick("Answer: E"), error);
});

Deno.test("choice_letter() uses configured choices, including digits and E-J", () => {
  assert.deepEqual(pick("Answer: E", ["A", "B", "C", "D", "E"]), ok("E"));
  assert.deepEqual(pick("The answer is 3", ["1", "2", "3", "4"]), ok("3"));
  assert.deepEqual(pick("answer: c", ["a", "b", "c"]), ok("C"));
});

Deno.test("choice_letter() reads full-width letters after NFKC", () => {
  assert.deepEqual(pick("答案：（Ｂ）"), ok("B"));
});

Deno.test("choice_letter() handles ~1 MB of text, in time linear in its length", () => {
  const text = (n: number) => "Some reasoning without letters here. ".repeat(n) + "Answer: C";
  assert.deepEqual(pick(text(28_000)), ok("C"));
  assertScalesLinearly((n) => {
    const input = text(n);
    return () => assert.deepEqual(pick(input), ok("C"));
  }, 200);
});

Deno.test("choice_letter.validateConfig() rejects bad choices", () => {
  const spec = (e: unknown) => isThemisError(e) && e.code === "SPEC_INVALID";
  assert.throws(() => choiceLetter.validateConfig!({ choices: [] }), spec);
  assert.throws(() => choiceLetter.validateConfig!({ choices: ["AB"] }), spec);
  assert.throws(() => choiceLetter.validateConfig!({ choices: "ABCD" }), spec);
  assert.throws(() => choiceLetter.validateConfig!({ choices: ["a", "A"] }), spec);
  choiceLetter.validateConfig!({ choices: ["a", "b"] });
});
