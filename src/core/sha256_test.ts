import assert from "node:assert/strict";
import { seededRandom } from "./prng.ts";
import { sha256 } from "./sha256.ts";

Deno.test("sha256() matches the FIPS 180-2 test vectors", () => {
  assert.equal(sha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(
    sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  assert.equal(
    sha256("a".repeat(1_000_000)),
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
  );
});

Deno.test("sha256() hashes TextEncoder's UTF-8 bytes of random strings of every length to 300", async () => {
  // Web Crypto over TextEncoder is the reference: ids made before sha256() used node:crypto
  // hashed exactly those bytes, lone surrogates included (as U+FFFD).
  const random = seededRandom(42);
  const alphabet = ["a", "Z", "0", "{", '"', "é", "中", "😀", "\n", "\u0000", "\uD800", "\uDC00"];
  const encoder = new TextEncoder();
  for (let length = 0; length <= 300; length++) {
    let text = "";
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
    const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
    assert.equal(sha256(text), hex, `length ${length}`);
  }
});
