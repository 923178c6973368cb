/**
 * The text of a top-level member of a JSON object, read from the object's compact JSON text
 * without parsing it: planning renders `{item.question}` once per item, and parsing the whole
 * payload for one field cost more than the rest of rendering.
 */

const QUOTE = 34;
const BACKSLASH = 92;

/** Index just past the string starting at `at` (a `"`). */
function stringEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/** Index just past the value starting at `at`. */
function valueEnd(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === QUOTE) return stringEnd(text, at);
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i) - 1;
      if (i < 0) return -1;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (depth === 0) return i;
      if (--depth === 0) return i + 1;
    } else if (c === 44 && depth === 0) return i;
  }
  return -1;
}

/**
 * How `{item.<key>}` renders for the object written as `json` (compact JSON, as canonical JSON
 * is): a string member's text, a number's, `true`, `false` or `null`. `undefined` when it cannot
 * tell without parsing (no such member, an object or array, a string or key with escapes): the
 * caller then looks the field up in the parsed object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memberText } from "./json_member_text.ts";
 * const json = '{"a":{"q":"x"},"n":1e+21,"q":"2 + 2"}';
 * assert.deepEqual(["q", "n", "a", "z"].map((k) => memberText(json, k)), ["2 + 2", "1e+21", undefined, undefined]);
 * ```
 */
export function memberText(json: string, key: string): string | undefined {
  if (json.charCodeAt(0) !== 123) return undefined;
  let at = 1;
  while (at < json.length && json.charCodeAt(at) === QUOTE) {
    const keyEnd = stringEnd(json, at);
    if (keyEnd < 0 || json.charCodeAt(keyEnd) !== 58) return undefined;
    const name = json.slice(at + 1, keyEnd - 1);
    const start = keyEnd + 1;
    const end = valueEnd(json, start);
    if (end < 0) return undefined;
    if (name.includes("\\")) {
      if (JSON.parse(`"${name}"`) === key) return undefined;
    } else if (name === key) {
      const c = json.charCodeAt(start);
      if (c === QUOTE) {
        const inner = json.slice(start + 1, end - 1);
        return inner.includes("\\") ? undefined : inner;
      }
      return c === 123 || c === 91 ? undefined : json.slice(start, end);
    }
    if (json.charCodeAt(end) !== 44) return undefined;
    at = end + 1;
  }
  return undefined;
}
