/**
 * The results API on a real run (mock engines, real DuckDB): aggregate with statistics and a
 * status key, the leaderboard, trial records and summaries, and results loaded later.
 */
import assert from "node:assert/strict";
import { openResult, stats, type TrialSummary } from "../mod.ts";
import { benchmark, openFixture, rounded } from "./results_fixture_test.ts";

function valuesOf(summaries: TrialSummary[], model: string, key: string): number[] {
  return summaries
    .filter((s) => s.model === model && s.values[key] !== null && s.values[key] !== undefined)
    .map((s) => s.values[key] as number);
}

function described(values: number[]) {
  const s = stats.summarize(values);
  return { mean: s.mean, stderr: s.se, ci_low: s.ci?.low ?? null, ci_high: s.ci?.high ?? null };
}

Deno.test("aggregate groups by status and adds standard errors and t intervals from summarize()", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const rows = await result.aggregate({ groupBy: ["model", "status"], metric: "acc" });
    // flaky answers right except on m3 and t3 (failed); the echo's text outputs hold no
    // "is <word>" (skipped); the seeded solver says "I don't know" on 3 math items (skipped),
    // is right on the 5 others, and on 3 of the 6 text items.
    const row = (model: string, status: string, values: number[], trials: number) => ({
      model,
      status,
      score: "acc",
      metric: "exact_match",
      ...(values.length
        ? described(values)
        : { mean: null, stderr: null, ci_low: null, ci_high: null }),
      count: values.length,
      trials,
    });
    assert.deepEqual(
      rounded(rows),
      rounded([
        row("echo", "completed", Array(8).fill(0), 8),
        row("echo", "skipped", [], 6),
        row("flaky", "completed", Array(12).fill(1), 12),
        row("flaky", "failed", [], 2),
        row("solver", "completed", [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0], 11),
        row("solver", "skipped", [], 3),
      ]),
    );
  } finally {
    f.close();
  }
});

Deno.test("aggregate's intervals equal summarize() and, with ci: bootstrap, a seeded bootstrapCi()", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const summaries = await Array.fromAsync(result.iterTrialSummaries());
    const byModel = await result.aggregate({ groupBy: ["model"], metric: "acc" });
    for (const row of byModel) {
      const values = valuesOf(summaries, row.model as string, "acc.exact_match");
      assert.deepEqual(
        rounded(row),
        rounded({
          model: row.model,
          score: "acc",
          metric: "exact_match",
          ...described(values),
          count: values.length,
          trials: 14,
        }),
      );
    }
    const boot = await result.aggregate({ groupBy: ["model"], metric: "acc", ci: "bootstrap" });
    assert.deepEqual(
      await result.aggregate({ groupBy: ["model"], metric: "acc", ci: "bootstrap" }),
      boot,
    );
    const solver = boot.find((r) => r.model === "solver")!;
    const expected = stats.bootstrapCi(valuesOf(summaries, "solver", "acc.exact_match"), {
      seed: 7, // the project's global_seed
      resamples: 2000,
    });
    assert.deepEqual([solver.ci_low, solver.ci_high], [expected.low, expected.high]);
    const seeded = await result.aggregate({
      groupBy: ["model"],
      metric: "acc",
      ci: "bootstrap",
      seed: 8,
      resamples: 500,
      confidence: 0.9,
    });
    const eight = stats.bootstrapCi(valuesOf(summaries, "solver", "acc.exact_match"), {
      seed: 8,
      resamples: 500,
      confidence: 0.9,
    });
    const row = seeded.find((r) => r.model === "solver")!;
    assert.deepEqual([row.ci_low, row.ci_high], [eight.low, eight.high]);
  } finally {
    f.close();
  }
});

Deno.test("aggregate rejects an unknown group key, listing every valid one", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    await assert.rejects(
      () => result.aggregate({ groupBy: ["stauts"] }),
      {
        code: "QUERY_INVALID",
        message: 'Cannot group by "stauts". Did you mean "status"? Valid keys: model, slice, ' +
          "prompt_variant, item, params, metric, domain, status",
      },
    );
    assert.deepEqual(result.groupKeys(), [
      "model",
      "slice",
      "prompt_variant",
      "item",
      "params",
      "metric",
      "domain",
      "status",
    ]);
  } finally {
    f.close();
  }
});

Deno.test("the leaderboard ranks models with seeded bootstrap intervals; equal means share a rank", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const summaries = await Array.fromAsync(result.iterTrialSummaries());
    const entry = (rank: number, model: string) => {
      const values = valuesOf(summaries, model, "acc.exact_match");
      const b = stats.bootstrapCi(values, { seed: 7, resamples: 2000 });
      const s = stats.summarize(values);
      return {
        rank,
        model,
        score: "acc",
        metric: "exact_match",
        mean: s.mean,
        stderr: s.se,
        ci_low: b.low,
        ci_high: b.high,
        count: values.length,
        trials: 14,
      };
    };
    assert.deepEqual(
      rounded(await result.leaderboard()),
      rounded([entry(1, "flaky"), entry(2, "solver"), entry(3, "echo")]),
    );
    const raw = await result.leaderboard({ metric: "raw" });
    assert.deepEqual(raw.map((r) => [r.rank, r.model, r.mean]), [
      [1, "echo", 0],
      [1, "flaky", 0],
      [1, "solver", 0],
    ]);
    const bySlice = await result.leaderboard({ by: "slice", ci: "t" });
    assert.deepEqual(bySlice.map((r) => [r.rank, r.slice]), [[1, "text"], [2, "math"]]);
    await assert.rejects(() => result.leaderboard({ by: "status" }), { code: "QUERY_INVALID" });
  } finally {
    f.close();
  }
});

Deno.test("iterTrials yields every trial with its candidates, parses and scores; getTrial finds one", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const trials = await Array.fromAsync(result.iterTrials({ pageSize: 5 }));
    assert.equal(trials.length, 42);
    assert.deepEqual(trials.map((t) => t.trial), [...trials.map((t) => t.trial)].sort());
    const failed = trials.find((t) => t.model === "flaky" && t.itemId === "m3")!;
    const [num] = result.manifest.parses;
    const [acc, raw] = result.manifest.scores;
    const skipped = { status: "skipped", run: null, reusedFrom: null, skipReason: "no_generation" };
    assert.deepEqual(failed, {
      trial: failed.trial,
      model: "flaky",
      slice: "math",
      promptVariant: "plain",
      paramsIndex: 0,
      itemId: "m3",
      dimensions: { domain: "math" },
      status: "failed",
      provider: "flaky",
      params: {},
      item: { answer: "4", id: "m3", q: "3 + 1" },
      messages: [{ content: "3 + 1", role: "user" }],
      candidates: [{
        cand: failed.candidates[0].cand,
        sample: 0,
        status: "failed",
        run: result.runId,
        reusedFrom: null,
        skipReason: null,
        text: null,
        finishReason: null,
        tokensIn: null,
        tokensOut: null,
        latencyMs: null,
        cost: null,
        parses: [{
          hash: num.hash,
          name: "num",
          ...skipped,
          answer: null,
          extractor: null,
          attempts: null,
        }],
        scores: [
          { hash: acc.hash, name: "acc", parseHash: num.hash, ...skipped, metrics: {} },
          { hash: raw.hash, name: "raw", parseHash: null, ...skipped, metrics: {} },
        ],
      }],
    });
    const right = trials.find((t) => t.model === "flaky" && t.itemId === "m1")!;
    assert.deepEqual(
      right.candidates[0].scores.map((s) => [s.name, s.status, s.metrics]),
      [["acc", "completed", { exact_match: 1 }], ["raw", "completed", { exact_match: 0 }]],
    );
    assert.equal(right.candidates[0].text, "The answer is 2");
    assert.deepEqual(await result.getTrial(right.trial.slice(0, 8)), right);
    assert.equal(await result.getTrial("ffffffffffff"), undefined);
  } finally {
    f.close();
  }
});

Deno.test("trial summaries reduce each trial's samples as its score says", async () => {
  const f = await openFixture();
  try {
    const spec = benchmark({ num_samples: 3 });
    spec.slices[0].scores = [
      { name: "mean_acc", parse: "num", metrics: [{ id: "exact_match" }] },
      { name: "best", parse: "num", metrics: [{ id: "exact_match" }], reduction: "max" },
    ];
    const result = await f.orchestrator.run(spec);
    const records = new Map(
      (await Array.fromAsync(result.iterTrials())).map((t) => [t.trial, t]),
    );
    const summaries = await Array.fromAsync(result.iterTrialSummaries({ pageSize: 7 }));
    assert.equal(summaries.length, 42);
    for (const s of summaries.filter((s) => s.slice === "math")) {
      const values = records.get(s.trial)!.candidates
        .flatMap((c) => c.scores.filter((x) => x.name === "mean_acc"))
        .flatMap((x) => Object.values(x.metrics));
      const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
      const max = values.length ? Math.max(...values) : null;
      assert.deepEqual(
        rounded([s.candidates, s.values["mean_acc.exact_match"], s.values["best.exact_match"]]),
        rounded([3, mean, max]),
      );
    }
  } finally {
    f.close();
  }
});

Deno.test("a result opened later from the store says what the run said", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const loaded = await openResult(f.store, result.runId);
    assert.equal(loaded.constructor.name, "BenchmarkResult");
    assert.equal(loaded.summary, undefined);
    assert.equal(loaded.manifest.trials, undefined);
    assert.deepEqual(loaded.manifest.scores, JSON.parse(JSON.stringify(result.manifest.scores)));
    assert.deepEqual(await loaded.aggregate(), await result.aggregate());
    await assert.rejects(() => openResult(f.store, "nope"), { code: "RUN_NOT_FOUND" });
  } finally {
    f.close();
  }
});

Deno.test("a score two slices share counts each trial once in every slice", async () => {
  const f = await openFixture();
  try {
    const spec = benchmark();
    spec.slices[1].scores!.push({ name: "raw", metrics: [{ id: "exact_match" }] });
    const result = await f.orchestrator.run(spec);
    const raw = result.manifest.scores.filter((s) => s.name === "raw");
    assert.equal(raw.length, 2, "listed once per slice");
    assert.equal(raw[0].hash, raw[1].hash, "one definition, one hash");
    const rows = await result.aggregate({ groupBy: ["slice"], metric: "raw" });
    assert.deepEqual(rows.map((r) => [r.slice, r.count, r.trials]), [["math", 23, 24], [
      "text",
      17,
      18,
    ]]);
    const summaries = await Array.fromAsync(result.iterTrialSummaries());
    assert.equal(summaries.filter((s) => s.values["raw.exact_match"] !== undefined).length, 42);
  } finally {
    f.close();
  }
});
