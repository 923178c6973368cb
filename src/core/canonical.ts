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
  // Most values are built with their keys in order: then the native serializer writes the
  // same text, much faster than building it piece by piece.
  return inCanonicalForm(value, 0) ? JSON.stringify(value) : canonicalText(value);
}

/** Nesting past which the check gives up (the piecewise writer then handles it). */
const MAX_CHECK_DEPTH = 64;

/**
 * True when `JSON.stringify` writes exactly the canonical text of `value`: plain objects
 * whose keys are already sorted, finite numbers, nothing JSON would skip or convert.
 */
function inCanonicalForm(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (value === null) return true;
      if (depth > MAX_CHECK_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          if (item !== undefined && !inCanonicalForm(item, depth + 1)) return false;
        }
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      const obj = value as Record<string, unknown>;
      if ("toJSON" in obj) return false;
      let previous: string | undefined;
      for (const key in obj) {
        if (previous !== undefined && previous > key) return false;
        previous = key;
        const item = obj[key];
        if (item !== undefined && !inCanonicalForm(item, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** Canonical JSON written piece by piece: sorts keys and refuses what JSON cannot hold. */
function canonicalText(value: unknown): string {
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
          out += item === undefined ? "null" : canonicalText(item);
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
        out += (first ? "" : ",") + JSON.stringify(key) + ":" + canonicalText(item);
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
