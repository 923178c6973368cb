import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { bootstrapCi } from "./bootstrap_ci.ts";
import { percentile } from "./percentile.ts";
import { createXoshiro128 } from "./xoshiro128.ts";
import { assertClose, reference } from "./_reference.ts";

const SCORES = [0.31, 0.92, 0.45, 0.77, 0.58, 0.12, 0.66, 0.83, 0.29, 0.5];

for (const { name, values, seed, resamples, confidence, expected } of reference.bootstrap) {
  Deno.test(`bootstrapCi() equals the reference re-implementation + numpy.percentile: ${name}`, () => {
    assertClose(bootstrapCi(values, { seed, resamples, confidence }), expected);
  });
}

Deno.test("bootstrapCi() gives identical numbers for the same seed", () => {
  const a = bootstrapCi(SCORES, { seed: 2024, resamples: 1000 });
  const b = bootstrapCi(SCORES, { seed: 2024, resamples: 1000 });
  assert.deepEqual(a, b);
  assert.deepEqual(a, {
    estimate: 0.5429999999999999,
    low: 0.3879250000000001,
    high: 0.6950000000000001,
    method: "percentile",
    confidence: 0.95,
    resamples: 1000,
    seed: 2024,
  });
});

Deno.test("bootstrapCi() gives different numbers for a different seed", () => {
  const other = bootstrapCi(SCORES, { seed: 2025, resamples: 1000 });
  assert.equal(other.low, 0.393975);
  assert.equal(other.high, 0.6910000000000001);
  assert.equal(other.estimate, 0.5429999999999999);
});

Deno.test("bootstrapCi() covers the true mean at about the nominal rate", () => {
  // 400 samples of 40 uniforms (true mean ½); percentile intervals undercover slightly.
  const rng = createXoshiro128(11);
  let covered = 0;
  const trials = 400;
  for (let t = 0; t < trials; t++) {
    const sample = Array.from({ length: 40 }, () => rng.nextFloat());
    const ci = bootstrapCi(sample, { seed: t, resamples: 400, confidence: 0.9 });
    if (ci.low <= 0.5 && 0.5 <= ci.high) covered++;
  }
  const coverage = covered / trials;
  assert.ok(coverage > 0.85 && coverage < 0.95, `coverage ${coverage}`);
});

Deno.test("bootstrapCi() interval of the mean lies within the data and around the estimate", () => {
  const ci = bootstrapCi(SCORES, { seed: 3, resamples: 2000 });
  assert.ok(Math.min(...SCORES) <= ci.low && ci.low <= ci.estimate);
  assert.ok(ci.estimate <= ci.high && ci.high <= Math.max(...SCORES));
});

Deno.test("bootstrapCi() narrows as confidence falls and as the sample grows", () => {
  const wide = bootstrapCi(SCORES, { seed: 3, confidence: 0.99, resamples: 2000 });
  const narrow = bootstrapCi(SCORES, { seed: 3, confidence: 0.5, resamples: 2000 });
  assert.ok(narrow.high - narrow.low < wide.high - wide.low);
  const big = bootstrapCi([...SCORES, ...SCORES, ...SCORES, ...SCORES], {
    seed: 3,
    resamples: 2000,
  });
  const small = bootstrapCi(SCORES, { seed: 3, resamples: 2000 });
  assert.ok(big.high - big.low < small.high - small.low);
});

Deno.test("bootstrapCi() of constant data is a zero-width interval at the constant", () => {
  const ci = bootstrapCi([0.3, 0.3, 0.3], { seed: 1, resamples: 50 });
  assert.equal(ci.low, 0.3);
  assert.equal(ci.high, 0.3);
  assert.equal(ci.estimate, 0.3);
});

Deno.test("bootstrapCi() accepts another statistic, e.g. the median", () => {
  const median = (sample: number[]) => percentile(sample, 50);
  const ci = bootstrapCi(SCORES, { seed: 4, resamples: 500, statistic: median });
  assert.equal(ci.estimate, 0.54);
  assert.ok(ci.low <= 0.54 && ci.high >= 0.54);
});

Deno.test("bootstrapCi() rejects empty data, bad values and bad options with QUERY_INVALID", () => {
  const invalid = (path: string) => (error: unknown) =>
    isThemisError(error) && error.code === "QUERY_INVALID" && error.details.path === path;
  assert.throws(() => bootstrapCi([], { seed: 1 }), invalid("values"));
  assert.throws(() => bootstrapCi([1, NaN], { seed: 1 }), invalid("values[1]"));
  assert.throws(() => bootstrapCi([1, 2], { seed: 0.5 }), invalid("seed"));
  assert.throws(() => bootstrapCi([1, 2], { seed: 1, resamples: 0 }), invalid("resamples"));
  assert.throws(() => bootstrapCi([1, 2], { seed: 1, confidence: 1.5 }), invalid("confidence"));
});
