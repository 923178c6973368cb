/** One number found in a text. */
export interface NumberMatch {
  /** The number as a JS number (thousands separators removed). */
  value: number;
  /** The text it was read from, e.g. `-1,234.5`. */
  raw: string;
  /** UTF-16 offset of `raw` in the text. */
  index: number;
}

// A sign counts only where it cannot be a dash between two terms ("3-5", "x-1").
const SIGN = String.raw`(?:(?<![\p{L}\p{N}_)\]}])[-+\u2212])?`;
// Thousands groups must be exactly three digits and not run on ("1,2345" is 1 then 2345).
const INTEGER = String.raw`(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)`;
// A decimal point needs digits after it, so a sentence's full stop ("is 42.") is left out.
const BODY = String.raw`(?:${INTEGER}(?:\.\d+)?|\.\d+)(?:[eE][-+\u2212]?\d+)?`;
// Never start inside another number ("1.2.3" yields 1.2 only).
const START = String.raw`(?<!\d)(?<!\d\.)`;
// One shared instance: findNumbers is synchronous and resets `lastIndex` on every call.
const NUMBER = new RegExp(START + SIGN + BODY, "gu");
const WHOLE_NUMBER = new RegExp(String.raw`^\s*[-+\u2212]?${BODY}\.?\s*$`, "u");

function toNumber(raw: string): number {
  const plain = raw.includes(",") ? raw.replaceAll(",", "") : raw;
  return Number(plain.includes("\u2212") ? plain.replaceAll("\u2212", "-") : plain) + 0; // -0 → 0
}

/** Options of {@linkcode findNumbers}. */
export interface FindNumbersOptions {
  /** Stop after this many numbers. */
  limit?: number;
}

/**
 * The numbers in `text` (all, or the first `limit`), in order: integers, decimals, signed numbers, thousands separators
 * (`1,234`) and scientific notation (`6.02e23`). Numbers too large for a double are skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findNumbers } from "./find_numbers.ts";
 * const found = findNumbers("Costs rose from 1,200 to -3.5e2 units.");
 * assert.ok(found.map((m) => m.value).join(" ") === "1200 -350");
 * ```
 */
export function findNumbers(text: string, options: FindNumbersOptions = {}): NumberMatch[] {
  const limit = options.limit ?? Infinity;
  const out: NumberMatch[] = [];
  NUMBER.lastIndex = 0;
  for (let match = NUMBER.exec(text); match !== null; match = NUMBER.exec(text)) {
    const value = toNumber(match[0]);
    if (Number.isFinite(value)) out.push({ value, raw: match[0], index: match.index });
    if (out.length >= limit) break;
  }
  NUMBER.lastIndex = 0;
  return out;
}

/**
 * Parses a string that is one number and nothing else (surrounding whitespace and a final
 * full stop allowed), with the same grammar as {@linkcode findNumbers}; undefined otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNumber } from "./find_numbers.ts";
 * assert.ok(parseNumber(" 1,234.5 ") === 1234.5);
 * assert.ok(parseNumber("12 apples") === undefined);
 * ```
 */
export function parseNumber(text: string): number | undefined {
  if (!WHOLE_NUMBER.test(text)) return undefined;
  const value = toNumber(text.trim().replace(/\.$/, ""));
  return Number.isFinite(value) ? value : undefined;
}
