import assert from "node:assert/strict";
import unicode from "../../../test/fixtures/python_unicode_reference.json" with { type: "json" };
import { assertScalesLinearly } from "../../../test/support/scaling.ts";
import { bleu } from "./bleu.ts";
import { PYTHON_WHITESPACE, pythonRstrip, pythonSplit, pythonStrip } from "./python_text.ts";

// Python 3.11 (Unicode 14) tables from scripts/text_metrics_reference.py. JavaScript's own
// tables are newer (Unicode 17): characters assigned since Unicode 14 are not compared.
function* assigned(): Generator<number> {
  for (const [from, to] of unicode.assigned) for (let cp = from; cp <= to; cp++) yield cp;
}

function inRanges(ranges: number[][]): (cp: number) => boolean {
  return (cp) => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cp < ranges[mid][0]) hi = mid - 1;
      else if (cp > ranges[mid][1]) lo = mid + 1;
      else return true;
    }
    return false;
  };
}

Deno.test("PYTHON_WHITESPACE is exactly Python's str.isspace() set", () => {
  assert.deepEqual([...PYTHON_WHITESPACE].map((c) => c.codePointAt(0)), unicode.whitespace);
  const all = String.fromCodePoint(...unicode.whitespace);
  assert.deepEqual(pythonSplit(`a${all}b\ufeffc`), ["a", "b\ufeffc"]);
});

Deno.test("toLowerCase() equals Python's str.lower() on every character of Unicode 14", () => {
  const lower = new Map(unicode.lower.map(([cp, l]) => [cp as number, l as string]));
  const differ: string[] = [];
  for (const cp of assigned()) {
    const c = String.fromCodePoint(cp);
    if (c.toLowerCase() !== (lower.get(cp) ?? c)) differ.push(cp.toString(16));
  }
  assert.deepEqual(differ, []);
  for (const [text, expected] of Object.entries(unicode.finalSigma)) {
    assert.equal(text.toLowerCase(), expected, JSON.stringify(text));
  }
});

Deno.test("[\\p{L}\\p{N}_] equals Python's re \\w on every character of Unicode 14", () => {
  const word = inRanges(unicode.word);
  const differ: string[] = [];
  for (const cp of assigned()) {
    if (/[\p{L}\p{N}_]/u.test(String.fromCodePoint(cp)) !== word(cp)) differ.push(cp.toString(16));
  }
  assert.deepEqual(differ, []);
});

Deno.test("pythonSplit(), pythonStrip() and pythonRstrip() follow str.split()/strip()/rstrip()", () => {
  assert.deepEqual(pythonSplit("\ufeff"), ["\ufeff"]);
  assert.deepEqual(pythonSplit("\x1c\x1d\x1e\x1f\x85"), []);
  assert.deepEqual(pythonSplit("a\u200bb"), ["a\u200bb"]); // zero width space is not space
  assert.equal(pythonStrip(" \t\ufeffx\x85 "), "\ufeffx");
  assert.equal(pythonStrip(" \x1f "), "");
  assert.equal(pythonRstrip("x \x1c"), "x");
  assert.equal(pythonRstrip(""), "");
});

Deno.test("pythonRstrip() stays linear on long inner runs of whitespace", () => {
  assertScalesLinearly((n) => {
    const text = " ".repeat(n) + "x";
    return () => assert.equal(pythonRstrip(text), text);
  }, 8_000);
});

Deno.test("bleu splits on NEL like sacrebleu (issue 12: 0.248 before, 1.0 in sacrebleu)", () => {
  const input = { prediction: "a b\x85c d", text: "", item: {}, reference: "a b c d" };
  assert.ok(Math.abs(bleu.score(input, {}).value - 1) < 1e-12);
  const bom = { prediction: "\ufeffa b c d", text: "", item: {}, reference: "a b c d" };
  assert.ok(bleu.score(bom, {}).value < 1); // a BOM is part of the first token in Python
});
