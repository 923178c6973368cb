import type { z } from "npm:zod@4.6.7";

/** The parts of a zod 4 schema definition the walk reads. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  values?: unknown[];
  valueType?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema itself once wrappers (default, optional, lazy, pipe …) are taken off. */
function unwrap(schema: z.ZodType): z.ZodType {
  for (let i = 0; i < 16; i++) {
    const def = defOf(schema);
    const inner = def.innerType ?? def.in ?? def.getter?.();
    if (
      inner === undefined ||
      !["default", "optional", "nullable", "prefault", "lazy", "pipe", "readonly", "catch"]
        .includes(def.type)
    ) {
      return schema;
    }
    schema = inner;
  }
  return schema;
}

/** The option of a discriminated union the raw value picks (by its discriminator's value). */
function pickOption(def: Def, raw: unknown): z.ZodType | undefined {
  if (def.discriminator === undefined || typeof raw !== "object" || raw === null) return;
  const value = (raw as Record<string, unknown>)[def.discriminator];
  return def.options?.find((option) => {
    const field = defOf(unwrap(option)).shape?.[def.discriminator!];
    return field !== undefined && (defOf(unwrap(field)).values ?? []).includes(value);
  });
}

/**
 * The keys an object in a spec may have, found by walking the schema along `path` with the
 * raw value (which picks the branch of a discriminated union, such as a dataset's `kind`);
 * undefined where the walk cannot tell. Used to suggest the key a typo meant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { knownKeysAt } from "./known_keys.ts";
 * import { BenchmarkSpecSchema } from "./schemas.ts";
 * const raw = { slices: [{ dataset: { kind: "jsonl", pth: "x.jsonl" } }] };
 * const keys = knownKeysAt(BenchmarkSpecSchema, raw, ["slices", 0, "dataset"]);
 * assert.deepEqual(keys, ["kind", "path", "id_field", "fields"]);
 * assert.ok(knownKeysAt(BenchmarkSpecSchema, {}, [])!.includes("num_samples"));
 * ```
 */
export function knownKeysAt(
  schema: z.ZodType,
  raw: unknown,
  path: ReadonlyArray<PropertyKey>,
): string[] | undefined {
  let current: z.ZodType | undefined = schema;
  let value = raw;
  for (const step of [...path, undefined]) {
    if (current === undefined) return undefined;
    let def = defOf(unwrap(current));
    if (def.type === "union") {
      const option = pickOption(def, value);
      if (option === undefined) return undefined;
      def = defOf(unwrap(option));
    }
    if (step === undefined) return def.type === "object" ? Object.keys(def.shape ?? {}) : undefined;
    value = typeof value === "object" && value !== null
      ? (value as Record<PropertyKey, unknown>)[step as string]
      : undefined;
    current = def.type === "object"
      ? def.shape?.[String(step)]
      : def.type === "array"
      ? def.element
      : def.type === "record"
      ? def.valueType
      : undefined;
  }
  return undefined;
}
