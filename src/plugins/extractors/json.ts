import type { Json, JsonObject } from "../../core/json.ts";
import { type Extractor, PLUGIN_API_VERSION } from "../types.ts";
import { findJson } from "./find_json.ts";
import { checkJsonSchema, compileJsonSchema } from "./check_json_schema.ts";
import { readConfig } from "./read_config.ts";

const ID = "json";

function parseSchema(config: JsonObject): Json | undefined {
  const read = readConfig(config, ID);
  read.only(["schema"]);
  const schema = read.raw("schema");
  if (schema !== undefined) compileJsonSchema(schema, ID);
  return schema;
}

/**
 * `json`: the first complete JSON object or array in the text (a ```` ```json ```` fenced
 * block first; braces inside strings and nesting handled; see `findJson`). Config: `schema`
 * (optional JSON Schema, draft-07, checked with ajv; `format` is not checked). A document that
 * breaks the schema is a failure naming the violations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { json } from "./json.ts";
 * const result = json.extract('Here: {"answer": 42}', { schema: { required: ["answer"] } });
 * assert.ok(result.ok && JSON.stringify(result.answer) === '{"answer":42}');
 * ```
 */
export const json: Extractor = {
  id: ID,
  doc: {
    summary: "The first complete JSON object or array in the text (a fenced ```json block first).",
    config: {
      schema: "an optional JSON Schema (draft-07) the document must match",
    },
    example: 'extractors = [{ id = "json", config = { schema = { required = ["answer"] } } }]',
  },
  pluginApi: PLUGIN_API_VERSION,
  validateConfig(config) {
    parseSchema(config);
  },
  extract(text, config) {
    const schema = parseSchema(config);
    const found = findJson(text);
    if (!found.ok) return found;
    if (schema !== undefined) {
      const check = checkJsonSchema(found.value, { schema, where: ID });
      if (!check.ok) return { ok: false, error: `the JSON found ${check.error}` };
    }
    return { ok: true, answer: found.value };
  },
};
