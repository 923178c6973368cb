/** One group of a stratified pick: its key (canonical JSON of the value) and its size. */
export interface Stratum {
  key: string;
  size: number;
}

/**
 * How many items each stratum keeps so that `count` items are split in proportion to the
 * strata's sizes (largest remainder method, in exact integer arithmetic). Leftover places go to
 * the largest remainders, then the larger strata, then the smaller keys, so the split is the
 * same on every machine. A `count` at least the total keeps everything.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allocateStrata } from "./allocate_strata.ts";
 * const split = allocateStrata([{ key: '"a"', size: 6 }, { key: '"b"', size: 3 }, { key: '"c"', size: 1 }], 5);
 * assert.ok(split.get('"a"') === 3 && split.get('"b"') === 2 && split.get('"c"') === 0);
 * ```
 */
export function allocateStrata(strata: ReadonlyArray<Stratum>, count: number): Map<string, number> {
  const total = strata.reduce((n, s) => n + s.size, 0);
  const out = new Map<string, number>();
  if (count >= total) {
    for (const s of strata) out.set(s.key, s.size);
    return out;
  }
  let given = 0;
  const rest = strata.map((s) => {
    const share = Math.floor((count * s.size) / total);
    out.set(s.key, share);
    given += share;
    return { ...s, remainder: (count * s.size) % total };
  });
  rest.sort((a, b) =>
    b.remainder - a.remainder || b.size - a.size || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
  for (let i = 0; given < count; i++, given++) {
    const s = rest[i % rest.length];
    out.set(s.key, out.get(s.key)! + 1);
  }
  return out;
}
