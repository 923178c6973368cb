import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { findJson } from "./find_json.ts";
import { json } from "./json.ts";
import { jsonField, parseFieldPath, readFieldPath } from "./json_field.ts";
import { checkJsonSchema, compileJsonSchema } from "./check_json_schema.ts";
import { assertScalesLinearly } from "../../../test/support/scaling.ts";

const specError = (text: string) => (e: unknown) =>
  isThemisError(e) && e.code === "SPEC_INVALID" && e.message.includes(text);

Deno.test("json() extracts the first object, with braces inside strings and nesting", () => {
  assert.deepEqual(
    json.extract('Sure {x} then {"a": "}{", "b": [1, {"c": 2}]} tail {"d": 3}', {}),
    {
      ok: true,
      answer: { a: "}{", b: [1, { c: 2 }] },
    },
  );
});

Deno.test("json() extracts an array and escaped quotes", () => {
  assert.deepEqual(json.extract('list: [1, "say \\"hi\\" ]", null]', {}), {
    ok: true,
    answer: [1, 'say "hi" ]', null],
  });
});

Deno.test("json() prefers a ```json fenced block over earlier bare JSON", () => {
  const text = 'Example: {"x": 1}\n```json\n{"answer": 2}\n```\n';
  assert.deepEqual(json.extract(text, {}), { ok: true, answer: { answer: 2 } });
});

Deno.test("json() reads an untagged fence like bare text", () => {
  assert.deepEqual(json.extract('```\n{"a": [1]}\n```', {}), { ok: true, answer: { a: [1] } });
});

Deno.test("json() recovers when prose opens a quote before the JSON", () => {
  assert.deepEqual(json.extract('He said "hi {" and then {"a": 1}', {}), {
    ok: true,
    answer: { a: 1 },
  });
});

Deno.test("json() keeps unicode strings", () => {
  assert.deepEqual(json.extract('{"答案": "東京 🗼"}', {}), {
    ok: true,
    answer: { "答案": "東京 🗼" },
  });
});

Deno.test("json() fails with the parse error when the braces are not JSON", () => {
  const result = json.extract("{a: 1}", {});
  assert.equal(result.ok, false);
  assert.match(
    (result as { error: string }).error,
    /^the text at offset 0 looks like JSON but does not parse: /,
  );
});

Deno.test("json() fails when there is no JSON, including empty text", () => {
  const error = { ok: false, error: "no JSON object or array found in the text" };
  assert.deepEqual(json.extract("", {}), error);
  assert.deepEqual(json.extract("just 42", {}), error);
  assert.deepEqual(json.extract('{"never": "closed"', {}), error);
});

Deno.test("json() checks the schema and names the violations", () => {
  const schema = {
    type: "object",
    properties: { answer: { type: "number" } },
    required: ["answer", "why"],
  };
  assert.deepEqual(json.extract('{"answer": 4, "why": "2+2"}', { schema }), {
    ok: true,
    answer: { answer: 4, why: "2+2" },
  });
  assert.deepEqual(json.extract('{"answer": "four"}', { schema }), {
    ok: false,
    error: "the JSON found does not match the schema: (root) must have required property 'why'; " +
      "/answer must be number",
  });
});

Deno.test("json.validateConfig() rejects an invalid schema", () => {
  assert.throws(
    () => json.validateConfig!({ schema: { type: "nope" } }),
    specError("not a valid JSON Schema"),
  );
  assert.throws(
    () => json.validateConfig!({ schema: { typo: 1 } }),
    specError('unknown keyword: "typo"'),
  );
  assert.throws(() => json.validateConfig!({ schema: "object" }), specError("JSON Schema object"));
});

Deno.test("compileJsonSchema() compiles once per schema, whatever the key order", () => {
  const a = compileJsonSchema({ type: "object", required: ["x"] }, "json");
  const b = compileJsonSchema({ required: ["x"], type: "object" }, "json");
  assert.equal(a, b);
});

Deno.test("checkJsonSchema() ignores format (annotation only) and reports enum values", () => {
  assert.deepEqual(
    checkJsonSchema("not-an-email", { schema: { type: "string", format: "email" }, where: "t" }),
    {
      ok: true,
    },
  );
  assert.deepEqual(checkJsonSchema("c", { schema: { enum: ["a", "b"] }, where: "t" }), {
    ok: false,
    error: 'does not match the schema: (root) must be equal to one of the allowed values ["a","b"]',
    errors: ['(root) must be equal to one of the allowed values ["a","b"]'],
  });
});

Deno.test("findJson() finds JSON at the end of brace-heavy prose, in time linear in its length", () => {
  assertScalesLinearly((n) => {
    const text = "{not json} [nor this] ".repeat(n) + '{"answer": 1}';
    return () =>
      assert.deepEqual(findJson(text), {
        ok: true,
        value: { answer: 1 },
        start: text.length - 13,
        end: text.length,
      });
  }, 200);
});

Deno.test("findJson() handles 1 MB of unbalanced brackets, in linear time", () => {
  // The sizes count repetitions of the unit.
  for (const [unit, n] of [["{", 2_000], ["[{", 1_000], ['"{', 1_000]] as const) {
    assert.equal(findJson(unit.repeat(1_000_000 / unit.length)).ok, false);
    assertScalesLinearly(
      (size) => {
        const text = unit.repeat(size);
        return () => assert.equal(findJson(text).ok, false);
      },
      n,
      { label: JSON.stringify(unit) },
    );
  }
});

Deno.test("json_field() reads a nested path", () => {
  const text = 'Result: {"result": {"items": [{"name": "x"}, {"name": "y"}]}}';
  assert.deepEqual(jsonField.extract(text, { path: "result.items[1].name" }), {
    ok: true,
    answer: "y",
  });
  assert.deepEqual(jsonField.extract('{"answer": null}', { path: "answer" }), {
    ok: true,
    answer: null,
  });
});

Deno.test("json_field() reads quoted keys with dots", () => {
  assert.deepEqual(jsonField.extract('{"a.b": {"c d": 1}}', { path: `["a.b"]['c d']` }), {
    ok: true,
    answer: 1,
  });
});

Deno.test("json_field() fails naming the path and the missing step", () => {
  assert.deepEqual(
    jsonField.extract('{"result": {"items": []}}', { path: "result.items[0].name" }),
    {
      ok: false,
      error: 'path "result.items[0].name" not found: result.items has 0 element(s), so no [0]',
    },
  );
  assert.deepEqual(jsonField.extract('{"a": 1, "b": 2}', { path: "answer" }), {
    ok: false,
    error: 'path "answer" not found: (root) has no key "answer" (keys: a, b)',
  });
  assert.deepEqual(jsonField.extract('{"a": 1}', { path: "a.b" }), {
    ok: false,
    error: 'path "a.b" not found: a is not an object, so it has no key "b"',
  });
  assert.deepEqual(jsonField.extract("no json", { path: "a" }), {
    ok: false,
    error: "no JSON object or array found in the text",
  });
});

Deno.test("parseFieldPath() parses keys, indexes and quoted keys", () => {
  assert.deepEqual(parseFieldPath("answer"), ["answer"]);
  assert.deepEqual(parseFieldPath("a.b[0][12].c"), ["a", "b", 0, 12, "c"]);
  assert.deepEqual(parseFieldPath('[0]["x.y"]'), [0, "x.y"]);
  assert.deepEqual(parseFieldPath("réponse.valeur"), ["réponse", "valeur"]);
});

Deno.test("parseFieldPath() rejects malformed paths", () => {
  for (const path of ["", ".a", "a..b", "a[", "a[x]", "a b", "a[0]b"]) {
    assert.throws(() => parseFieldPath(path), specError('"path"'), path);
  }
  assert.throws(() => jsonField.validateConfig!({}), specError('"path" is required'));
});

Deno.test("readFieldPath() reports the first missing step", () => {
  assert.deepEqual(readFieldPath([1, 2], [5]), {
    ok: false,
    error: "(root) has 2 element(s), so no [5]",
  });
  assert.deepEqual(readFieldPath({ a: 1 }, [0]), {
    ok: false,
    error: "(root) is not an array, so it has no [0]",
  });
});
