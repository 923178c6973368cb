/**
 * SHA-256 for ids hashed by the million (trial and candidate ids, seeds): the same digest as
 * `sha256Hex` (src/core/sha256.ts), computed in JavaScript. Planning hashes three short texts
 * per trial; `node:crypto` spends about a microsecond on each and leaves a native hasher behind
 * that only a full garbage collection frees (100,000 trials grew the process by ~60 MB), while
 * this one allocates nothing per hash, and starts from the state after a fixed prefix (the
 * dataset part of every trial of a slice) so that only the rest is hashed.
 */

/** SHA-256 round constants (FIPS 180-4 §4.2.2), as signed 32-bit words. */
const SHA256_K = new Int32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);
const INITIAL = new Int32Array([
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
]);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const encoder = new TextEncoder();

/** The message schedule of the block being compressed. */
const schedule = new Int32Array(64);

/** Compress `blocks` 64-byte blocks of `bytes` into `state` (FIPS 180-4, 6.2.2). */
function compress(state: Int32Array, bytes: Uint8Array, blocks: number): void {
  const w = schedule;
  let h0 = state[0], h1 = state[1], h2 = state[2], h3 = state[3];
  let h4 = state[4], h5 = state[5], h6 = state[6], h7 = state[7];
  for (let block = 0, p = 0; block < blocks; block++) {
    for (let i = 0; i < 16; i++, p += 4) {
      w[i] = (bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15], y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + s1 + (g ^ (e & (f ^ g))) + SHA256_K[i] + w[i]) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) | (c & (a | b)))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  state[0] = h0;
  state[1] = h1;
  state[2] = h2;
  state[3] = h3;
  state[4] = h4;
  state[5] = h5;
  state[6] = h6;
  state[7] = h7;
}

/**
 * The SHA-256 of `prefix + text + suffix` for many texts between one prefix and one suffix, as
 * the first `length` hex digits (`length` ≤ 64). Text is hashed as UTF-8, a lone surrogate as
 * U+FFFD, like `sha256Hex`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IdHasher } from "./id_hasher.ts";
 * import { sha256Hex } from "../core/canonical.ts";
 * const hasher = new IdHasher('{"kind":"candidate","sample":', "}");
 * assert.equal(hasher.hex("0", 12), sha256Hex('{"kind":"candidate","sample":0}').slice(0, 12));
 * ```
 */
export class IdHasher {
  /** The state after the prefix's whole blocks. */
  readonly #start = new Int32Array(INITIAL);
  readonly #startBytes: number;
  /** The prefix's bytes past its whole blocks, and the suffix's bytes. */
  readonly #head: Uint8Array;
  readonly #tail: Uint8Array;
  readonly #state = new Int32Array(8);
  /** The bytes hashed: the prefix's rest, the text (`#text`), the suffix, the padding. */
  #buffer = new Uint8Array(0);
  #text = this.#buffer;

  constructor(prefix = "", suffix = "") {
    const bytes = encoder.encode(prefix);
    const blocks = bytes.length >> 6;
    compress(this.#start, bytes, blocks);
    this.#startBytes = blocks << 6;
    this.#head = bytes.slice(this.#startBytes);
    this.#tail = encoder.encode(suffix);
  }

  /** The first `length` hex digits of the hash of the prefix, `text` and the suffix. */
  hex(text: string, length: number): string {
    const state = this.#digest(text);
    let out = "";
    for (let i = 0; out.length < length; i++) {
      const v = state[i];
      out += HEX[v >>> 24] + HEX[(v >>> 16) & 255] + HEX[(v >>> 8) & 255] + HEX[v & 255];
    }
    return out.length === length ? out : out.slice(0, length);
  }

  /** The first 32 bits of the hash, as an unsigned integer. */
  uint32(text: string): number {
    return this.#digest(text)[0] >>> 0;
  }

  #digest(text: string): Int32Array {
    const head = this.#head.length;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; 72 more for the padding.
    const room = head + text.length * 3 + this.#tail.length + 72;
    if (this.#buffer.length < room) {
      this.#buffer = new Uint8Array(2 * room);
      this.#buffer.set(this.#head);
      this.#text = this.#buffer.subarray(head);
    }
    const bytes = this.#buffer;
    let n = head;
    // ASCII is copied by a loop, which costs less than a call to encodeInto (~1 µs).
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) {
        n = head + encoder.encodeInto(text, this.#text).written;
        break;
      }
      bytes[n++] = c;
    }
    bytes.set(this.#tail, n);
    n += this.#tail.length;
    const bits = (this.#startBytes + n) * 8;
    bytes[n++] = 0x80;
    const blocks = (n + 8 + 63) >> 6;
    const end = blocks << 6;
    bytes.fill(0, n, end - 4);
    bytes[end - 8] = Math.floor(bits / 0x100000000) >>> 24;
    bytes[end - 7] = (Math.floor(bits / 0x100000000) >>> 16) & 255;
    bytes[end - 6] = (Math.floor(bits / 0x100000000) >>> 8) & 255;
    bytes[end - 5] = Math.floor(bits / 0x100000000) & 255;
    bytes[end - 4] = bits >>> 24;
    bytes[end - 3] = (bits >>> 16) & 255;
    bytes[end - 2] = (bits >>> 8) & 255;
    bytes[end - 1] = bits & 255;
    const state = this.#state;
    state.set(this.#start);
    compress(state, bytes, blocks);
    return state;
  }
}
