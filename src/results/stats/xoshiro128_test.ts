import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { createXoshiro128 } from "./xoshiro128.ts";
import { reference } from "./_reference.ts";

Deno.test("createXoshiro128() reproduces the reference C implementation (xoshiro128** 1.1)", () => {
  // Printed by Blackman & Vigna's xoshiro128starstar.c seeded with splitmix64.c, seed 42.
  const rng = createXoshiro128(42);
  const first = Array.from({ length: 6 }, () => rng.nextUint32());
  assert.deepEqual(first, [1776835114, 4165204688, 17111135, 2317295270, 2792088233, 2554630222]);
});

Deno.test("createXoshiro128() agrees with the Python re-implementation of the reference script", () => {
  for (const { seed, uint32, index7, float } of reference.xoshiro128) {
    let rng = createXoshiro128(seed);
    assert.deepEqual(uint32.map(() => rng.nextUint32()), uint32, `seed ${seed}: uint32`);
    rng = createXoshiro128(seed);
    assert.deepEqual(index7.map(() => rng.nextIndex(7)), index7, `seed ${seed}: nextIndex(7)`);
    rng = createXoshiro128(seed);
    assert.deepEqual(float.map(() => rng.nextFloat()), float, `seed ${seed}: nextFloat`);
  }
});

Deno.test("createXoshiro128() gives different streams for different seeds", () => {
  const a = createXoshiro128(1);
  const b = createXoshiro128(2);
  const streamA = Array.from({ length: 4 }, () => a.nextUint32());
  const streamB = Array.from({ length: 4 }, () => b.nextUint32());
  assert.notDeepEqual(streamA, streamB);
});

Deno.test("nextIndex() stays in range and is close to uniform", () => {
  const rng = createXoshiro128(9);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 60_000; i++) counts[rng.nextIndex(6)]++;
  // Each count is Binomial(60000, 1/6): sd ≈ 91, so ±500 is a > 5 sd band.
  for (const count of counts) assert.ok(Math.abs(count - 10_000) < 500, String(counts));
  assert.equal(rng.nextIndex(1), 0);
});

Deno.test("nextFloat() lies in [0, 1)", () => {
  const rng = createXoshiro128(5);
  for (let i = 0; i < 10_000; i++) {
    const u = rng.nextFloat();
    assert.ok(u >= 0 && u < 1, String(u));
  }
});

Deno.test("createXoshiro128() rejects seeds that are not safe integers with QUERY_INVALID", () => {
  for (const seed of [1.5, NaN, 2 ** 60, Infinity]) {
    assert.throws(
      () => createXoshiro128(seed),
      (error) =>
        isThemisError(error) && error.code === "QUERY_INVALID" && error.details.path === "seed",
    );
  }
});

Deno.test("nextIndex() rejects n outside 1..2^32 with QUERY_INVALID", () => {
  const rng = createXoshiro128(1);
  for (const n of [0, -3, 2.5, 2 ** 32 + 1]) {
    assert.throws(
      () => rng.nextIndex(n),
      (error) => isThemisError(error) && error.code === "QUERY_INVALID",
    );
  }
});
