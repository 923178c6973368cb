import assert from "node:assert/strict";
import { sha256Hex } from "../core/canonical.ts";
import { IdHasher } from "./id_hasher.ts";

Deno.test("IdHasher gives sha256Hex's digest for every length around the block edges", () => {
  for (const prefix of ["", "p", "x".repeat(55), "y".repeat(64), "z".repeat(130)]) {
    const hasher = new IdHasher(prefix);
    for (let n = 0; n < 200; n++) {
      const text = "abcdefghij".repeat(20).slice(0, n);
      assert.equal(hasher.hex(text, 64), sha256Hex(prefix + text), `${prefix.length}+${n}`);
    }
  }
});

Deno.test("IdHasher hashes text as UTF-8, a lone surrogate as U+FFFD, like sha256Hex", () => {
  const texts = ["héllo", "日本語", "😀 emoji", "lone \uD800 high", "lone \uDC00 low", "end\uD83D"];
  for (const prefix of ["", '{"dataset":"é",']) {
    const hasher = new IdHasher(prefix);
    for (const text of texts) assert.equal(hasher.hex(text, 64), sha256Hex(prefix + text), text);
  }
});

Deno.test("IdHasher gives short forms and the first 32 bits, and reuses its state between texts", () => {
  const hasher = new IdHasher("{");
  const long = "q".repeat(5000);
  assert.equal(hasher.hex(long, 12), sha256Hex(`{${long}`).slice(0, 12));
  assert.equal(hasher.hex("a", 12), sha256Hex("{a").slice(0, 12));
  assert.equal(hasher.hex("a", 9), sha256Hex("{a").slice(0, 9));
  assert.equal(hasher.uint32("a"), parseInt(sha256Hex("{a").slice(0, 8), 16));
});

Deno.test("IdHasher hashes a suffix after the text", () => {
  for (const [prefix, suffix] of [["", "}"], ["p".repeat(70), "s".repeat(130)], ["é", "ü😀"]]) {
    const hasher = new IdHasher(prefix, suffix);
    for (let n = 0; n < 130; n++) {
      const text = "t".repeat(n);
      assert.equal(hasher.hex(text, 64), sha256Hex(prefix + text + suffix), `${n}`);
    }
  }
});
