import { ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import { type Extractor, PLUGIN_API_VERSION } from "../types.ts";
import { findJson } from "./find_json.ts";
import { readConfig } from "./read_config.ts";

const ID = "json_field";
// `.key` (or `key` first), `[0]`, `["key"]` / `['key']`.
const SEGMENT = /(\.)?([^.[\]"'\s]+)|\[(\d+)\]|\[(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\]/;
const PLAIN_KEY = /^[^.[\]"'\s]+$/;

/** One step of a path: an object key or an array index. */
export type PathSegment = string | number;

/**
 * Parses a field path such as `result.items[0].name` or `data["a.b"]` into its segments;
 * throws `SPEC_INVALID` for a malformed path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFieldPath } from "./json_field.ts";
 * assert.ok(JSON.stringify(parseFieldPath("result.items[0].name")) === '["result","items",0,"name"]');
 * ```
 */
export function parseFieldPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const segment = new RegExp(SEGMENT, "y");
  while (segment.lastIndex < path.length) {
    const at = segment.lastIndex;
    const m = segment.exec(path);
    // A bare key needs a dot before it, except as the first segment.
    const misplacedDot = m !== null && m[2] !== undefined && (at === 0) !== (m[1] === undefined);
    if (m === null || misplacedDot) {
      throw new ThemisError(
        "SPEC_INVALID",
        `${ID}: "path" ${JSON.stringify(path)} is malformed at character ${at + 1}; ` +
          `write keys with dots and indexes in brackets, e.g. "result.items[0].name" or 'a["b.c"]'`,
        { path: "path" },
      );
    }
    if (m[2] !== undefined) segments.push(m[2]);
    else if (m[3] !== undefined) segments.push(Number(m[3]));
    else segments.push((m[4] ?? m[5]).replace(/\\(.)/g, "$1"));
  }
  if (segments.length === 0) {
    throw new ThemisError("SPEC_INVALID", `${ID}: "path" must not be empty`, { path: "path" });
  }
  return segments;
}

/** Renders segments back into path syntax, for messages. */
function showPath(segments: PathSegment[]): string {
  return segments.map((s, i) =>
    typeof s === "number"
      ? `[${s}]`
      : PLAIN_KEY.test(s)
      ? (i === 0 ? s : `.${s}`)
      : `[${JSON.stringify(s)}]`
  ).join("") || "(root)";
}

/**
 * Reads `segments` out of `value`: `{ ok: true, value }`, or an error naming the first
 * missing step and what was there instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFieldPath } from "./json_field.ts";
 * const read = readFieldPath({ a: [{ b: 1 }] }, ["a", 0, "b"]);
 * assert.ok(read.ok && read.value === 1);
 * ```
 */
export function readFieldPath(
  value: Json,
  segments: PathSegment[],
): { ok: true; value: Json } | { ok: false; error: string } {
  let current: Json = value;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const here = showPath(segments.slice(0, i));
    if (typeof segment === "number") {
      if (!Array.isArray(current)) {
        return { ok: false, error: `${here} is not an array, so it has no [${segment}]` };
      }
      if (segment >= current.length) {
        return { ok: false, error: `${here} has ${current.length} element(s), so no [${segment}]` };
      }
      current = current[segment];
    } else {
      if (typeof current !== "object" || current === null || Array.isArray(current)) {
        return { ok: false, error: `${here} is not an object, so it has no key "${segment}"` };
      }
      if (!Object.hasOwn(current, segment)) {
        const keys = Object.keys(current).slice(0, 10).join(", ");
        return { ok: false, error: `${here} has no key "${segment}" (keys: ${keys || "none"})` };
      }
      current = current[segment];
    }
  }
  return { ok: true, value: current };
}

function parseOptions(config: JsonObject): { path: string; segments: PathSegment[] } {
  const read = readConfig(config, ID);
  read.only(["path"]);
  const path = read.requiredString("path");
  return { path, segments: parseFieldPath(path) };
}

/**
 * `json_field`: finds JSON like the `json` extractor, then reads the field at `path`
 * (`"answer"`, `"result.items[0].name"`, `'data["a.b"]'`). A missing field is a failure that
 * names the path and the first step that is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonField } from "./json_field.ts";
 * const result = jsonField.extract('{"result": {"items": [{"name": "x"}]}}', {
 *   path: "result.items[0].name",
 * });
 * assert.ok(result.ok && result.answer === "x");
 * ```
 */
export const jsonField: Extractor = {
  id: ID,
  doc: {
    summary:
      "Finds JSON like `json`, then reads the field at `path`; a missing field is a failure naming the path.",
    config: {
      path: 'the field path, e.g. `"answer"` or `"result.items[0].name"` (required)',
    },
    example: 'extractors = [{ id = "json_field", config = { path = "answer" } }]',
  },
  pluginApi: PLUGIN_API_VERSION,
  validateConfig(config) {
    parseOptions(config);
  },
  extract(text, config) {
    const { path, segments } = parseOptions(config);
    const found = findJson(text);
    if (!found.ok) return found;
    const read = readFieldPath(found.value, segments);
    if (!read.ok) return { ok: false, error: `path "${path}" not found: ${read.error}` };
    return { ok: true, answer: read.value };
  },
};
