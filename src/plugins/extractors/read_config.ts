import { closestMatch } from "../../core/closest.ts";
import { ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";

/** Options of {@linkcode ConfigReader.number}. */
export interface NumberOptions {
  fallback?: number;
  min?: number;
  integer?: boolean;
}

/** Typed, validating access to one plugin's config table; every error is `SPEC_INVALID`. */
export interface ConfigReader {
  /** Rejects keys outside `keys`, suggesting the closest one for a typo. */
  only(keys: readonly string[]): void;
  /** The raw value, or undefined when the key is absent. */
  raw(key: string): Json | undefined;
  string(key: string): string | undefined;
  requiredString(key: string): string;
  boolean(key: string, fallback: boolean): boolean;
  number(key: string, options?: NumberOptions): number | undefined;
  oneOf<T extends string>(key: string, values: readonly T[], fallback: T): T;
  object(key: string): JsonObject | undefined;
  /** Throws the `SPEC_INVALID` error for `key`. */
  fail(key: string, message: string, suggestion?: string): never;
}

function describe(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "a table";
  const shown = JSON.stringify(value);
  return `${typeof value} ${shown.length > 40 ? shown.slice(0, 40) + "…" : shown}`;
}

/**
 * A reader over `config` for the plugin `pluginId`: each accessor checks the type of one key
 * and throws `ThemisError("SPEC_INVALID")` naming the plugin, the key and the fix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readConfig } from "./read_config.ts";
 * const read = readConfig({ flags: "i" }, "regex");
 * assert.ok(read.string("flags") === "i");
 * assert.ok(read.boolean("all", false) === false);
 * ```
 */
export function readConfig(config: JsonObject | undefined, pluginId: string): ConfigReader {
  const table: JsonObject = config ?? {};
  const fail = (key: string, message: string, suggestion?: string): never => {
    throw new ThemisError("SPEC_INVALID", `${pluginId}: "${key}" ${message}`, {
      path: key,
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  };
  const raw = (key: string): Json | undefined => Object.hasOwn(table, key) ? table[key] : undefined;
  const typed = <T>(key: string, check: (v: Json) => boolean, wanted: string): T | undefined => {
    const value = raw(key);
    if (value === undefined) return undefined;
    if (!check(value)) fail(key, `must be ${wanted}, got ${describe(value)}`);
    return value as T;
  };
  const reader: ConfigReader = {
    only(keys) {
      for (const key of Object.keys(table)) {
        if (keys.includes(key)) continue;
        const near = closestMatch(key, keys);
        fail(
          key,
          `is not an option of this plugin (options: ${keys.join(", ") || "none"})`,
          near === undefined ? undefined : `did you mean "${near}"?`,
        );
      }
    },
    raw,
    string: (key) => typed<string>(key, (v) => typeof v === "string", "a string"),
    requiredString(key) {
      const value = reader.string(key);
      return value === undefined ? fail(key, "is required (a string)") : value;
    },
    boolean: (key, fallback) =>
      typed<boolean>(key, (v) => typeof v === "boolean", "true or false") ?? fallback,
    number(key, options = {}) {
      const value = typed<number>(key, (v) => typeof v === "number", "a number") ??
        options.fallback;
      if (value === undefined) return undefined;
      if (options.integer && !Number.isInteger(value)) {
        fail(key, `must be an integer, got ${value}`);
      }
      if (options.min !== undefined && value < options.min) {
        fail(key, `must be at least ${options.min}, got ${value}`);
      }
      return value;
    },
    oneOf(key, values, fallback) {
      const value = reader.string(key);
      if (value === undefined) return fallback;
      if (!(values as readonly string[]).includes(value)) {
        const near = closestMatch(value, values);
        fail(
          key,
          `must be one of ${values.map((v) => `"${v}"`).join(", ")}, got "${value}"`,
          near === undefined ? undefined : `did you mean "${near}"?`,
        );
      }
      return value as typeof fallback;
    },
    object: (key) =>
      typed<JsonObject>(
        key,
        (v) => typeof v === "object" && v !== null && !Array.isArray(v),
        "a table (JSON object)",
      ),
    fail,
  };
  return reader;
}
