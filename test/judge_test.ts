/**
 * Judges and secrets: an `llm_judge` score through a real local HTTP provider — verdicts
 * parsed strictly, an unparseable verdict its own state, every call recorded and cached by its
 * identity — and an API key that never reaches the store.
 */
import assert from "node:assert/strict";
import { type BenchmarkSpecInput, Orchestrator, Store } from "../mod.ts";
import { invalidScores } from "../src/cli/commands/run.ts";
import { startOpenAIServer } from "./support/openai_server.ts";

const KEY = "sk-test-4f7a9c1e2b3d5e6f7a8b9c0d";

function spec(judgeUrl: string, judgeModel = "judge-1"): BenchmarkSpecInput {
  return {
    benchmark_id: "judged",
    models: [{
      model_id: "solver",
      provider: "mock",
      extras: { answers: { a: "Paris", b: "Lyon", c: "no idea at all" } },
    }],
    prompt_variants: [{
      id: "p",
      messages: [{ role: "user", content: "Capital of {item.country}?" }],
    }],
    slices: [{
      slice_id: "capitals",
      dataset: {
        kind: "inline",
        items: [
          { id: "a", country: "France", answer: "Paris" },
          { id: "b", country: "France", answer: "Paris" },
          { id: "c", country: "France", answer: "Paris" },
        ],
      },
      scores: [{
        name: "judged",
        metrics: [{
          id: "llm_judge",
          config: {
            provider: "openai",
            model_id: judgeModel,
            extras: { base_url: judgeUrl, api_key_env: "JUDGE_KEY" },
            rubric: "Reference: {item.answer}\nAnswer: {candidate.text}\nReply as JSON.",
            scale: { min: 0, max: 10 },
          },
        }],
      }],
    }],
  };
}

/** The judge: 10 for the right city, 2 for a wrong one, prose without JSON otherwise. */
function judgeServer() {
  return startOpenAIServer({
    script: (request) => {
      const prompt = (request.body as { messages: Array<{ content: string }> }).messages[0].content;
      if (prompt.includes("Answer: Paris")) {
        return { kind: "ok", text: '{"score": 10, "reason": "correct"}' };
      }
      if (prompt.includes("Answer: Lyon")) {
        return { kind: "ok", text: '{"score": 2, "reason": "wrong city"}' };
      }
      return { kind: "ok", text: "I cannot decide." };
    },
  });
}

Deno.test("llm_judge scores through any engine; an unparseable verdict is invalid: counted, 0 unless excluded", async () => {
  const server = judgeServer();
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-judge-" }));
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "judge" }, { store });
  const runtime = { JUDGE_KEY: KEY };
  try {
    const first = await orchestrator.run(spec(server.url), { runtime });
    assert.deepEqual(
      await store.sql(
        `select t.item_id, s.value, s.invalid from scores s join trials t using (trial)
         order by 1`,
      ),
      [
        { item_id: "a", value: 1, invalid: false },
        { item_id: "b", value: 0.2, invalid: false },
        { item_id: "c", value: null, invalid: true }, // no verdict: no value, but a row
      ],
    );
    // The run summary counts the verdict that did not parse (never "0 failed" and silence).
    assert.deepEqual(
      [first.summary?.scored, first.summary?.scoreInvalid, first.summary?.scoreFailed],
      [2, 1, 0],
    );
    assert.equal(
      invalidScores(first.summary!),
      "1 invalid (1 judge verdict unreadable or off the scale)",
    );
    const events = await Array.fromAsync(store.runs.iterEvents(first.runId));
    const judged = events.filter((e) => e.type === "judge.completed");
    assert.equal(judged.length, 3);
    assert.equal(judged[0].data.model_id, "judge-1");
    assert.match(JSON.stringify(judged[0].data.messages), /Reference: Paris/);
    assert.ok((judged[0].data.usage as { completion_tokens: number }).completion_tokens > 0);
    const invalid = events.filter((e) => e.type === "score.failed");
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0].data.kind, "invalid");
    assert.equal((invalid[0].data.error as { code: string }).code, "JUDGE_UNPARSEABLE");
    // a 10/10 → 1, b 2/10 → 0.2, c no verdict → invalid, 0 (on_invalid = "zero"): 1.2/3.
    const rows = await first.aggregate();
    assert.deepEqual(
      rows.map((r) => [Math.round(r.mean! * 1e12) / 1e12, r.count, r.n_scored, r.n_invalid]),
      [[0.4, 3, 2, 1]],
    );
    const excluded = await first.aggregate({ onInvalid: "exclude" });
    assert.deepEqual(excluded.map((r) => [r.mean, r.count, r.n_invalid]), [[0.6, 2, 1]]);

    // Same judge again: nothing is re-judged, the unparseable verdict stays final.
    await orchestrator.run(spec(server.url), { runtime });
    assert.equal(server.requests.length, 3);
    // Another judge: only judge calls run again, never a generation.
    const other = await orchestrator.run(spec(server.url, "judge-2"), { runtime });
    assert.equal(server.requests.length, 6);
    assert.equal(other.summary?.generated, 0);
  } finally {
    store.close();
    await server.close();
  }
});

Deno.test("a missing judge key fails before the first call, naming the variable", async () => {
  const server = judgeServer();
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-judge-" }));
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "judge" }, { store });
  try {
    await assert.rejects(
      () => orchestrator.run(spec(server.url), { runtime: {} }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "PROVIDER_AUTH");
        assert.match(error.message, /set the environment variable JUDGE_KEY/);
        return true;
      },
    );
    assert.equal(server.requests.length, 0);
  } finally {
    store.close();
    await server.close();
  }
});

Deno.test("after a run with a fake key, nothing in the store contains it", async () => {
  const server = startOpenAIServer({ script: [401, "ok"] }); // a 401 that echoes the key
  const root = await Deno.makeTempDir({ prefix: "themis-secret-" });
  const store = Store.open(root);
  const orchestrator = Orchestrator.fromProjectSpec({
    project_name: "secret",
    execution_policy: { circuit_breaker_threshold: 100 },
  }, { store });
  try {
    const result = await orchestrator.run({
      benchmark_id: "secret",
      models: [{
        model_id: "m",
        provider: "openai",
        extras: { base_url: server.url, api_key_env: "MY_PROVIDER_KEY" },
      }],
      prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.q}" }] }],
      slices: [{
        slice_id: "s",
        dataset: { kind: "inline", items: [{ id: "1", q: "hi" }, { id: "2", q: "yo" }] },
      }],
    }, { runtime: { MY_PROVIDER_KEY: KEY } });
    assert.equal(result.summary?.generationFailed, 1);
    assert.match(
      (await store.sql(`select message from failures`))[0].message as string,
      /\[redacted\]/,
    );
    assert.ok(server.requests.every((r) => r.headers.authorization !== undefined));
    await store.sql("select 1"); // the analytics cache is part of the store too
    const grep = await new Deno.Command("grep", { args: ["-r", "-l", "sk-test", root] }).output();
    assert.equal(new TextDecoder().decode(grep.stdout), "", "no file holds the key");
    assert.equal(grep.code, 1);
  } finally {
    store.close();
    await server.close();
  }
});
