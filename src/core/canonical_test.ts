import assert from "node:assert/strict";
import { canonicalJson, contentHash } from "./canonical.ts";

Deno.test("canonicalJson() sorts keys at every depth and drops undefined members", () => {
  assert.equal(
    canonicalJson({ b: [3, { z: 1, a: undefined, m: null }], a: "x", c: undefined }),
    '{"a":"x","b":[3,{"m":null,"z":1}]}',
  );
});

Deno.test("canonicalJson() writes undefined array items as null, like JSON.stringify", () => {
  assert.equal(canonicalJson([1, undefined, "é"]), '[1,null,"é"]');
});

Deno.test("canonicalJson() refuses non-finite numbers and functions", () => {
  assert.throws(() => canonicalJson({ a: NaN }), /non-finite number NaN/);
  assert.throws(() => canonicalJson({ a: Infinity }), /non-finite/);
  assert.throws(() => canonicalJson(() => 1), /type function/);
});

Deno.test("canonicalJson() of an object equals JSON.stringify of the same object with sorted keys", () => {
  const value = { k: [1.5, -0, 1e21, "a\\u2028b\n"], e: true, d: { y: [], x: {} } };
  assert.equal(
    canonicalJson(value),
    '{"d":{"x":{},"y":[]},"e":true,"k":[1.5,0,1e+21,"a\\\\u2028b\\n"]}',
  );
});

Deno.test("contentHash() is the 12-hex prefix of sha256 of the canonical JSON", () => {
  // sha256('{"a":1}') = 015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862
  assert.equal(contentHash({ a: 1 }), "015abd7f5cc5");
});

/** The definition, written the slow and obvious way: every object's keys sorted. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((v) => v === undefined ? "null" : sortedJson(v)).join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).sort().filter((k) => obj[k] !== undefined);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(obj[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

Deno.test("canonicalJson() equals sorted-key JSON for random values, in order or not", () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const keys = ["a", "b", "z", "10", "2", "é", "A", "_", "aa"];
  const random = (depth: number): unknown => {
    const r = next();
    if (depth > 3 || r < 0.3) {
      return [1, -0, 2.5, "s", "\u2028", true, false, null, undefined][Math.floor(next() * 9)];
    }
    if (r < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => random(depth + 1));
    const obj: Record<string, unknown> = {};
    const chosen = keys.filter(() => next() < 0.4);
    // Half of the objects are built with their keys in order, half in a shuffled order.
    if (next() < 0.5) chosen.sort();
    for (const key of chosen) obj[key] = random(depth + 1);
    return obj;
  };
  for (let i = 0; i < 2000; i++) {
    const value = random(0);
    if (value === undefined) continue;
    assert.equal(canonicalJson(value), sortedJson(value));
  }
});

Deno.test("canonicalJson() does not call toJSON and refuses non-finite numbers deep inside", () => {
  assert.equal(canonicalJson({ a: new Date(0) }), '{"a":{}}');
  assert.throws(() => canonicalJson({ a: [{ b: NaN }] }), /non-finite/);
  assert.throws(() => canonicalJson({ a: { b: () => 1 } }), /type function/);
});
