import { hash } from "node:crypto";

/**
 * The sha256 of a string's UTF-8 bytes, as hex (a lone surrogate counts as U+FFFD, as
 * `TextEncoder` encodes it). One native call with no object per hash: ids are hashed by the
 * million, and `node:crypto`'s `hash()` is about twice as fast there as the hand-written
 * TypeScript SHA-256 themis had and four times as fast as `@noble/hashes`
 * (docs/design/dependencies.md).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256 } from "./sha256.ts";
 * assert.equal(
 *   sha256("abc"),
 *   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * );
 * assert.equal(sha256("\uD800"), sha256("\uFFFD"));
 * ```
 */
export function sha256(text: string): string {
  return hash("sha256", text, "hex");
}
