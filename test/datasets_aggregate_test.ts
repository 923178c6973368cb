/**
 * Aggregates over slices that share a score spec: two slices whose scores are identical (same
 * name, metrics and parse) share one score hash, which must count each trial once.
 */
import { withoutStats } from "./support/rows.ts";
import assert from "node:assert/strict";
import { type BenchmarkSpecInput, Orchestrator, Store } from "../mod.ts";

Deno.test({
  name: "two slices with the same score spec count each trial once in aggregate()",
  fn: async () => {
    const store = Store.open(await Deno.makeTempDir({ prefix: "themis-shared-score-" }));
    try {
      const orchestrator = Orchestrator.fromProjectSpec(
        { project_name: "shared", executor: { kind: "inline" } },
        { store },
      );
      const slice = (slice_id: string, n: number) => ({
        slice_id,
        dataset: {
          kind: "inline" as const,
          items: Array.from({ length: n }, (_, i) => ({ id: `${slice_id}${i}`, answer: "x" })),
        },
        scores: [{ name: "correct", metrics: [{ id: "exact_match" }] }],
      });
      const spec: BenchmarkSpecInput = {
        benchmark_id: "shared",
        models: [{ model_id: "m", provider: "mock", extras: { default: "x" } }],
        prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.id}" }] }],
        slices: [slice("a", 2), slice("b", 3)],
      };
      const result = await orchestrator.run(spec);
      assert.deepEqual(withoutStats(await result.aggregate()), [
        {
          model: "m",
          slice: "a",
          prompt_variant: "p",
          score: "correct",
          metric: "exact_match",
          mean: 1,
          count: 2,
          n_trials: 2,
          n_scored: 2,
          n_invalid: 0,
          n_failed: 0,
        },
        {
          model: "m",
          slice: "b",
          prompt_variant: "p",
          score: "correct",
          metric: "exact_match",
          mean: 1,
          count: 3,
          n_trials: 3,
          n_scored: 3,
          n_invalid: 0,
          n_failed: 0,
        },
      ]);
    } finally {
      store.close();
    }
  },
});
