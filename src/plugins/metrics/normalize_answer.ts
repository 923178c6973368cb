// ASCII punctuation, Python's `string.punctuation`, as removed by the SQuAD script.
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
// Python's `\b(a|an|the)\b` on str: word characters are Unicode letters, digits and "_".
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/**
 * SQuAD v1.1 `normalize_answer`: lowercase, remove ASCII punctuation, replace the articles
 * a/an/the with a space, collapse whitespace (`" ".join(text.split())`).
 *
 * @example
 * ```ts
 * import { normalizeAnswer } from "./normalize_answer.ts";
 * console.assert(normalizeAnswer("The  Eiffel-Tower!") === "eiffeltower");
 * ```
 */
export function normalizeAnswer(text: string): string {
  return text.toLowerCase()
    .replace(PUNCTUATION, "")
    .replace(ARTICLES, " ")
    .split(/\s+/u)
    .filter((t) => t !== "")
    .join(" ");
}
