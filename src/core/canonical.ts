import { sha256 } from "./sha256.ts";
import { ThemisError } from "./errors.ts";

/**
 * Canonical JSON: object keys sorted, no insignificant whitespace, `undefined` object members
 * dropped. Non-finite numbers are refused because they have no JSON form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalJson } from "./canonical.ts";
 * assert.equal(canonicalJson({ b: 1, a: [true, null] }), '{"a":[true,null],"b":1}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) {
        throw new ThemisError("INTERNAL", `Cannot hash the non-finite number ${value}`);
      }
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          const item = value[i];
          out += item === undefined ? "null" : canonicalJson(item);
        }
        return out + "]";
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      // Most objects are written with their keys in order already: sort only when they are not.
      for (let i = 1; i < keys.length; i++) {
        if (keys[i - 1] > keys[i]) {
          keys.sort();
          break;
        }
      }
      let out = "{";
      let first = true;
      for (const key of keys) {
        const item = obj[key];
        if (item === undefined) continue;
        out += (first ? "" : ",") + JSON.stringify(key) + ":" + canonicalJson(item);
        first = false;
      }
      return out + "}";
    }
    default:
      throw new ThemisError("INTERNAL", `Cannot hash a value of type ${typeof value}`);
  }
}

/** Full sha256 hex of a string. */
export function sha256Hex(text: string): string {
  return sha256(text);
}

/** Length of the short form of an id (DESIGN §2). */
export const SHORT_ID_LENGTH = 12;

/**
 * Content hash of any JSON-able value: sha256 of its canonical JSON, short form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentHash } from "./canonical.ts";
 * assert.equal(contentHash({ a: 1 }), contentHash({ a: 1 }));
 * assert.equal(contentHash({ a: 1 }).length, 12);
 * ```
 */
export function contentHash(value: unknown): string {
  return sha256Hex(canonicalJson(value)).slice(0, SHORT_ID_LENGTH);
}
