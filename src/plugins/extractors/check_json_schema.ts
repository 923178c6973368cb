import { Ajv, type ErrorObject, type ValidateFunction } from "npm:ajv@8.20.0";
import { canonicalJson } from "../../core/canonical.ts";
import { errorMessage, ThemisError } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";

/** The result of {@linkcode checkJsonSchema}. */
export type SchemaCheck = { ok: true } | { ok: false; error: string; errors: string[] };

const MAX_CACHED = 256;
const MAX_LISTED = 5;
// Compiled validators by canonical JSON of the schema: a schema is compiled once per process.
const compiled = new Map<string, ValidateFunction>();

/**
 * Compiles a JSON Schema (draft-07, ajv 8) once and caches it by the canonical JSON of the
 * schema. `format` is an annotation only (not checked). Throws `SPEC_INVALID` naming `where`
 * when the schema itself is invalid or uses an unknown keyword.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileJsonSchema } from "./check_json_schema.ts";
 * const validate = compileJsonSchema({ type: "integer" }, "json");
 * assert.ok(validate(3) === true && validate("3") === false);
 * ```
 */
export function compileJsonSchema(schema: Json, where: string): ValidateFunction {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new ThemisError("SPEC_INVALID", `${where}: "schema" must be a JSON Schema object`, {
      path: "schema",
    });
  }
  const key = canonicalJson(schema);
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  let validate: ValidateFunction;
  try {
    // A fresh instance per schema: two schemas may declare the same `$id`.
    const ajv = new Ajv({
      allErrors: true,
      strictTypes: false,
      strictTuples: false,
      validateFormats: false,
    });
    validate = ajv.compile(schema);
  } catch (error) {
    throw new ThemisError(
      "SPEC_INVALID",
      `${where}: "schema" is not a valid JSON Schema (draft-07): ${errorMessage(error)}`,
      { path: "schema" },
      error,
    );
  }
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(key, validate);
  return validate;
}

function describeError(error: ErrorObject): string {
  const at = error.instancePath === "" ? "(root)" : error.instancePath;
  const params = error.params as Record<string, unknown>;
  const extra = typeof params.additionalProperty === "string"
    ? ` "${params.additionalProperty}"`
    : Array.isArray(params.allowedValues)
    ? ` ${JSON.stringify(params.allowedValues)}`
    : "";
  return `${at} ${error.message ?? error.keyword}${extra}`;
}

/**
 * Checks `value` against `options.schema` (`where` names the plugin in errors); on failure `error` lists the first violations as
 * `<JSON pointer> <message>`, e.g. `/answer must be number`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkJsonSchema } from "./check_json_schema.ts";
 * const schema = { type: "object", required: ["answer"] };
 * const result = checkJsonSchema({}, { schema, where: "json" });
 * assert.ok(!result.ok && result.error.includes("required property 'answer'"));
 * ```
 */
export function checkJsonSchema(
  value: Json,
  options: { schema: Json; where: string },
): SchemaCheck {
  const { schema, where } = options;
  const validate = compileJsonSchema(schema, where);
  if (validate(value)) return { ok: true };
  const errors = (validate.errors ?? []).map(describeError);
  const listed = errors.slice(0, MAX_LISTED).join("; ");
  const more = errors.length > MAX_LISTED ? ` (and ${errors.length - MAX_LISTED} more)` : "";
  return { ok: false, error: `does not match the schema: ${listed}${more}`, errors };
}
