import { canonicalJson } from "../../core/canonical.ts";
import type { Json, JsonObject } from "../../core/json.ts";

/** Rows with more keys than this (counted once per object) take `canonicalJson`'s walk. */
const MAX_LOOKUPS = 4096;
const INTEGER_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * `canonicalJson` of a row parsed from JSON, several times faster for the rows datasets have:
 * `JSON.stringify` given the row's keys, sorted, as its property list writes every object's
 * keys in that order, which is the canonical one. Same text, same errors (a non-finite number
 * is refused by `canonicalJson`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalRow } from "./canonical_row.ts";
 * assert.equal(canonicalRow({ q: "x", id: 1, m: { b: [{ z: 1, a: 2 }], a: null } }),
 *   '{"id":1,"m":{"a":null,"b":[{"a":2,"z":1}]},"q":"x"}');
 * ```
 */
export function canonicalRow(row: JsonObject): string {
  const keys = new Set<string>();
  let objects = 0;
  let sorted = true;
  let plain = true;
  const visit = (value: Json): void => {
    if (typeof value === "number") {
      if (!Number.isFinite(value)) plain = false;
      return;
    }
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    objects++;
    let previous: string | undefined;
    for (const key in value) {
      if (previous !== undefined && previous > key) sorted = false;
      previous = key;
      keys.add(key);
      visit(value[key]);
    }
  };
  visit(row);
  if (!plain) return canonicalJson(row);
  if (sorted) return JSON.stringify(row);
  // `__proto__` would be read from the prototype of an object that lacks it.
  if (keys.has("__proto__") || keys.size * objects > MAX_LOOKUPS) return canonicalJson(row);
  return JSON.stringify(row, [...keys].sort());
}

/** Whether an array holds only text, booleans, null and finite numbers. */
function scalars(values: Json[]): boolean {
  for (const value of values) {
    if (typeof value === "object" ? value !== null : !isFiniteOrNotNumber(value)) return false;
  }
  return true;
}

const isFiniteOrNotNumber = (value: Json) => typeof value !== "number" || Number.isFinite(value);

/**
 * {@linkcode canonicalRow} for the rows of one dataset, faster still when rows share a shape
 * (the same keys in the same order, with no nested object): the sorted keys of the last shape
 * are kept, and a row of that shape is written as a copy with its keys in that order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rowCanonicalizer } from "./canonical_row.ts";
 * const canonical = rowCanonicalizer();
 * assert.equal(canonical({ q: "a", id: 1 }), '{"id":1,"q":"a"}');
 * assert.equal(canonical({ q: "b", id: 2 }), '{"id":2,"q":"b"}');
 * ```
 */
export function rowCanonicalizer(): (row: JsonObject) => string {
  let shape: string[] = [];
  /** The shape's keys sorted, when that is another order; whether to copy or list them. */
  let order: string[] | undefined;
  let copy = false;
  return (row) => {
    let count = 0;
    let same = true;
    for (const key in row) {
      if (key !== shape[count]) same = false;
      count++;
      const value = row[key];
      if (typeof value === "object" && value !== null) {
        if (!Array.isArray(value) || !scalars(value)) return canonicalRow(row);
      } else if (!isFiniteOrNotNumber(value)) return canonicalRow(row);
    }
    if (!same || count !== shape.length) {
      shape = Object.keys(row);
      const sorted = [...shape].sort();
      order = sorted.some((key, i) => key !== shape[i]) ? sorted : undefined;
      // A copy keeps the order keys are added in, unless a key looks like an array index.
      copy = !shape.some((key) => INTEGER_KEY.test(key) || key === "__proto__");
    }
    if (order === undefined) return JSON.stringify(row);
    if (!copy) return JSON.stringify(row, order);
    const out: JsonObject = {};
    for (const key of order) out[key] = row[key];
    return JSON.stringify(out);
  };
}
