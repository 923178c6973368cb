import assert from "node:assert/strict";
import { allocateStrata } from "./allocate_strata.ts";

Deno.test("allocateStrata() splits by largest remainder, ties to the larger stratum, then the key", () => {
  const strata = [{ key: "a", size: 7 }, { key: "b", size: 7 }, { key: "c", size: 6 }];
  // 6 × 7/20 = 2.1, 2.1, 1.8 → 2, 2, 1; the sixth place goes to the largest remainder (c).
  assert.deepEqual(Object.fromEntries(allocateStrata(strata, 6)), { a: 2, b: 2, c: 2 });
  // 1 × 7/20 = 0.35, 0.35, 0.3: a and b tie on remainder and size, a wins on its key.
  assert.deepEqual(Object.fromEntries(allocateStrata(strata, 1)), { a: 1, b: 0, c: 0 });
});

Deno.test("allocateStrata() keeps every item when count reaches the total", () => {
  const strata = [{ key: "x", size: 2 }, { key: "y", size: 1 }];
  assert.deepEqual(Object.fromEntries(allocateStrata(strata, 3)), { x: 2, y: 1 });
  assert.deepEqual(Object.fromEntries(allocateStrata(strata, 50)), { x: 2, y: 1 });
});

Deno.test("allocateStrata() always gives exactly count, within one of each exact share, never more than a stratum has", () => {
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648);
  for (let round = 0; round < 300; round++) {
    const strata = Array.from({ length: 1 + (next() % 6) }, (_, i) => ({
      key: `s${i}`,
      size: 1 + (next() % 40),
    }));
    const total = strata.reduce((n, s) => n + s.size, 0);
    const count = 1 + (next() % total);
    const split = allocateStrata(strata, count);
    assert.equal([...split.values()].reduce((a, b) => a + b, 0), Math.min(count, total));
    for (const s of strata) {
      const share = split.get(s.key)!;
      const exact = (count * s.size) / total;
      assert.ok(share <= s.size && Math.abs(share - exact) < 1, JSON.stringify({ strata, count }));
    }
  }
});
