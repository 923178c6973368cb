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
