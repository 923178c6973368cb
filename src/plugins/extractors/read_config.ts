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
export function readConfig(
  config: JsonObject | undefined,
  pluginId: string,
  options: ReadConfigOptions = {},
): ConfigReader {
  return new TableReader(config ?? {}, pluginId, options.allow ?? NONE);
}

/** Options of {@linkcode readConfig}. */
export interface ReadConfigOptions {
  /** Keys `only()` always accepts besides those it is given (listed in its message too). */
  allow?: readonly string[];
}

const NONE: readonly string[] = [];

// A class, not closures: plugins read their config on every call, so a reader must be cheap.
class TableReader implements ConfigReader {
  constructor(
    readonly table: JsonObject,
    readonly pluginId: string,
    readonly allowed: readonly string[],
  ) {}

  fail(key: string, message: string, suggestion?: string): never {
    throw new ThemisError("SPEC_INVALID", `${this.pluginId}: "${key}" ${message}`, {
      path: key,
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  }

  only(keys: readonly string[]): void {
    for (const key in this.table) {
      if (!Object.hasOwn(this.table, key) || keys.includes(key) || this.allowed.includes(key)) {
        continue;
      }
      const options = [...keys, ...this.allowed];
      const near = closestMatch(key, options);
      this.fail(
        key,
        `is not an option of this plugin (options: ${options.join(", ") || "none"})`,
        near === undefined ? undefined : `did you mean "${near}"?`,
      );
    }
  }

  raw(key: string): Json | undefined {
    return Object.hasOwn(this.table, key) ? this.table[key] : undefined;
  }

  #typed<T>(key: string, check: (v: Json) => boolean, wanted: string): T | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!check(value)) this.fail(key, `must be ${wanted}, got ${describe(value)}`);
    return value as T;
  }

  string(key: string): string | undefined {
    return this.#typed<string>(key, isString, "a string");
  }

  requiredString(key: string): string {
    const value = this.string(key);
    return value === undefined ? this.fail(key, "is required (a string)") : value;
  }

  boolean(key: string, fallback: boolean): boolean {
    return this.#typed<boolean>(key, isBoolean, "true or false") ?? fallback;
  }

  number(key: string, options: NumberOptions = {}): number | undefined {
    const value = this.#typed<number>(key, isNumber, "a number") ?? options.fallback;
    if (value === undefined) return undefined;
    if (options.integer && !Number.isInteger(value)) {
      this.fail(key, `must be an integer, got ${value}`);
    }
    if (options.min !== undefined && value < options.min) {
      this.fail(key, `must be at least ${options.min}, got ${value}`);
    }
    return value;
  }

  oneOf<T extends string>(key: string, values: readonly T[], fallback: T): T {
    const value = this.string(key);
    if (value === undefined) return fallback;
    if (!(values as readonly string[]).includes(value)) {
      const near = closestMatch(value, values);
      this.fail(
        key,
        `must be one of ${values.map((v) => `"${v}"`).join(", ")}, got "${value}"`,
        near === undefined ? undefined : `did you mean "${near}"?`,
      );
    }
    return value as T;
  }

  object(key: string): JsonObject | undefined {
    return this.#typed<JsonObject>(key, isTable, "a table (JSON object)");
  }
}

const isString = (v: Json) => typeof v === "string";
const isBoolean = (v: Json) => typeof v === "boolean";
const isNumber = (v: Json) => typeof v === "number";
const isTable = (v: Json) => typeof v === "object" && v !== null && !Array.isArray(v);
