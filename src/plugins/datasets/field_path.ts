import type { Json, JsonObject } from "../../core/json.ts";

/**
 * Read a field of a row: the top-level key `path` when the row has it, else the dotted path
 * into nested values (`answers.text.0`: numeric steps index arrays), as prompt templates read
 * `{item.answers.text.0}`. `undefined` when any step is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readPath } from "./field_path.ts";
 * const row = { answers: { text: ["Paris", "paris"] }, "a.b": 1 };
 * assert.equal(readPath(row, "answers.text.0"), "Paris");
 * assert.equal(readPath(row, "a.b"), 1);
 * assert.equal(readPath(row, "answers.start"), undefined);
 * ```
 */
export function readPath(row: JsonObject, path: string): Json | undefined {
  if (Object.hasOwn(row, path)) return row[path];
  let value: Json | undefined = row;
  for (const step of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = Array.isArray(value)
      ? (/^\d+$/.test(step) ? value[Number(step)] : undefined)
      : Object.hasOwn(value, step)
      ? (value as JsonObject)[step]
      : undefined;
    if (value === undefined) return undefined;
  }
  return value;
}

/**
 * A row with the dataset's `fields` added: each alias becomes a top-level field holding the
 * value at its path (aliases whose path is missing are left out, so a prompt or metric that
 * needs them fails with a clear message). Returns the row itself when there are no fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withFields } from "./field_path.ts";
 * const row = withFields({ answers: { text: ["4"] } }, { answer: "answers.text" });
 * assert.equal(JSON.stringify(row.answer), '["4"]');
 * ```
 */
export function withFields(row: JsonObject, fields?: Record<string, string>): JsonObject {
  if (fields === undefined || Object.keys(fields).length === 0) return row;
  const out: JsonObject = { ...row };
  for (const [alias, path] of Object.entries(fields)) {
    const value = readPath(row, path);
    if (value !== undefined) out[alias] = value;
  }
  return out;
}

/** The path a field name stands for: its `fields` alias target, else the name itself. */
export function resolveField(name: string, fields?: Record<string, string>): string {
  return fields !== undefined && Object.hasOwn(fields, name) ? fields[name] : name;
}
