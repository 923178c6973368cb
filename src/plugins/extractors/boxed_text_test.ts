import assert from "node:assert/strict";
import { boxedText } from "./boxed_text.ts";
import { assertScalesLinearly } from "../../../test/support/scaling.ts";

const box = (text: string) => boxedText.extract(text, {});

Deno.test("boxed_text() keeps nested braces", () => {
  assert.deepEqual(box("so $x = \\boxed{\\frac{1}{2}}$."), { ok: true, answer: "\\frac{1}{2}" });
  assert.deepEqual(box("\\boxed{\\sqrt{a^{2}+b^{2}}}"), {
    ok: true,
    answer: "\\sqrt{a^{2}+b^{2}}",
  });
});

Deno.test("boxed_text() takes the last box and reads \\fbox too", () => {
  assert.deepEqual(box("\\boxed{1} then \\boxed{2}"), { ok: true, answer: "2" });
  assert.deepEqual(box("\\boxed{1} then \\fbox{ 3 }"), { ok: true, answer: "3" });
});

Deno.test("boxed_text() skips escaped braces inside the box", () => {
  assert.deepEqual(box("\\boxed{\\{1, 2\\}}"), { ok: true, answer: "\\{1, 2\\}" });
});

Deno.test("boxed_text() reads the brace-less form \\boxed 5", () => {
  assert.deepEqual(box("$\\boxed 5$"), { ok: true, answer: "5" });
});

Deno.test("boxed_text() allows a space before the brace", () => {
  assert.deepEqual(box("\\boxed {42}"), { ok: true, answer: "42" });
});

Deno.test("boxed_text() keeps unicode content", () => {
  assert.deepEqual(box("答案 \\boxed{東京}"), { ok: true, answer: "東京" });
});

Deno.test("boxed_text() fails without a box, including on empty text", () => {
  const error = { ok: false, error: "no \\boxed{…} or \\fbox{…} in the text" };
  assert.deepEqual(box("The answer is 4."), error);
  assert.deepEqual(box(""), error);
  assert.deepEqual(box("\\boxedx{4}"), error);
});

Deno.test("boxed_text() fails on an unclosed last box instead of using an earlier one", () => {
  assert.deepEqual(box("\\boxed{1} and finally \\boxed{\\frac{2}{3}"), {
    ok: false,
    error: "the last \\boxed{ is never closed (output cut off?)",
  });
});

Deno.test("boxed_text() fails on an empty box or a box without argument", () => {
  assert.deepEqual(box("\\boxed{ }"), { ok: false, error: "the last \\boxed{} is empty" });
  assert.deepEqual(box("ends with \\boxed"), {
    ok: false,
    error: "the last \\boxed has no {…} argument",
  });
});

Deno.test("boxed_text() finds a box at the end of ~1 MB, in time linear in the length", () => {
  const text = (n: number) => "{x} ".repeat(n) + "\\boxed{7}";
  assert.deepEqual(box(text(250_000)), { ok: true, answer: "7" });
  assertScalesLinearly((n) => {
    const input = text(n);
    return () => assert.deepEqual(box(input), { ok: true, answer: "7" });
  }, 2_000);
});
