import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { percentile, percentileSorted } from "./percentile.ts";
import { reference } from "./_reference.ts";

Deno.test("percentile() equals numpy.percentile (method 'linear') bit for bit", () => {
  for (const { name, values, q, expected } of reference.percentile) {
    assert.deepEqual(q.map((p) => percentile(values, p)), expected, name);
  }
});

Deno.test("percentileSorted() interpolates between neighbours and clamps to the ends", () => {
  const sorted = [10, 20, 30, 40];
  assert.equal(percentileSorted(sorted, 0), 10);
  assert.equal(percentileSorted(sorted, 100), 40);
  assert.equal(percentileSorted(sorted, 50), 25);
  assert.equal(percentileSorted(sorted, 10), 13);
  assert.equal(percentileSorted(Float64Array.from([7]), 37), 7);
});

Deno.test("percentile() does not modify its input", () => {
  const values = [3, 1, 2];
  percentile(values, 50);
  assert.deepEqual(values, [3, 1, 2]);
});

Deno.test("percentile() rejects empty input, non-finite values and q outside [0, 100]", () => {
  const invalid = (path: string) => (error: unknown) =>
    isThemisError(error) && error.code === "QUERY_INVALID" && error.details.path === path;
  assert.throws(() => percentile([], 50), invalid("values"));
  assert.throws(() => percentile([1, NaN], 50), invalid("values[1]"));
  assert.throws(() => percentile([1, 2], 101), invalid("q"));
  assert.throws(() => percentile([1, 2], -1), invalid("q"));
  assert.throws(() => percentile([1, 2], NaN), invalid("q"));
});
