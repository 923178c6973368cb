import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { pairedCompare } from "./paired_compare.ts";
import { assertClose, reference } from "./_reference.ts";

for (const c of reference.pairedCompare) {
  Deno.test(`pairedCompare() matches numpy/scipy and the reference bootstrap: ${c.name}`, () => {
    const { seed, resamples, confidence } = c;
    assertClose(
      pairedCompare(c.baseline, c.treatment, { seed, resamples, confidence }),
      c.expected,
    );
  });
}

Deno.test("pairedCompare() of binary scores counts discordant pairs for McNemar", () => {
  const baseline = [1, 1, 0, 0, 1, 0, 1, 0];
  const treatment = [1, 0, 1, 1, 1, 1, 1, 0];
  const r = pairedCompare(baseline, treatment, { seed: 9, resamples: 200 });
  // Baseline-only correct: item 1 (b = 1); treatment-only correct: items 2, 3, 5 (c = 3).
  assert.deepEqual(r.mcnemar, { b: 1, c: 3, pValue: 0.625 });
  assert.deepEqual([r.wins, r.losses, r.ties], [3, 1, 4]);
  assert.equal(r.delta, 0.25);
  assert.equal(r.meanBaseline, 0.5);
  assert.equal(r.meanTreatment, 0.75);
});

Deno.test("pairedCompare() omits McNemar (null) when any score is not 0 or 1", () => {
  const r = pairedCompare([1, 0, 0.5], [1, 1, 0], { seed: 1, resamples: 100 });
  assert.equal(r.mcnemar, null);
});

Deno.test("pairedCompare() of identical conditions has zero delta, all ties and Wilcoxon p = 1", () => {
  const scores = [0.2, 0.8, 0.5];
  const r = pairedCompare(scores, scores, { seed: 1, resamples: 100 });
  assert.equal(r.delta, 0);
  assert.deepEqual([r.ci.low, r.ci.high], [0, 0]);
  assert.deepEqual([r.wins, r.losses, r.ties], [0, 0, 3]);
  // No difference is no evidence: p = 1 keeps the comparison in a Holm/BH family.
  assert.equal(r.wilcoxon.pValue, 1);
});

Deno.test("pairedCompare() is reproducible from its seed and sensitive to it", () => {
  const baseline = [0.61, 0.42, 0.77, 0.35, 0.58, 0.49, 0.66, 0.71, 0.38, 0.55];
  const treatment = [0.68, 0.47, 0.74, 0.49, 0.63, 0.52, 0.79, 0.7, 0.46, 0.6];
  const a = pairedCompare(baseline, treatment, { seed: 12, resamples: 1000 });
  const b = pairedCompare(baseline, treatment, { seed: 12, resamples: 1000 });
  const c = pairedCompare(baseline, treatment, { seed: 13, resamples: 1000 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.ci, c.ci);
  assert.ok(a.ci.low > 0, "every bootstrap interval excludes 0 for this consistent gain");
});

Deno.test("pairedCompare() rejects misaligned, empty or non-finite input with QUERY_INVALID", () => {
  const invalid = (path: string) => (error: unknown) =>
    isThemisError(error) && error.code === "QUERY_INVALID" && error.details.path === path;
  assert.throws(() => pairedCompare([1, 0], [1], { seed: 1 }), invalid("treatment"));
  assert.throws(() => pairedCompare([], [], { seed: 1 }), invalid("baseline"));
  assert.throws(() => pairedCompare([1, NaN], [1, 0], { seed: 1 }), invalid("baseline[1]"));
  assert.throws(() => pairedCompare([1, 0], [1, 0], { seed: 1.5 }), invalid("seed"));
});
