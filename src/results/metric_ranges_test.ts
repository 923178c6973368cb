import assert from "node:assert/strict";
import { unionRange } from "./metric_ranges.ts";

Deno.test("unionRange takes the ranges of a million trials (no spread into Math.min)", () => {
  const ranges = Array.from({ length: 1_000_000 }, (_, i) => ({ min: 0, max: 1 + (i % 3) }));
  assert.deepEqual(unionRange(ranges), { min: 0, max: 3 });
  const binary = Array.from({ length: 1_000_000 }, () => ({ min: 0, max: 1, binary: true }));
  assert.deepEqual(unionRange(binary), { min: 0, max: 1, binary: true });
  assert.deepEqual(unionRange([...binary, { min: -1, max: null }]), { min: -1, max: null });
});
