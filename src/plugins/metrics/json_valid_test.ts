import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";
import type { MetricInput } from "../types.ts";
import { jsonSchemaValid } from "./json_schema_valid.ts";
import { jsonValid, parsePrediction } from "./json_valid.ts";

const input = (prediction: Json): MetricInput => ({
  prediction,
  text: String(prediction),
  item: {},
  reference: undefined,
});

Deno.test("json_valid() is 1 for a string that parses as JSON as a whole", () => {
  assert.deepEqual(jsonValid.score(input(' {"a": [1, 2]}\n'), {}), { value: 1, details: {} });
  assert.equal(jsonValid.score(input("42"), {}).value, 1);
  assert.equal(jsonValid.score(input('"東京"'), {}).value, 1);
});

Deno.test("json_valid() is 1 for an answer that is already JSON (from a parse)", () => {
  assert.equal(jsonValid.score(input({ a: 1 }), {}).value, 1);
  assert.equal(jsonValid.score(input(null), {}).value, 1);
});

Deno.test("json_valid() is 0 with the parse error for fenced, partial or empty JSON", () => {
  const fenced = jsonValid.score(input('```json\n{"a": 1}\n```'), {});
  assert.equal(fenced.value, 0);
  assert.match(String(fenced.details?.reason), /^not valid JSON: /);
  assert.equal(jsonValid.score(input('{"a": 1'), {}).value, 0);
  assert.equal(jsonValid.score(input(""), {}).value, 0);
  assert.equal(jsonValid.score(input("{a: 1}"), {}).value, 0);
});

Deno.test("parsePrediction() parses strings and passes other JSON through", () => {
  assert.deepEqual(parsePrediction("[1]"), { ok: true, value: [1] });
  assert.deepEqual(parsePrediction(3), { ok: true, value: 3 });
  assert.equal(parsePrediction("nope").ok, false);
});

const SCHEMA = {
  type: "object",
  properties: { answer: { type: "integer" }, tags: { type: "array", items: { type: "string" } } },
  required: ["answer"],
  additionalProperties: false,
};

Deno.test("json_schema_valid() is 1 for JSON matching the schema", () => {
  assert.deepEqual(
    jsonSchemaValid.score(input('{"answer": 3, "tags": ["x"]}'), { schema: SCHEMA }),
    {
      value: 1,
      details: {},
    },
  );
  assert.equal(jsonSchemaValid.score(input({ answer: 3 }), { schema: SCHEMA }).value, 1);
});

Deno.test("json_schema_valid() is 0 with every violation listed", () => {
  assert.deepEqual(
    jsonSchemaValid.score(input('{"answer": 3.5, "tags": [1], "extra": true}'), { schema: SCHEMA }),
    {
      value: 0,
      details: {
        reason: 'does not match the schema: (root) must NOT have additional properties "extra"; ' +
          "/answer must be integer; /tags/0 must be string",
        errors: [
          '(root) must NOT have additional properties "extra"',
          "/answer must be integer",
          "/tags/0 must be string",
        ],
      },
    },
  );
});

Deno.test("json_schema_valid() is 0 when the prediction is not JSON", () => {
  const result = jsonSchemaValid.score(input("answer: 3"), { schema: SCHEMA });
  assert.equal(result.value, 0);
  assert.match(String(result.details?.reason), /^not valid JSON/);
});

Deno.test("json_schema_valid.validateConfig() requires a valid schema", () => {
  const spec = (text: string) => (e: unknown) =>
    isThemisError(e) && e.code === "SPEC_INVALID" && e.message.includes(text);
  assert.throws(() => jsonSchemaValid.validateConfig!({}), spec('"schema" is required'));
  assert.throws(
    () => jsonSchemaValid.validateConfig!({ schema: { type: 5 } }),
    spec("not a valid JSON Schema"),
  );
  assert.throws(
    () =>
      jsonSchemaValid.validateConfig!({
        schema: { $schema: "https://json-schema.org/draft/2020-12/schema" },
      }),
    spec("not a valid JSON Schema (draft-07)"),
  );
});
