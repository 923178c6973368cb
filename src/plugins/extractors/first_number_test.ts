import assert from "node:assert/strict";
import { findNumbers, parseNumber } from "./find_numbers.ts";
import { firstNumber } from "./first_number.ts";
import { lastNumber } from "./last_number.ts";
import { assertScalesLinearly } from "../../../test/support/scaling.ts";

const first = (text: string) => firstNumber.extract(text, {});
const last = (text: string) => lastNumber.extract(text, {});

Deno.test("first_number() ignores a sentence's final full stop", () => {
  assert.deepEqual(first("The answer is 42."), { ok: true, answer: 42 });
  assert.deepEqual(first("It is 12."), { ok: true, answer: 12 });
});

Deno.test("first_number() reads a negative decimal", () => {
  assert.deepEqual(first("Temperature: -3.75 degrees"), { ok: true, answer: -3.75 });
});

Deno.test("first_number() reads thousands separators", () => {
  assert.deepEqual(first("about 1,234,567.89 people"), { ok: true, answer: 1234567.89 });
  assert.deepEqual(first("$1,000,000."), { ok: true, answer: 1000000 });
});

Deno.test("first_number() reads scientific notation", () => {
  assert.deepEqual(first("N_A = 6.022e23 per mol"), { ok: true, answer: 6.022e23 });
  assert.deepEqual(first("eps 1E-5"), { ok: true, answer: 1e-5 });
});

Deno.test("first_number() reads a leading-dot decimal and a unicode minus", () => {
  assert.deepEqual(first("p = .05"), { ok: true, answer: 0.05 });
  assert.deepEqual(first("−7 °C"), { ok: true, answer: -7 });
});

Deno.test("first_number() does not read a range dash as a sign", () => {
  assert.deepEqual(first("pages 3-5"), { ok: true, answer: 3 });
  assert.deepEqual(last("pages 3-5"), { ok: true, answer: 5 });
  assert.deepEqual(last("x-1"), { ok: true, answer: 1 });
  assert.deepEqual(last("x = -1"), { ok: true, answer: -1 });
});

Deno.test("first_number() needs three-digit groups for a thousands separator", () => {
  assert.deepEqual(findNumbers("1,2345 and 3,5,7").map((m) => m.value), [1, 2345, 3, 5, 7]);
});

Deno.test("first_number() never starts inside a version-like number", () => {
  assert.deepEqual(findNumbers("v1.2.3").map((m) => m.value), [1.2]);
});

Deno.test("first_number() turns -0 into 0", () => {
  assert.ok(Object.is((first("-0") as { answer: number }).answer, 0));
});

Deno.test("first_number() fails when there is no number, including on empty text", () => {
  assert.deepEqual(first("no digits here"), { ok: false, error: "no number found in the text" });
  assert.deepEqual(first(""), { ok: false, error: "no number found in the text" });
});

Deno.test("first_number() skips numbers too large for a double", () => {
  assert.deepEqual(first("1e999 then 5"), { ok: true, answer: 5 });
});

Deno.test("first_number() reads digits next to unicode text", () => {
  assert.deepEqual(first("答案是42。"), { ok: true, answer: 42 });
});

Deno.test("last_number() reads the final answer after working", () => {
  assert.deepEqual(last("3 + 4 = 7, times 2 is 14. So the answer is 14."), {
    ok: true,
    answer: 14,
  });
  assert.deepEqual(last("#### 1,234"), { ok: true, answer: 1234 });
});

Deno.test("last_number() scans ~1 MB, in linear time, and finds the number at the end", () => {
  const check = (text: string) => {
    assert.deepEqual(last(text), { ok: true, answer: -9.5 });
    assert.deepEqual(first(text), { ok: true, answer: 1 });
  };
  const text = (n: number) => "step 1 adds 2 to 3. ".repeat(n) + "Final: -9.5";
  check(text(50_000));
  assertScalesLinearly((n) => {
    const input = text(n);
    return () => check(input);
  }, 400);
});

Deno.test("findNumbers() reports raw text and offsets", () => {
  assert.deepEqual(findNumbers("a -1,5 b 2.5e1"), [
    { value: -1, raw: "-1", index: 2 },
    { value: 5, raw: "5", index: 5 },
    { value: 25, raw: "2.5e1", index: 9 },
  ]);
  assert.deepEqual(findNumbers("1 2 3", { limit: 2 }).map((m) => m.value), [1, 2]);
});

Deno.test("parseNumber() accepts exactly one number and nothing else", () => {
  assert.equal(parseNumber(" 1,234.5 "), 1234.5);
  assert.equal(parseNumber("42."), 42);
  assert.equal(parseNumber("-3.5e2"), -350);
  assert.equal(parseNumber("+7"), 7);
  assert.equal(parseNumber("12 apples"), undefined);
  assert.equal(parseNumber("1,23"), undefined);
  assert.equal(parseNumber(""), undefined);
  assert.equal(parseNumber("1e999"), undefined);
});
