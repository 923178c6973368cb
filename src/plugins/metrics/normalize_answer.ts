import { pythonSplit } from "./python_text.ts";

// ASCII punctuation, Python's `string.punctuation`, as removed by the SQuAD script.
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
// Python's `\b(a|an|the)\b` on str: word characters are Unicode letters, digits and "_".
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/**
 * SQuAD v1.1 `normalize_answer` (the official evaluate-v1.1.py): lowercase (`str.lower()`),
 * remove ASCII punctuation (`string.punctuation`), replace the articles a/an/the with a space
 * (`\b` as Python's `re` defines it), collapse whitespace as Python does
 * (`" ".join(text.split())`: U+0085 and U+001C–U+001F separate words, a BOM does not).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeAnswer } from "./normalize_answer.ts";
 * assert.equal(normalizeAnswer("The  Eiffel-Tower!"), "eiffeltower");
 * assert.equal(normalizeAnswer("a\x85b\ufeffc"), "b\ufeffc");
 * ```
 */
export function normalizeAnswer(text: string): string {
  const stripped = text.toLowerCase().replace(PUNCTUATION, "").replace(ARTICLES, " ");
  return pythonSplit(stripped).join(" ");
}
