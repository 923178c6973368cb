import assert from "node:assert/strict";
import { compensatedSum, mean } from "./mean.ts";

Deno.test("compensatedSum() recovers digits that naive summation loses", () => {
  assert.equal(compensatedSum([1e16, 1, -1e16]), 1);
  assert.equal(compensatedSum(new Array(10).fill(0.1)), 1);
  assert.equal(compensatedSum([]), 0);
});

Deno.test("mean() of identical values is that value exactly", () => {
  assert.equal(mean([0.1, 0.1, 0.1]), 0.1);
  assert.equal(mean(new Array(7).fill(-2.3)), -2.3);
});

Deno.test("mean() does not depend on the order of the values", () => {
  const values = [1e10, 3.3, -1e10, 7.1, 0.2, 1e-8];
  assert.equal(mean(values), mean([...values].reverse()));
  assert.equal(mean(values), (3.3 + 7.1 + 0.2 + 1e-8) / 6);
});

Deno.test("mean() of an empty array is NaN", () => {
  assert.ok(Number.isNaN(mean([])));
});
