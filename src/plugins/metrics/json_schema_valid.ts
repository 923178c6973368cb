import type { Json, JsonObject } from "../../core/json.ts";
import { checkJsonSchema, compileJsonSchema } from "../extractors/check_json_schema.ts";
import { readMetricConfig } from "./references.ts";
import { type Metric, type MetricResult, PLUGIN_API_VERSION } from "../types.ts";
import { BINARY } from "./metric_range.ts";
import { parsePrediction } from "./json_valid.ts";

const ID = "json_schema_valid";

function parseSchema(config: JsonObject): Json {
  const read = readMetricConfig(config, ID);
  read.only(["schema"]);
  const schema = read.raw("schema");
  if (schema === undefined) read.fail("schema", "is required (a JSON Schema table)");
  compileJsonSchema(schema!, ID);
  return schema!;
}

/**
 * `json_schema_valid`: 1 when the prediction is JSON (see `parsePrediction`: a string must
 * parse as a whole) that matches `schema` (JSON Schema draft-07, ajv; `format` not checked),
 * else 0. Details: `reason` and `errors` (JSON pointer + message) on failure. Needs no
 * reference. Config: `schema` (required).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonSchemaValid } from "./json_schema_valid.ts";
 * const input = { prediction: '{"answer": 3}', text: "", item: {}, reference: undefined };
 * const config = { schema: { type: "object", required: ["answer"] } };
 * assert.ok(jsonSchemaValid.score(input, config).value === 1);
 * ```
 */
export const jsonSchemaValid: Metric = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  range: BINARY,
  doc: {
    summary:
      "1 when the prediction is JSON that matches `schema` (JSON Schema draft-07), else 0. Needs no reference.",
    config: {
      schema: "the JSON Schema (required)",
    },
    example:
      'metrics = [{ id = "json_schema_valid", config = { schema = { type = "object", required = ["answer"] } } }]',
  },
  validateConfig(config) {
    parseSchema(config);
  },
  score(input, config): MetricResult {
    const schema = parseSchema(config);
    const parsed = parsePrediction(input.prediction);
    if (!parsed.ok) return { value: 0, details: { reason: parsed.error } };
    const check = checkJsonSchema(parsed.value, { schema, where: ID });
    if (check.ok) return { value: 1, details: {} };
    return { value: 0, details: { reason: check.error, errors: check.errors.slice(0, 20) } };
  },
};
