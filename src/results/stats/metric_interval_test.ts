import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { bootstrapCi } from "./bootstrap_ci.ts";
import { clipToRange, metricInterval } from "./metric_interval.ts";
import { clopperPearsonInterval, wilsonInterval } from "./proportion_interval.ts";
import { summarize } from "./summarize.ts";

const BINARY = { min: 0, max: 1, binary: true };
const UNIT = { min: 0, max: 1 };

Deno.test("metricInterval() uses Wilson for 0/1 values of a binary metric, Clopper–Pearson on request", () => {
  const values = [1, 1, 1, 0, 1, 1, 1, 1];
  const w = wilsonInterval(7, 8);
  assert.deepEqual(metricInterval(values, { range: BINARY }), {
    n: 8,
    mean: 0.875,
    low: w.low,
    high: w.high,
    method: "wilson",
    confidence: 0.95,
    clipped: false,
  });
  const cp = clopperPearsonInterval(7, 8, { confidence: 0.9 });
  const r = metricInterval(values, { range: BINARY, method: "clopper_pearson", confidence: 0.9 });
  assert.deepEqual([r?.low, r?.high, r?.method], [cp.low, cp.high, "clopper_pearson"]);
});

Deno.test("metricInterval() clips the issue-12 intervals back into [0, 1]", () => {
  // Issue 12 saw t intervals like [0.363, 1.137] for accuracy 0.75; 3 of 4 gives [−0.05, 1.55].
  const t = metricInterval([1, 1, 1, 0], { range: BINARY, method: "t" });
  const raw = summarize([1, 1, 1, 0]).ci!;
  assert.ok(raw.low < 0 && raw.high > 1);
  assert.deepEqual(t, {
    n: 4,
    mean: 0.75,
    low: 0,
    high: 1,
    method: "t",
    confidence: 0.95,
    clipped: true,
  });
  const w = metricInterval([1, 1, 1, 0], { range: BINARY })!;
  assert.ok(w.low >= 0 && w.high <= 1 && w.method === "wilson");
});

Deno.test("metricInterval() falls back to a clipped t interval when a binary metric was averaged", () => {
  const values = [0.8, 1, 1, 0.6, 1]; // mean over samples of a 0/1 metric
  const r = metricInterval(values, { range: BINARY, method: "wilson" })!;
  assert.equal(r.method, "t");
  assert.equal(r.high, 1);
  assert.ok(r.clipped);
});

Deno.test("metricInterval() clips bootstrap intervals and leaves unbounded metrics alone", () => {
  const values = [0.9, 1, 1, 0.95, 1, 0.99];
  const b = bootstrapCi(values, { seed: 3, resamples: 500 });
  const r = metricInterval(values, { range: UNIT, method: "bootstrap", seed: 3, resamples: 500 })!;
  assert.deepEqual([r.low, r.high, r.method], [b.low, Math.min(b.high, 1), "bootstrap"]);
  const lengths = [12, 40, 7, 19];
  const s = summarize(lengths).ci!;
  const u = metricInterval(lengths, { range: { min: 0, max: null } })!;
  assert.deepEqual([u.low, u.high, u.clipped], [Math.max(0, s.low), s.high, s.low < 0]);
  assert.deepEqual(metricInterval(lengths)?.low, s.low);
});

Deno.test("metricInterval() returns null without enough values, and never leaves the range", () => {
  assert.equal(metricInterval([], { range: BINARY }), null);
  assert.equal(metricInterval([0.5], { range: UNIT }), null); // t needs two values
  assert.notEqual(metricInterval([1], { range: BINARY }), null); // Wilson does not
  for (let n = 1; n <= 30; n++) {
    for (let c = 0; c <= n; c++) {
      const values = Array.from({ length: n }, (_, i) => (i < c ? 1 : 0));
      for (const method of ["wilson", "clopper_pearson", "t", "bootstrap"] as const) {
        const r = metricInterval(values, { range: BINARY, method, seed: 1, resamples: 50 });
        if (r !== null) assert.ok(r.low >= 0 && r.high <= 1, `${method} ${c}/${n}`);
      }
    }
  }
});

Deno.test("metricInterval() rejects what it cannot compute with QUERY_INVALID", () => {
  const invalid = (path: string) => (e: unknown) =>
    isThemisError(e) && e.code === "QUERY_INVALID" && e.details.path === path;
  assert.throws(() => metricInterval([1, 0], { method: "bootstrap" }), invalid("seed"));
  assert.throws(() => metricInterval([1, 0], { method: "wald" as never }), invalid("method"));
  assert.throws(() => metricInterval([1, NaN]), invalid("values[1]"));
  assert.throws(() => metricInterval([1, 0], { confidence: 95 }), invalid("confidence"));
});

Deno.test("clipToRange() clips either side and reports it", () => {
  assert.deepEqual(clipToRange({ low: -1, high: 2 }, UNIT), { low: 0, high: 1, clipped: true });
  assert.deepEqual(clipToRange({ low: 0.2, high: 0.4 }, UNIT), {
    low: 0.2,
    high: 0.4,
    clipped: false,
  });
  assert.deepEqual(clipToRange({ low: -1, high: 2 }, { min: null, max: null }), {
    low: -1,
    high: 2,
    clipped: false,
  });
});
