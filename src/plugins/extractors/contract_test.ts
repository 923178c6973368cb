import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import type { JsonObject } from "../../core/json.ts";
import { PLUGIN_API_VERSION } from "../types.ts";
import { builtinExtractors } from "./mod.ts";
import { assertScalesLinearly } from "../../../test/support/scaling.ts";

// A valid config per extractor; the contract below runs every extractor with it.
const CONFIGS: Record<string, JsonObject> = {
  regex: { pattern: "answer: (\\w+)", flags: "i" },
  first_number: {},
  last_number: {},
  choice_letter: {},
  boxed_text: {},
  normalized_text: { strip_articles: true },
  json: { schema: { type: "object" } },
  json_field: { path: "answer" },
  code_block: { language: "python", pick: "last" },
};

const PHRASE = 'The quick brown fox, 12 {jumps} [over] "the" lazy dog (B). ';
const MEGABYTE = PHRASE.repeat(18_000);
const HOSTILE = [
  "",
  "   \n\t ",
  "\u0000\u0001",
  "\ud800 lone surrogate",
  "💥🎉 emoji only 💥",
  "}{][)(",
  "\\boxed{",
  '{"unterminated": "string',
  "Ответ: Б. 答案是 42。",
  MEGABYTE,
];

// Runs that make careless regexes backtrack quadratically.
const RUNS = [
  " ",
  "*",
  ".",
  "(",
  "{",
  '"',
  "1,000",
  "1e",
  "\\boxed{",
  "answer: ",
  "A ",
  "\n",
  "**",
];

Deno.test("builtinExtractors have unique snake_case ids and speak plugin API 1", () => {
  const ids = builtinExtractors.map((e) => e.id);
  assert.deepEqual(ids, [...new Set(ids)]);
  assert.deepEqual(Object.keys(CONFIGS).sort(), [...ids].sort());
  for (const extractor of builtinExtractors) {
    assert.match(extractor.id, /^[a-z][a-z_]*$/);
    assert.equal(extractor.pluginApi, PLUGIN_API_VERSION);
    assert.equal(typeof extractor.validateConfig, "function");
  }
});

for (const extractor of builtinExtractors) {
  const config = CONFIGS[extractor.id];

  Deno.test(`${extractor.id}: accepts its documented config`, () => {
    extractor.validateConfig!(config);
  });

  Deno.test(`${extractor.id}: never throws on hostile text and returns JSON answers`, () => {
    for (const text of HOSTILE) {
      const result = extractor.extract(text, config);
      if (result.ok) {
        assert.deepEqual(JSON.parse(JSON.stringify(result.answer)), result.answer);
      } else {
        assert.equal(typeof result.error, "string");
        assert.ok(result.error.length > 0);
      }
      assert.deepEqual(extractor.extract(text, config), result, "deterministic");
    }
  });

  Deno.test(`${extractor.id}: reads a long text in time linear in its length`, () => {
    assertScalesLinearly((n) => {
      const text = PHRASE.repeat(n);
      return () => extractor.extract(text, config);
    }, 125);
  });

  Deno.test(`${extractor.id}: stays linear on long runs of one character`, () => {
    for (const unit of RUNS) {
      assertScalesLinearly(
        (n) => {
          const text = "Answer: " + unit.repeat(Math.ceil(n / unit.length)) + "!";
          return () => extractor.extract(text, config);
        },
        2_000,
        { label: JSON.stringify(unit) },
      );
    }
  });

  Deno.test(`${extractor.id}: rejects an unknown config key, naming it`, () => {
    assert.throws(
      () => extractor.validateConfig!({ ...config, no_such_option: true }),
      (e) => isThemisError(e) && e.code === "SPEC_INVALID" && e.message.includes("no_such_option"),
    );
  });
}
