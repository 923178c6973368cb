/**
 * Views of a run: overlays (one parse, one score), failures, answers no parse found, and one
 * candidate's timeline.
 */
import assert from "node:assert/strict";
import { Orchestrator, Store } from "../mod.ts";
import { startOpenAIServer } from "./support/openai_server.ts";
import { benchmark, openFixture } from "./results_fixture_test.ts";

Deno.test("forTransform and forEvaluation restrict trials, aggregates and failures to their overlay", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const [num, word] = result.manifest.parses;
    const [acc, raw] = result.manifest.scores;
    const byParse = result.forTransform("num");
    assert.equal(byParse.constructor.name, "BenchmarkResult");
    assert.deepEqual(byParse.view, {
      kind: "transform",
      overlay: `tf:${num.hash}`,
      hash: num.hash,
      name: "num",
    });
    assert.equal(result.view, undefined, "the original result is unchanged");
    const trial = (await Array.fromAsync(byParse.iterTrials())).find((t) => t.itemId === "m1")!;
    assert.deepEqual(trial.candidates[0].parses.map((p) => p.name), ["num"]);
    assert.deepEqual(trial.candidates[0].scores.map((s) => s.name), ["acc"]);
    assert.deepEqual(
      [...new Set((await byParse.aggregate()).map((r) => `${r.slice}/${r.score}`))],
      ["math/acc"],
    );
    const byScore = result.forEvaluation(raw.hash.slice(0, 6));
    assert.equal(byScore.view?.overlay, `ev:${raw.hash}`);
    const rawTrial = (await byScore.getTrial(trial.trial))!;
    assert.deepEqual(rawTrial.candidates[0].scores.map((s) => s.name), ["raw"]);
    assert.deepEqual(rawTrial.candidates[0].parses, [], "raw reads no parse");
    assert.deepEqual(
      (await Array.fromAsync(result.forTransform(word.hash).iterInvalidExtractions())).map((x) =>
        x.model
      ),
      ["echo", "echo", "echo", "echo", "echo", "echo"],
    );
    assert.throws(() => result.forEvaluation("acc"), {
      code: "QUERY_INVALID",
      message: `Several scores of this run match "acc": give a score hash. The run's scores: ` +
        `acc (${acc.hash}), raw (${raw.hash}), acc (${result.manifest.scores[2].hash})`,
    });
    assert.throws(() => result.forTransform("nope"), /No parses of this run match "nope"/);
  } finally {
    f.close();
  }
});

Deno.test("iterFailures lists the items still failed; with includeResolved, those a resume fixed", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const failures = await Array.fromAsync(result.iterFailures());
    const where = (item: string, slice: string) => ({
      stage: "generation",
      overlay: "gen",
      name: null,
      model: "flaky",
      slice,
      promptVariant: "plain",
      itemId: item,
      type: "generation.failed",
      code: "PROVIDER_UNAVAILABLE",
      message: "flaky is down",
      retryable: true,
      attempt: 1,
      run: result.runId,
      status: "failed",
    });
    const strip = (x: Record<string, unknown>) => {
      const { trial: _t, cand: _c, ts, ...rest } = x;
      assert.match(String(ts), /^\d{4}-\d\d-\d\dT/);
      return rest;
    };
    assert.deepEqual(
      failures.map((x) => strip({ ...x })).sort((a, b) =>
        String(a.itemId).localeCompare(String(b.itemId))
      ),
      [where("m3", "math"), where("t3", "text")],
    );
    f.flaky.broken = false;
    await f.orchestrator.resume(result.runId);
    assert.deepEqual(await Array.fromAsync(result.iterFailures()), []);
    const resolved = await Array.fromAsync(result.iterFailures({ includeResolved: true }));
    assert.deepEqual(resolved.map((x) => [x.itemId, x.status]).sort(), [["m3", "completed"], [
      "t3",
      "completed",
    ]]);
  } finally {
    f.close();
  }
});

Deno.test("iterInvalidExtractions gives the output no extractor could read and why", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const invalid = await Array.fromAsync(result.iterInvalidExtractions());
    assert.deepEqual(
      invalid.map((x) => [x.model, x.slice, x.name]),
      [...Array(3).fill(["solver", "math", "num"]), ...Array(6).fill(["echo", "text", "word"])],
    );
    const solver = invalid.find((x) => x.model === "solver")!;
    assert.deepEqual(
      { text: solver.text, attempts: solver.attempts, stage: solver.stage, run: solver.run },
      {
        text: "The answer is I don't know",
        attempts: [{ error: "no number found in the text", extractor: "first_number", ok: false }],
        stage: "parse",
        run: result.runId,
      },
    );
  } finally {
    f.close();
  }
});

Deno.test("viewTimeline tells a candidate's lineage, output, scores and every event", async () => {
  const f = await openFixture();
  try {
    const first = await f.orchestrator.run(benchmark());
    const spec = benchmark();
    spec.slices[0].scores!.push({ name: "again", parse: "num", metrics: [{ id: "exact_match" }] });
    const second = await f.orchestrator.run(spec);
    const trial = (await Array.fromAsync(second.iterTrials())).find((t) =>
      t.model === "flaky" && t.itemId === "m1"
    )!;
    const cand = trial.candidates[0].cand;
    const timeline = await second.viewTimeline(cand.slice(0, 7));
    assert.equal(timeline.cand, cand);
    assert.deepEqual(timeline.lineage, {
      run: second.runId,
      generatedIn: first.runId,
      reusedFrom: first.runId,
      plannedIn: [first.runId, second.runId].sort(),
      trial: trial.trial,
      model: "flaky",
      provider: "flaky",
      slice: "math",
      promptVariant: "plain",
      paramsIndex: 0,
      params: {},
      itemId: "m1",
      dimensions: { domain: "math" },
    });
    assert.deepEqual(timeline.prompt, [{ content: "1 + 1", role: "user" }]);
    assert.deepEqual(timeline.item, { answer: "2", id: "m1", q: "1 + 1" });
    assert.equal(timeline.candidate.text, "The answer is 2");
    assert.deepEqual(
      timeline.candidate.scores.map((s) => [s.name, s.run === first.runId ? "first" : "second"]),
      [["acc", "first"], ["again", "second"], ["raw", "first"]],
    );
    const again = second.manifest.scores.find((s) => s.name === "again")!;
    assert.deepEqual(timeline.details[again.hash], {
      exact_match: { prediction: "2", reference: "2" },
    });
    assert.deepEqual(timeline.errors, []);
    assert.deepEqual(timeline.judgeCalls, []);
    assert.deepEqual(
      timeline.events.map((e) => [e.type, e.run === first.runId ? "first" : "second"]),
      [
        ["generation.completed", "first"],
        ["parse.completed", "first"],
        ["score.completed", "first"],
        ["score.completed", "first"],
        ["score.completed", "second"],
      ],
    );
    await assert.rejects(() => second.viewTimeline("zzzzzzzz"), {
      code: "QUERY_INVALID",
      message: new RegExp(
        `^No candidate "zzzzzzzz" in run ${second.runId}: give a full candidate id`,
      ),
    });
  } finally {
    f.close();
  }
});

Deno.test("a judged candidate's timeline holds the judge call; a verdict that did not parse is invalid", async () => {
  const server = startOpenAIServer({
    script: (request) => {
      const prompt = (request.body as { messages: Array<{ content: string }> }).messages[0].content;
      return prompt.includes("Answer: Paris")
        ? { kind: "ok", text: '{"score": 10, "reason": "correct"}' }
        : { kind: "ok", text: "I cannot decide." };
    },
  });
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-judged-" }));
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "judged" }, { store });
  try {
    const result = await orchestrator.run({
      benchmark_id: "judged",
      models: [{
        model_id: "solver",
        provider: "mock",
        extras: { answers: { a: "Paris", c: "?" } },
      }],
      prompt_variants: [{
        id: "p",
        messages: [{ role: "user", content: "Capital of {item.country}?" }],
      }],
      slices: [{
        slice_id: "capitals",
        dataset: {
          kind: "inline",
          items: [{ id: "a", country: "France", answer: "Paris" }, {
            id: "c",
            country: "France",
            answer: "Paris",
          }],
        },
        scores: [{
          name: "judged",
          metrics: [{
            id: "llm_judge",
            config: {
              provider: "openai",
              model_id: "judge-1",
              extras: { base_url: server.url, api_key_env: "JUDGE_KEY" },
              rubric: "Reference: {item.answer}\nAnswer: {candidate.text}\nReply as JSON.",
              scale: { min: 0, max: 10 },
            },
          }],
        }],
      }],
    }, { runtime: { JUDGE_KEY: "sk-test" } });
    const trials = await Array.fromAsync(result.iterTrials());
    const [a, c] = ["a", "c"].map((id) => trials.find((t) => t.itemId === id)!.candidates[0]);
    const judged = await result.viewTimeline(a.cand);
    assert.equal(judged.judgeCalls.length, 1);
    const call = judged.judgeCalls[0];
    assert.deepEqual(
      {
        model: call.model,
        provider: call.provider,
        text: call.text,
        run: call.run,
        score: call.scoreHash,
      },
      {
        model: "judge-1",
        provider: "openai",
        text: '{"score": 10, "reason": "correct"}',
        run: result.runId,
        score: result.manifest.scores[0].hash,
      },
    );
    assert.match(JSON.stringify(call.messages), /Reference: Paris\\nAnswer: Paris/);
    assert.deepEqual(judged.candidate.scores.map((s) => [s.status, s.metrics]), [["completed", {
      llm_judge: 1,
    }]]);
    assert.ok(judged.events.some((e) => e.type === "judge.completed"));
    const undecided = await result.viewTimeline(c.cand);
    assert.deepEqual(undecided.candidate.scores.map((s) => s.status), ["invalid"]);
    assert.deepEqual(undecided.errors.map((e) => [e.type, e.code]), [[
      "score.failed",
      "JUDGE_UNPARSEABLE",
    ]]);
    // The verdict that did not parse is an invalid score: 0 in the mean, counted, never hidden.
    const byStatus = await result.aggregate({ groupBy: ["status"] });
    assert.deepEqual(
      byStatus.map((r) => [r.status, r.mean, r.count, r.n_trials, r.n_scored, r.n_invalid]),
      [["invalid", 0, 1, 1, 0, 1], ["scored", 1, 1, 1, 1, 0]],
    );
    const [all] = await result.aggregate({ groupBy: [] });
    assert.deepEqual([all.mean, all.count, all.n_invalid], [0.5, 2, 1]);
    assert.deepEqual(
      [result.summary?.scored, result.summary?.scoreInvalid, result.summary?.scoreFailed],
      [1, 1, 0],
    );
    const [row] = await store.sql(
      `select value, invalid, details->>'reason' as reason from scores where cand = '${c.cand}'`,
    );
    assert.deepEqual(row, { value: null, invalid: true, reason: "unparseable" });
  } finally {
    store.close();
    await server.close();
  }
});
