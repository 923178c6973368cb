/**
 * Python's notion of whitespace, so that text metrics split and strip exactly as the Python
 * reference implementations (SQuAD's evaluate-v1.1.py, sacrebleu, rouge-score) do.
 *
 * JavaScript's `\s` and `String.prototype.trim` differ from Python's `str.split()` and
 * `str.strip()`: JavaScript counts U+FEFF (BOM) as whitespace and Python does not; Python
 * counts U+001C–U+001F (file/group/record/unit separators) and U+0085 (NEL) and JavaScript
 * does not. Case folding needs no helper: `toLowerCase()` equals Python's `str.lower()` on
 * every character both Unicode versions assign (tested against Python 3.11, Unicode 14).
 *
 * @module
 */

/** The characters for which Python's `str.isspace()` is true (CPython 3.11, Unicode 14). */
export const PYTHON_WHITESPACE =
  "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006" +
  "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

const CLASS = "[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029" +
  "\\u202f\\u205f\\u3000]";
const RUNS = new RegExp(`${CLASS}+`);
const SPACES = new Set([...PYTHON_WHITESPACE].map((c) => c.charCodeAt(0)));

// A scan from the end rather than /\s+$/, which backtracks quadratically on long inner runs.
function trailingStart(text: string): number {
  let end = text.length;
  while (end > 0 && SPACES.has(text.charCodeAt(end - 1))) end--;
  return end;
}

/**
 * Python's `text.split()` with no argument: the non-empty runs between whitespace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pythonSplit } from "./python_text.ts";
 * assert.deepEqual(pythonSplit(" a b\x85c\ufeffd "), ["a", "b", "c\ufeffd"]);
 * assert.deepEqual(pythonSplit(""), []);
 * ```
 */
export function pythonSplit(text: string): string[] {
  return text.split(RUNS).filter((t) => t !== "");
}

/**
 * Python's `text.rstrip()` with no argument.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pythonRstrip } from "./python_text.ts";
 * assert.equal(pythonRstrip("end \x1f\n"), "end");
 * assert.equal(pythonRstrip("bom\ufeff"), "bom\ufeff");
 * ```
 */
export function pythonRstrip(text: string): string {
  return text.slice(0, trailingStart(text));
}

/**
 * Python's `text.strip()` with no argument.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pythonStrip } from "./python_text.ts";
 * assert.equal(pythonStrip("\x85 both \u3000"), "both");
 * ```
 */
export function pythonStrip(text: string): string {
  let start = 0;
  while (start < text.length && SPACES.has(text.charCodeAt(start))) start++;
  return start === text.length ? "" : text.slice(start, trailingStart(text));
}
