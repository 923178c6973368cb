import assert from "node:assert/strict";
import { canonicalJson } from "../core/canonical.ts";
import type { Json, JsonObject } from "../core/json.ts";
import { memberText } from "./json_member_text.ts";

const asText = (value: Json) => typeof value === "string" ? value : JSON.stringify(value);

Deno.test("memberText() reads what rendering the parsed member gives, or leaves it to the parse", () => {
  const values: Json[] = [
    "plain",
    'with "quote"',
    "tab\there",
    "é 😀 \u2028",
    "\uD800",
    "",
    0,
    -1.5,
    1e21,
    1e-7,
    true,
    false,
    null,
    [1, "a,b", { x: "}" }],
    { nested: { "a}": "]" } },
    "a\\b",
  ];
  const keys = ["q", "a.b", "é", "10", "2", 'k"ey', "__proto__", "z", ""];
  for (let i = 0; i < values.length; i++) {
    const row: JsonObject = {};
    keys.forEach((key, k) => (row[key] = values[(i + k) % values.length]));
    const json = canonicalJson(row);
    const parsed = JSON.parse(json) as JsonObject;
    for (const key of [...keys, "missing", "constructor"]) {
      const text = memberText(json, key);
      if (text !== undefined) assert.equal(text, asText(parsed[key]), `${json} ${key}`);
      else {
        const member = parsed[key];
        assert.ok(
          !Object.hasOwn(parsed, key) || typeof member === "object" || /\\/.test(json),
          `${json} ${key}`,
        );
      }
    }
  }
});

Deno.test("memberText() refuses what is not a compact JSON object", () => {
  assert.equal(memberText("[1]", "a"), undefined);
  assert.equal(memberText("{}", "a"), undefined);
  assert.equal(memberText('{"a":"unterminated', "a"), undefined);
  assert.equal(memberText('{"a":1,"b":', "b"), undefined);
});
