import assert from "node:assert/strict";
import { canonicalJson } from "../../core/canonical.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import { canonicalRow, rowCanonicalizer } from "./canonical_row.ts";

const KEYS = ["id", "q", "a", "Z", "é", "10", "2", "0", "answer", "a.b", "", "__proto__x", "😀"];

/** A random JSON value from a seeded generator (the same values on every run). */
function randomValue(next: () => number, depth: number): Json {
  const pick = next();
  if (depth > 3 || pick < 0.3) {
    const scalars: Json[] = [null, true, false, 0, -1.5, 1e21, "x", "\uD800", 'é\n"', ""];
    return scalars[Math.floor(next() * scalars.length)];
  }
  if (pick < 0.5) {
    return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  }
  const out: JsonObject = {};
  for (let i = Math.floor(next() * 5); i > 0; i--) {
    out[KEYS[Math.floor(next() * KEYS.length)]] = randomValue(next, depth + 1);
  }
  return out;
}

Deno.test("canonicalRow() gives canonicalJson's text for random rows", () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 5000; i++) {
    const row: JsonObject = { id: i, nested: randomValue(next, 0) };
    for (let k = Math.floor(next() * 4); k > 0; k--) {
      row[KEYS[Math.floor(next() * KEYS.length)]] = randomValue(next, 1);
    }
    const parsed = JSON.parse(JSON.stringify(row));
    assert.equal(canonicalRow(parsed), canonicalJson(parsed), JSON.stringify(row));
  }
});

Deno.test("canonicalRow() handles __proto__ keys, wide rows and non-finite numbers as canonicalJson does", () => {
  const proto = JSON.parse('{"b":{"__proto__":1},"a":{"c":2}}');
  assert.equal(canonicalRow(proto), canonicalJson(proto));
  const wide = JSON.parse(JSON.stringify(
    Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${299 - i}`, { [`n${i}`]: i }])),
  ));
  assert.equal(canonicalRow(wide), canonicalJson(wide));
  assert.throws(() => canonicalRow(JSON.parse('{"b":1,"a":1e400}')), { code: "INTERNAL" });
});

Deno.test("rowCanonicalizer() gives canonicalJson's text as row shapes come and go", () => {
  const canonical = rowCanonicalizer();
  const rows = [
    '{"q":"a","id":1}',
    '{"q":"b","id":2}',
    '{"id":3,"q":"c"}',
    '{"q":"d","id":4,"n":[1,"x",null]}',
    '{"q":"e","id":5,"n":[{"b":1,"a":2}]}',
    '{"10":"a","2":"b","x":1}',
    '{"10":"c","2":"d","x":2}',
    '{"__proto__":1,"a":2}',
    '{"b":{"d":1,"c":2},"a":1}',
    '{"q":"f","id":6}',
    "{}",
  ].map((text) => JSON.parse(text));
  for (const row of rows) assert.equal(canonical(row), canonicalJson(row), JSON.stringify(row));
  assert.throws(() => canonical(JSON.parse('{"b":1,"a":1e400}')), { code: "INTERNAL" });
});
