import assert from "node:assert/strict";
import { holm, pairedCompare } from "./stats/mod.ts";
import { alignPairs, type SideValue, testPairSets } from "./paired_groups.ts";

const v = (
  side: "baseline" | "treatment",
  align: string,
  value: number,
  group = { slice: "a" },
): SideValue => ({ group, score: "acc", metric: "em", align, side, value });

Deno.test("alignPairs pairs values by key within each group, sorted by key, counting the rest", () => {
  const sets = alignPairs([
    v("treatment", "q2", 1),
    v("baseline", "q2", 0),
    v("baseline", "q1", 1),
    v("treatment", "q1", 1),
    v("baseline", "q3", 1),
    v("treatment", "q1", 0), // a duplicate: the first value stays
    v("baseline", "q1", 0, { slice: "b" }),
  ]);
  assert.deepEqual(sets, [
    {
      group: { slice: "a" },
      score: "acc",
      metric: "em",
      keys: ["q1", "q2"],
      baseline: [1, 0],
      treatment: [1, 1],
      unpaired: 2,
    },
    {
      group: { slice: "b" },
      score: "acc",
      metric: "em",
      keys: [],
      baseline: [],
      treatment: [],
      unpaired: 1,
    },
  ]);
});

Deno.test("testPairSets matches pairedCompare and corrects only the sets that have a p-value", () => {
  const base = [0, 1, 0, 0, 1, 0];
  const treat = [1, 1, 1, 0, 1, 1];
  const sets = [
    {
      group: { g: 1 },
      score: "s",
      metric: "m",
      keys: ["a", "b", "c", "d", "e", "f"],
      baseline: base,
      treatment: treat,
      unpaired: 0,
    },
    {
      group: { g: 2 },
      score: "s",
      metric: "m",
      keys: [],
      baseline: [],
      treatment: [],
      unpaired: 3,
    },
    {
      group: { g: 3 },
      score: "s",
      metric: "m",
      keys: ["a", "b"],
      baseline: [0.5, 2],
      treatment: [1.5, 1],
      unpaired: 0,
    },
  ];
  const rows = testPairSets(sets, { seed: 3, resamples: 200 });
  const r1 = pairedCompare(base, treat, { seed: 3, resamples: 200 });
  const r3 = pairedCompare([0.5, 2], [1.5, 1], { seed: 3, resamples: 200 });
  const adjusted = holm([r1.mcnemar!.pValue, r3.wilcoxon.pValue!]);
  assert.deepEqual(rows.map((r) => [r.g, r.n, r.test, r.p_value, r.p_adjusted]), [
    [1, 6, "mcnemar", r1.mcnemar!.pValue, adjusted[0]],
    [2, 0, null, null, null],
    [3, 2, "wilcoxon", r3.wilcoxon.pValue, adjusted[1]],
  ]);
  assert.deepEqual(rows[0], {
    g: 1,
    score: "s",
    metric: "m",
    unpaired: 0,
    n: 6,
    baseline_mean: r1.meanBaseline,
    treatment_mean: r1.meanTreatment,
    delta: r1.delta,
    ci_low: r1.ci.low,
    ci_high: r1.ci.high,
    test: "mcnemar",
    p_value: r1.mcnemar!.pValue,
    p_adjusted: adjusted[0],
    wins: 3,
    losses: 0,
    ties: 3,
  });
  const none = testPairSets(sets, { seed: 3, resamples: 200, correction: "none" });
  assert.deepEqual(none.map((r) => r.p_adjusted), none.map((r) => r.p_value));
});
