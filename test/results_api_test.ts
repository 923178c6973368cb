/**
 * The results API on a real run (mock engines, real DuckDB): aggregate with statistics, trial
 * outcome counts and a status key, the leaderboard, trial records and summaries, and results loaded later.
 */
import assert from "node:assert/strict";
import { openResult, type TrialSummary } from "../mod.ts";
import * as stats from "../src/results/stats/mod.ts";
import { benchmark, openFixture, rounded } from "./results_fixture_test.ts";

function valuesOf(summaries: TrialSummary[], model: string, key: string): number[] {
  return summaries
    .filter((s) => s.model === model && s.values[key] !== null && s.values[key] !== undefined)
    .map((s) => s.values[key] as number);
}

const BINARY = { min: 0, max: 1, binary: true };

/** Mean, standard error and Wilson interval (0/1 values of exact_match) from the stats module. */
function described(values: number[]) {
  const s = stats.summarize(values);
  const ci = stats.metricInterval(values, { range: BINARY });
  return {
    mean: s.mean,
    stderr: s.se,
    ci_low: ci?.low ?? null,
    ci_high: ci?.high ?? null,
    ci_method: ci?.method ?? null,
  };
}

const counts = (n_trials: number, n_scored: number, n_invalid = 0, n_failed = 0) => ({
  n_trials,
  n_scored,
  n_invalid,
  n_failed,
});

Deno.test("aggregate groups by outcome: invalid answers score 0 and are counted, failures are not in the mean", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const rows = await result.aggregate({ groupBy: ["model", "status"], metric: "acc" });
    // flaky answers right except on m3 and t3 (failed: out of the mean); the echo's math
    // answers are wrong (its first number is the question's), its text outputs hold no
    // "is <word>" (invalid: 0); the seeded solver says "I don't know" on 3 math items
    // (invalid: 0), is right on the 5 others, and on 3 of the 6 text items.
    const row = (
      model: string,
      status: string,
      values: number[],
      n: ReturnType<typeof counts>,
    ) => ({
      model,
      status,
      score: "acc",
      metric: "exact_match",
      ...(values.length
        ? described(values)
        : { mean: null, stderr: null, ci_low: null, ci_high: null, ci_method: null }),
      count: values.length,
      ...n,
      clusters: null,
    });
    assert.deepEqual(
      rounded(rows),
      rounded([
        row("echo", "invalid", Array(6).fill(0), counts(6, 0, 6)),
        row("echo", "scored", Array(8).fill(0), counts(8, 8)),
        row("flaky", "failed", [], counts(2, 0, 0, 2)),
        row("flaky", "scored", Array(12).fill(1), counts(12, 12)),
        row("solver", "invalid", [0, 0, 0], counts(3, 0, 3)),
        row("solver", "scored", [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0], counts(11, 11)),
      ]),
    );
    // Leaving invalid answers out is a read-side choice: the counts stay, the means move.
    const excluded = await result.aggregate({
      groupBy: ["model"],
      metric: "acc",
      onInvalid: "exclude",
    });
    assert.deepEqual(excluded.map((r) => [r.model, r.mean, r.count, r.n_invalid]), [
      ["echo", 0, 8, 6],
      ["flaky", 1, 12, 0],
      ["solver", 8 / 11, 11, 3],
    ]);
    // Failed generations as zero: flaky's 12 right of 14.
    const failedZero = await result.aggregate({
      groupBy: ["model"],
      metric: "acc",
      countFailed: true,
    });
    assert.deepEqual(failedZero.map((r) => [r.model, r.mean, r.count, r.n_failed]), [
      ["echo", 0, 14, 0],
      ["flaky", 12 / 14, 14, 2],
      ["solver", 8 / 14, 14, 0],
    ]);
  } finally {
    f.close();
  }
});

Deno.test("aggregate's intervals are Wilson for 0/1 metrics, or t / seeded bootstrap clipped to [0, 1]", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const summaries = await Array.fromAsync(result.iterTrialSummaries());
    const byModel = await result.aggregate({ groupBy: ["model"], metric: "acc" });
    // 14 trials per model: solver 8 right of 14 (3 invalid count as wrong), echo 0 of 14,
    // flaky 12 of its 12 scored trials (2 failed generations stay out).
    const expected: Record<string, [number, ReturnType<typeof counts>]> = {
      echo: [0, counts(14, 8, 6)],
      flaky: [1, counts(14, 12, 0, 2)],
      solver: [8 / 14, counts(14, 11, 3)],
    };
    for (const row of byModel) {
      const values = valuesOf(summaries, row.model as string, "acc.exact_match");
      const [mean, n] = expected[row.model as string];
      assert.equal(Math.round(row.mean! * 1e12), Math.round(mean * 1e12));
      assert.deepEqual(
        rounded(row),
        rounded({
          model: row.model,
          score: "acc",
          metric: "exact_match",
          ...described(values),
          count: values.length,
          ...n,
          clusters: null,
        }),
      );
      const wilson = stats.wilsonInterval(Math.round(mean * values.length), values.length);
      assert.deepEqual([row.ci_low, row.ci_high], [wilson.low, wilson.high]);
    }
    const boot = await result.aggregate({ groupBy: ["model"], metric: "acc", ci: "bootstrap" });
    assert.deepEqual(
      await result.aggregate({ groupBy: ["model"], metric: "acc", ci: "bootstrap" }),
      boot,
    );
    const solver = boot.find((r) => r.model === "solver")!;
    const expectedBoot = stats.bootstrapCi(valuesOf(summaries, "solver", "acc.exact_match"), {
      seed: 7, // the project's global_seed
      resamples: 2000,
    });
    assert.deepEqual(
      [solver.ci_low, solver.ci_high, solver.ci_method],
      [expectedBoot.low, expectedBoot.high, "bootstrap"],
    );
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
    // The t interval of flaky's twelve 1s is [1, 1]; of echo's fourteen 0s [0, 0]; solver's
    // t interval stays inside [0, 1].
    const t = await result.aggregate({ groupBy: ["model"], metric: "acc", ci: "t" });
    for (const r of t) {
      assert.equal(r.ci_method, "t");
      assert.ok(r.ci_low! >= 0 && r.ci_high! <= 1, `${r.model}: [${r.ci_low}, ${r.ci_high}]`);
    }
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

Deno.test("the leaderboard ranks models with Wilson intervals and trial counts; equal means share a rank", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const summaries = await Array.fromAsync(result.iterTrialSummaries());
    const entry = (rank: number, model: string, n: ReturnType<typeof counts>) => {
      const values = valuesOf(summaries, model, "acc.exact_match");
      return {
        rank,
        model,
        score: "acc",
        metric: "exact_match",
        ...described(values),
        count: values.length,
        ...n,
        clusters: null,
      };
    };
    // flaky 12/12 (2 failed), solver 8/14 (3 invalid as wrong), echo 0/14 (6 invalid).
    assert.deepEqual(
      rounded(await result.leaderboard()),
      rounded([
        entry(1, "flaky", counts(14, 12, 0, 2)),
        entry(2, "solver", counts(14, 11, 3)),
        entry(3, "echo", counts(14, 8, 6)),
      ]),
    );
    const raw = await result.leaderboard({ metric: "raw" });
    assert.deepEqual(raw.map((r) => [r.rank, r.model, r.mean]), [
      [1, "echo", 0],
      [1, "flaky", 0],
      [1, "solver", 0],
    ]);
    const bySlice = await result.leaderboard({ by: "slice", ci: "t" });
    // math: 5 (solver) + 0 (echo) + 7 (flaky) right of 8 + 8 + 7 = 12/23; text: 3 + 0 + 5 of
    // 6 + 6 + 5 = 8/17 (the echo's 6 invalid answers count as wrong).
    assert.deepEqual(bySlice.map((r) => [r.rank, r.slice, r.mean, r.count]), [
      [1, "math", 12 / 23, 23],
      [2, "text", 8 / 17, 17],
    ]);
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
    // 3 models × 8 math items (flaky's m3 failed) and × 6 text items (flaky's t3 failed).
    assert.deepEqual(rows.map((r) => [r.slice, r.count, r.n_trials, r.n_scored, r.n_failed]), [
      ["math", 23, 24, 23, 1],
      ["text", 17, 18, 17, 1],
    ]);
    const summaries = await Array.fromAsync(result.iterTrialSummaries());
    assert.equal(summaries.filter((s) => s.values["raw.exact_match"] !== undefined).length, 42);
  } finally {
    f.close();
  }
});
