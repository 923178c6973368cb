import type { Json } from "../../core/json.ts";

/** The result of {@linkcode findJson}. */
export type FoundJson =
  | { ok: true; value: Json; start: number; end: number }
  | { ok: false; error: string };

const OPENERS = new Set(["{", "["]);
const MAX_RESCANS = 32;

function tryParse(source: string): { value: Json } | { error: string } {
  try {
    return { value: JSON.parse(source) as Json };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Fenced code blocks whose info string is `json` (any case): [contentStart, contentEnd). */
function jsonFences(text: string): Array<[number, number]> {
  const fences: Array<[number, number]> = [];
  let at = text.indexOf("```");
  while (at !== -1) {
    const lineEnd = text.indexOf("\n", at + 3);
    if (lineEnd === -1) break;
    const close = text.indexOf("```", lineEnd + 1);
    if (close === -1) break;
    if (text.slice(at + 3, lineEnd).trim().toLowerCase() === "json") {
      fences.push([lineEnd + 1, close]);
    }
    at = text.indexOf("```", close + 3);
  }
  return fences;
}

interface Scan {
  /** [open, close] index pairs of balanced brackets seen outside strings. */
  pairs: Array<[number, number]>;
  /** First opener this scan saw inside a string: where the next scan starts, or -1. */
  nextStart: number;
}

/** One pass from `start`: string-aware bracket matching over the rest of the text. */
function scanBrackets(text: string, start: number): Scan {
  const pairs: Array<[number, number]> = [];
  const stack: number[] = [];
  let inString = false;
  let nextStart = -1;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      // JSON strings never hold a raw newline: a quote left open by prose ends at the line.
      else if (ch === '"' || ch === "\n") inString = false;
      else if (nextStart === -1 && OPENERS.has(ch)) nextStart = i;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") stack.push(i);
    else if ((ch === "}" || ch === "]") && stack.length > 0) {
      const open = stack[stack.length - 1];
      if ((text[open] === "{") === (ch === "}")) pairs.push([stack.pop()!, i]);
    }
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return { pairs, nextStart };
}

/**
 * The first complete JSON object or array in `text`. A block fenced as ```` ```json ```` wins
 * over bare JSON elsewhere; otherwise brackets are matched outside JSON strings (so braces
 * inside strings and nested braces are handled) and the first balanced span that parses wins.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findJson } from "./find_json.ts";
 * const found = findJson('Sure! {"answer": "{x}", "n": [1, {"k": 2}]} Hope it helps.');
 * assert.ok(found.ok && JSON.stringify(found.value) === '{"answer":"{x}","n":[1,{"k":2}]}');
 * ```
 */
export function findJson(text: string): FoundJson {
  for (const [from, to] of jsonFences(text)) {
    const inner = text.slice(from, to);
    const trimmed = inner.trim();
    if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) continue;
    const parsed = tryParse(trimmed);
    if ("value" in parsed) {
      const start = from + inner.indexOf(trimmed[0]);
      return { ok: true, value: parsed.value, start, end: start + trimmed.length };
    }
  }
  let firstError: string | undefined;
  // Bounds the total parsing work on adversarial text (deeply nested, never-valid brackets).
  let budget = 64 * text.length + 1_000_000;
  const tried = new Set<number>();
  let start = text.search(/[{[]/);
  for (let scans = 0; start !== -1 && scans < MAX_RESCANS; scans++) {
    const { pairs, nextStart } = scanBrackets(text, start);
    for (const [open, close] of pairs) {
      if (tried.has(open)) continue;
      tried.add(open);
      budget -= close - open + 1;
      if (budget < 0) {
        return { ok: false, error: "gave up looking for JSON: too many unbalanced brackets" };
      }
      const parsed = tryParse(text.slice(open, close + 1));
      if ("value" in parsed) return { ok: true, value: parsed.value, start: open, end: close + 1 };
      firstError ??=
        `the text at offset ${open} looks like JSON but does not parse: ${parsed.error}`;
    }
    start = nextStart;
  }
  return { ok: false, error: firstError ?? "no JSON object or array found in the text" };
}
