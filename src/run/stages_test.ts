import assert from "node:assert/strict";
import { createRegistry } from "../plugins/registry.ts";
import type { Metric } from "../plugins/types.ts";
import { runScore, scoreMetrics } from "./stages.ts";
import { PhaseFailure } from "./task_clock.ts";

const metric = (id: string, score: Metric["score"]): Metric => ({ id, score });

function registry() {
  return createRegistry()
    .registerMetric(metric("one", () => ({ value: 1 })))
    .registerMetric(metric("later", () => Promise.resolve({ value: 0.5 }) as never))
    .registerMetric(metric("nan", () => ({ value: NaN })))
    .registerMetric(metric("rejects", () => Promise.reject(new Error("boom")) as never));
}

function score(...metrics: string[]) {
  return {
    hash: "h",
    taskId: "t",
    name: "acc",
    parseHash: null,
    parseName: null,
    reduction: "mean" as const,
    metrics: metrics.map((id) => ({ id, config: {} })),
  };
}

const input = { text: "4", item: { answer: "4" } };

Deno.test("scoreMetrics() returns synchronous metrics' values without a promise", () => {
  assert.deepEqual(scoreMetrics(score("one", "one"), input, registry()), [
    { metric: "one", value: 1 },
    { metric: "one", value: 1 },
  ]);
});

Deno.test("scoreMetrics() goes on after a metric that returned a promise, in order", async () => {
  const values = scoreMetrics(score("one", "later", "one"), input, registry());
  assert.ok(values instanceof Promise);
  assert.deepEqual(await values, [
    { metric: "one", value: 1 },
    { metric: "later", value: 0.5 },
    { metric: "one", value: 1 },
  ]);
});

Deno.test("scoreMetrics() fails a score with a non-finite value or a throw naming the metric, sync or async", async () => {
  assert.throws(
    () => scoreMetrics(score("one", "nan"), input, registry()),
    (e: { code: string; message: string }) =>
      e.code === "PLUGIN_ERROR" && /metric "nan" returned null/.test(e.message),
  );
  const failure = await runScore(score("rejects"), input, registry()).catch((e) => e);
  assert.ok(failure instanceof PhaseFailure);
  assert.deepEqual(
    [failure.stage, (failure.error as { code: string; message: string }).message],
    ["score", 'metric "rejects" failed: boom'],
  );
});
