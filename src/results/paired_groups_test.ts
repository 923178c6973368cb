import assert from "node:assert/strict";
import {
  clusteredPairedDifference,
  holm,
  minimumDetectableEffect,
  pairedCompare,
  studentTQuantile,
  summarize,
} from "./stats/mod.ts";
import { alignPairs, type PairSet, type SideValue, testPairSets } from "./paired_groups.ts";

const BINARY = { min: 0, max: 1, binary: true };

const v = (
  side: "baseline" | "treatment",
  align: string,
  value: number | null,
  extra: Partial<SideValue> = {},
): SideValue => ({
  group: { slice: "a" },
  score: "acc",
  metric: "em",
  align,
  side,
  value,
  range: BINARY,
  ...extra,
});

const counts = (trials: number, scored: number, invalid = 0, failed = 0) => ({
  trials,
  scored,
  invalid,
  failed,
});

Deno.test("alignPairs pairs values by key within each group, counting each side's outcomes", () => {
  const sets = alignPairs([
    v("treatment", "q2", 1),
    v("baseline", "q2", 0, { status: "invalid" }), // no answer, scored as the failing value
    v("baseline", "q1", 1),
    v("treatment", "q1", 1),
    v("baseline", "q3", 1),
    v("treatment", "q3", null, { status: "failed" }), // a failed generation pairs with nothing
    v("treatment", "q1", 0), // a duplicate: the first value stays
    v("baseline", "q1", 0, { group: { slice: "b" } }),
  ]);
  assert.deepEqual(sets, [
    {
      group: { slice: "a" },
      score: "acc",
      metric: "em",
      keys: ["q1", "q2"],
      baseline: [1, 0],
      treatment: [1, 1],
      unpaired: 3, // q3 on both sides, and the duplicate
      clusters: null,
      range: BINARY,
      counts: { baseline: counts(3, 2, 1, 0), treatment: counts(3, 2, 0, 1) },
    },
    {
      group: { slice: "b" },
      score: "acc",
      metric: "em",
      keys: [],
      baseline: [],
      treatment: [],
      unpaired: 1,
      clusters: null,
      range: BINARY,
      counts: { baseline: counts(1, 1), treatment: counts(0, 0) },
    },
  ]);
});

function set(
  group: Record<string, unknown>,
  baseline: number[],
  treatment: number[],
  extra: Partial<PairSet> = {},
): PairSet {
  const n = baseline.length;
  return {
    group,
    score: "s",
    metric: "m",
    keys: baseline.map((_, i) => `k${i}`),
    baseline,
    treatment,
    unpaired: 0,
    clusters: null,
    range: BINARY,
    counts: { baseline: counts(n, n), treatment: counts(n, n) },
    ...extra,
  };
}

Deno.test("testPairSets matches pairedCompare, adds se and MDE, corrects only sets with a p-value", () => {
  const base = [0, 1, 0, 0, 1, 0];
  const treat = [1, 1, 1, 0, 1, 1];
  const sets = [
    set({ g: 1 }, base, treat),
    set({ g: 2 }, [], [], {
      unpaired: 3,
      counts: { baseline: counts(2, 1, 0, 1), treatment: counts(1, 0, 1, 0) },
    }),
    set({ g: 3 }, [0.5, 2], [1.5, 1], { range: { min: null, max: null } }),
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
  // sd of the differences [1, 0, 1, 0, 0, 1] / √6
  const se = summarize([1, 0, 1, 0, 0, 1]).se!;
  assert.deepEqual(rows[0], {
    g: 1,
    score: "s",
    metric: "m",
    unpaired: 0,
    n: 6,
    baseline_mean: r1.meanBaseline,
    treatment_mean: r1.meanTreatment,
    delta: r1.delta,
    se,
    ci_low: r1.ci.low,
    ci_high: r1.ci.high,
    ci_method: "bootstrap",
    mde: minimumDetectableEffect(se),
    clusters: null,
    test: "mcnemar",
    p_value: r1.mcnemar!.pValue,
    p_adjusted: adjusted[0],
    wins: 3,
    losses: 0,
    ties: 3,
    n_trials_baseline: 6,
    n_trials_treatment: 6,
    n_scored_baseline: 6,
    n_scored_treatment: 6,
    n_invalid_baseline: 0,
    n_invalid_treatment: 0,
    n_failed_baseline: 0,
    n_failed_treatment: 0,
  });
  assert.deepEqual(
    [rows[1].n_trials_baseline, rows[1].n_failed_baseline, rows[1].n_invalid_treatment],
    [2, 1, 1],
  );
  const none = testPairSets(sets, { seed: 3, resamples: 200, correction: "none" });
  assert.deepEqual(none.map((r) => r.p_adjusted), none.map((r) => r.p_value));
});

Deno.test("testPairSets gives clustered pairs the cluster-robust interval, clipped to [-1, 1]", () => {
  // Differences [1, 1, 0, 0] in two clusters: mean 0.5, CR1 se = √(2/1 · (1² + 1²)) / 4 = 0.5,
  // t(0.975, 1 df) = 12.706 — the raw interval [-5.85, 6.85] leaves the range of a 0/1 delta.
  const [row] = testPairSets(
    [set({}, [0, 0, 1, 1], [1, 1, 1, 1], { clusters: ["a", "a", "b", "b"] })],
    { seed: 1, resamples: 100 },
  );
  const c = clusteredPairedDifference([0, 0, 1, 1], [1, 1, 1, 1], {
    clusters: ["a", "a", "b", "b"],
  });
  assert.equal(c.se, 0.5);
  assert.ok(c.ci!.low < -5 && c.ci!.high > 6);
  assert.ok(Math.abs(c.ci!.high - (0.5 + studentTQuantile(0.975, 1) * 0.5)) < 1e-12);
  assert.deepEqual(
    [row.delta, row.se, row.ci_low, row.ci_high, row.ci_method, row.clusters, row.mde],
    [0.5, 0.5, -1, 1, "t_cluster", 2, minimumDetectableEffect(0.5)],
  );
});

Deno.test("testPairSets clips a bootstrap interval to the range of a difference", () => {
  // A metric in [0, 1]: every delta lies in [-1, 1], whatever the bootstrap says.
  const [row] = testPairSets(
    [set({}, [0, 0, 0], [1, 1, 1], { range: { min: 0, max: 1 } })],
    { seed: 1, resamples: 100 },
  );
  assert.deepEqual([row.delta, row.ci_low, row.ci_high, row.se], [1, 1, 1, 0]);
  const [narrow] = testPairSets(
    [set({}, [0, 0, 0], [0.2, 0.4, 0.1], { range: { min: 0, max: 0.1 } })],
    { seed: 1, resamples: 100 },
  );
  assert.equal(narrow.ci_high, 0.1); // differenceRange([0, 0.1]) = [-0.1, 0.1]
});
