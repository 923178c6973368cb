import assert from "node:assert/strict";
import { isThemisError, type ThemisError } from "../../core/errors.ts";
import { readConfig } from "./read_config.ts";

function specError(message: RegExp, suggestion?: string) {
  return (e: unknown) => {
    assert.ok(isThemisError(e));
    assert.equal((e as ThemisError).code, "SPEC_INVALID");
    assert.match((e as ThemisError).message, message);
    if (suggestion !== undefined) assert.equal((e as ThemisError).details.suggestion, suggestion);
    return true;
  };
}

Deno.test("readConfig() returns typed values and defaults", () => {
  const read = readConfig({ s: "x", b: true, n: 2, u: "words", t: { a: 1 } }, "demo");
  assert.equal(read.string("s"), "x");
  assert.equal(read.string("missing"), undefined);
  assert.equal(read.requiredString("s"), "x");
  assert.equal(read.boolean("b", false), true);
  assert.equal(read.boolean("missing", true), true);
  assert.equal(read.number("n", { min: 0, integer: true }), 2);
  assert.equal(read.number("missing", { fallback: 7 }), 7);
  assert.equal(read.oneOf("u", ["chars", "words"] as const, "chars"), "words");
  assert.deepEqual(read.object("t"), { a: 1 });
});

Deno.test("readConfig() names plugin, key and wrong type", () => {
  assert.throws(
    () => readConfig({ flags: 3 }, "regex").string("flags"),
    specError(/^regex: "flags" must be a string, got number 3$/),
  );
  assert.throws(
    () => readConfig({}, "regex").requiredString("pattern"),
    specError(/"pattern" is required/),
  );
  assert.throws(
    () => readConfig({ n: 1.5 }, "x").number("n", { integer: true }),
    specError(/must be an integer/),
  );
  assert.throws(() => readConfig({ n: -1 }, "x").number("n", { min: 0 }), specError(/at least 0/));
  assert.throws(() => readConfig({ t: [1] }, "x").object("t"), specError(/got an array/));
});

Deno.test("readConfig().only() suggests the closest key for a typo", () => {
  assert.throws(
    () => readConfig({ case_sensitve: true }, "exact_match").only(["case_sensitive"]),
    specError(/"case_sensitve" is not an option/, 'did you mean "case_sensitive"?'),
  );
});

Deno.test("readConfig().oneOf() lists the allowed values and suggests one", () => {
  assert.throws(
    () => readConfig({ unit: "word" }, "length").oneOf("unit", ["chars", "words"], "chars"),
    specError(/must be one of "chars", "words", got "word"/, 'did you mean "words"?'),
  );
});
