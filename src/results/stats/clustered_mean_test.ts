import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { clusteredMean, clusteredPairedDifference } from "./clustered_mean.ts";
import { summarize } from "./summarize.ts";
import { assertClose, intervalReference } from "./_reference.ts";

Deno.test("clusteredMean() matches statsmodels OLS cov_type='cluster' (CR1, use_t) within 1e-9", () => {
  for (const c of intervalReference.clusteredMean) {
    const r = clusteredMean(c.values, { clusters: c.clusters, confidence: c.confidence });
    const e = c.expected;
    assertClose(
      { mean: r.mean, se: r.se, low: r.ci?.low, high: r.ci?.high, df: r.ci?.df },
      e,
      { path: c.name },
    );
    assert.equal(r.clusters, e.df + 1);
  }
});

Deno.test("clusteredPairedDifference() matches statsmodels on the per-item differences", () => {
  for (const c of intervalReference.clusteredPairedDifference) {
    const r = clusteredPairedDifference(c.baseline, c.treatment, {
      clusters: c.clusters,
      confidence: c.confidence,
    });
    const e = c.expected;
    assertClose(
      { mean: r.mean, se: r.se, low: r.ci?.low, high: r.ci?.high, df: r.ci?.df },
      e,
      { path: c.name },
    );
  }
});

Deno.test("clusteredMean() with one item per cluster is the ordinary standard error", () => {
  const values = [0.2, 0.9, 0.4, 0.7, 0.5, 0.1];
  const r = clusteredMean(values, { clusters: values.map((_, i) => i) });
  assert.ok(Math.abs(r.se! - summarize(values).se!) < 1e-15);
});

Deno.test("clusteredMean() keeps labels apart by value and type, and needs two clusters for an SE", () => {
  const r = clusteredMean([1, 0, 1, 0], { clusters: [1, "1", 1, "1"] });
  assert.equal(r.clusters, 2);
  assert.deepEqual(clusteredMean([1, 0, 1], { clusters: ["a", "a", "a"] }), {
    n: 3,
    clusters: 1,
    mean: 2 / 3,
    se: null,
    ci: null,
  });
});

Deno.test("clusteredMean() and clusteredPairedDifference() reject bad input with QUERY_INVALID", () => {
  const invalid = (path: string) => (e: unknown) =>
    isThemisError(e) && e.code === "QUERY_INVALID" && e.details.path === path;
  assert.throws(() => clusteredMean([1, 0], { clusters: ["a"] }), invalid("clusters"));
  assert.throws(
    () => clusteredMean([1, 0], { clusters: ["a", null as never] }),
    invalid("clusters[1]"),
  );
  assert.throws(() => clusteredMean([], { clusters: [] }), invalid("values"));
  assert.throws(() => clusteredMean([1, Infinity], { clusters: [1, 2] }), invalid("values[1]"));
  assert.throws(
    () => clusteredPairedDifference([1, 0], [1], { clusters: [1, 2] }),
    invalid("treatment"),
  );
});
