/**
 * xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c), seeded
 * by two outputs of splitmix64. Every step is 32-bit integer arithmetic, so the sequence is
 * identical on every machine; `scripts/stats_reference.py` re-implements it bit for bit.
 *
 * @module
 */

import { assertInteger } from "./_validate.ts";

/** A deterministic source of random numbers. */
export interface RandomSource {
  /** The next raw output, an integer in [0, 2^32). */
  nextUint32(): number;
  /** A float in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** An integer in [0, n), unbiased (rejection sampling), for an integer 1 <= n <= 2^32. */
  nextIndex(n: number): number;
}

const MASK64 = (1n << 64n) - 1n;
const TWO_32 = 4294967296;

function splitmix64(state: bigint): { state: bigint; value: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return { state: next, value: z ^ (z >> 31n) };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Creates a xoshiro128** generator from a seed. The seed is any safe integer (negative seeds
 * are taken modulo 2^64); the state words are the low and high halves of the first two
 * splitmix64 outputs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createXoshiro128 } from "./xoshiro128.ts";
 * const a = createXoshiro128(42), b = createXoshiro128(42);
 * assert.equal(a.nextUint32(), b.nextUint32());
 * assert.ok(a.nextIndex(6) < 6);
 * ```
 */
export function createXoshiro128(seed: number): RandomSource {
  assertInteger(seed, { name: "seed", fn: "createXoshiro128()" });
  const first = splitmix64(BigInt.asUintN(64, BigInt(seed)));
  const second = splitmix64(first.state);
  const s = new Uint32Array([
    Number(first.value & 0xffffffffn),
    Number(first.value >> 32n),
    Number(second.value & 0xffffffffn),
    Number(second.value >> 32n),
  ]);
  // An all-zero state would emit zeros forever; splitmix64 makes it practically impossible.
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;

  function nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  return {
    nextUint32,
    nextFloat() {
      const high = nextUint32() >>> 5; // 27 bits
      const low = nextUint32() >>> 6; // 26 bits
      return (high * 67108864 + low) / 9007199254740992;
    },
    nextIndex(n: number) {
      assertInteger(n, { name: "n", fn: "nextIndex()", min: 1, max: TWO_32 });
      const limit = TWO_32 - (TWO_32 % n);
      for (;;) {
        const u = nextUint32();
        if (u < limit) return u % n;
      }
    },
  };
}
