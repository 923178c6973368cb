import assert from "node:assert/strict";
import { normalizedText, normalizeText } from "./normalized_text.ts";
import { assertScalesLinearly } from "../../../test/support/scaling.ts";

Deno.test("normalized_text() lowercases, trims and collapses whitespace", () => {
  assert.deepEqual(normalizedText.extract("  New   York\n City ", {}), {
    ok: true,
    answer: "new york city",
  });
});

Deno.test("normalized_text() strips surrounding punctuation, quotes and markdown", () => {
  assert.deepEqual(normalizedText.extract('"**Paris.**"', {}), { ok: true, answer: "paris" });
  assert.deepEqual(normalizedText.extract("«Paris»", { strip_punctuation: false }), {
    ok: true,
    answer: "paris",
  });
});

Deno.test("normalized_text() keeps punctuation between letters or digits", () => {
  assert.equal(normalizeText("Pi is 3.14."), "pi is 3.14");
  assert.equal(normalizeText("Don't stop — e-mail me!"), "don't stop e-mail me");
});

Deno.test("normalized_text() keeps inner punctuation with strip_punctuation = false", () => {
  assert.equal(normalizeText("Hello, world!", { stripPunctuation: false }), "hello, world");
});

Deno.test("normalized_text() strips articles only when asked", () => {
  assert.equal(normalizeText("The Eiffel Tower"), "the eiffel tower");
  assert.equal(
    normalizeText("The Eiffel Tower, a tower", { stripArticles: true }),
    "eiffel tower tower",
  );
  assert.equal(normalizeText("Theatre", { stripArticles: true }), "theatre");
});

Deno.test("normalized_text() applies NFKC and unicode lowercase", () => {
  assert.equal(normalizeText("ＡＢＣ Ünïcode"), "abc ünïcode");
  assert.equal(normalizeText("「東京」"), "東京");
});

Deno.test("normalized_text() fails when nothing is left, including empty text", () => {
  const error = { ok: false, error: "nothing is left of the text after normalisation" };
  assert.deepEqual(normalizedText.extract("", {}), error);
  assert.deepEqual(normalizedText.extract(" ...!? ", {}), error);
  assert.deepEqual(normalizedText.extract("the", { strip_articles: true }), error);
});

Deno.test("normalized_text() is linear on long punctuation runs", () => {
  const check = (text: string) =>
    assert.ok(normalizedText.extract(text, { strip_punctuation: false }).ok);
  const text = (n: number) => "a" + ".".repeat(n) + " b" + " ".repeat(n) + "c";
  check(text(500_000));
  assertScalesLinearly((n) => {
    const input = text(n);
    return () => check(input);
  }, 4_000);
});
