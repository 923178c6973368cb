/**
 * Estimates: prompt tokens are the tokenizer's count of the rendered prompts (computed here
 * independently, with js-tiktoken and our own rendering), completion tokens come from earlier
 * generations when the store has them, cost from the project's price table, and only pending
 * work is counted.
 */
import assert from "node:assert/strict";
import { Tiktoken } from "js-tiktoken/lite";
import cl100k from "js-tiktoken/ranks/cl100k_base";
import o200k from "js-tiktoken/ranks/o200k_base";
import { type BenchmarkSpecInput, Orchestrator, type ProjectSpecInput, Store } from "../mod.ts";
import { runCli, tempProject } from "./support/cli.ts";

const ITEMS = [
  { id: "a", question: "What is 12 × 12?", answer: "144" },
  { id: "b", question: "Name the capital of Australia.", answer: "Canberra" },
  { id: "c", question: "Ünïcödé and emoji 🎲: how many sides?", answer: "6" },
];
const SYSTEM = "You are a careful assistant. Answer briefly.";

function benchmark(): BenchmarkSpecInput {
  return {
    benchmark_id: "estimate",
    models: [
      { model_id: "gpt-4o-mini", provider: "mock", extras: { mode: "reference" } },
      { model_id: "gpt-4-turbo", provider: "mock", extras: { mode: "echo" } },
      { model_id: "claude-haiku", provider: "mock", extras: { mode: "echo" } },
    ],
    prompt_variants: [{
      id: "qa",
      messages: [
        { role: "system", content: SYSTEM },
        { role: "user", content: "Question ({item.id}): {item.question}" },
      ],
    }],
    slices: [{
      slice_id: "qa",
      dataset: { kind: "inline", items: ITEMS },
      scores: [{ name: "em", metrics: [{ id: "exact_match" }] }],
    }],
    num_samples: 2,
  };
}

const PROJECT: ProjectSpecInput = {
  project_name: "estimate",
  pricing: { "gpt-4o-mini": { input_per_million: 0.15, output_per_million: 0.6 } },
};

async function setup() {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-estimate-" }));
  return { store, orchestrator: Orchestrator.fromProjectSpec(PROJECT, { store }) };
}

/** Chat prompt tokens as OpenAI counts them: content + 3 per message, + 3 for the reply. */
function chatTokens(encoder: Tiktoken, item: (typeof ITEMS)[number]): number {
  const messages = [SYSTEM, `Question (${item.id}): ${item.question}`];
  return messages.reduce((n, m) => n + encoder.encode(m).length + 3, 3);
}

Deno.test("estimate() prompt tokens equal the tokenizer's count of the rendered prompts", async () => {
  const { store, orchestrator } = await setup();
  try {
    const estimate = await orchestrator.estimate(benchmark());
    const o200 = new Tiktoken(o200k);
    const cl100 = new Tiktoken(cl100k);
    const expected = (encoder: Tiktoken) =>
      ITEMS.reduce((n, item) => n + 2 * chatTokens(encoder, item), 0);
    assert.deepEqual(
      estimate.rows.map((r) => [r.modelId, r.encoding, r.approximate, r.requests, r.promptTokens]),
      [
        ["gpt-4o-mini", "o200k_base", false, 6, expected(o200)],
        ["gpt-4-turbo", "cl100k_base", false, 6, expected(cl100)],
        ["claude-haiku", "o200k_base", true, 6, expected(o200)],
      ],
    );
    assert.equal(estimate.promptTokens, 2 * expected(o200) + expected(cl100));
    assert.deepEqual(estimate.stages, {
      generation: { total: 18, pending: 18, done: 0 },
      parse: { total: 0, pending: 0, done: 0 },
      score: { total: 18, pending: 18, done: 0 },
    });
    // Nothing was written: an estimate plans without persisting.
    assert.deepEqual(await store.runs.listRunIds(), []);
  } finally {
    store.close();
  }
});

Deno.test("completion tokens: earlier generations of the model and slice, else max_tokens, else 256", async () => {
  const { store, orchestrator } = await setup();
  try {
    const spec = benchmark();
    spec.num_samples = 1;
    await orchestrator.run(spec);
    // The mock counts words: reference answers are one word, echoes are the user message.
    const echoWords = ITEMS.map((i) => `Question (${i.id}): ${i.question}`.split(/\s+/).length);
    const echoMean = echoWords.reduce((a, b) => a + b, 0) / ITEMS.length;

    spec.num_samples = 3;
    spec.models.push({ model_id: "fresh", provider: "mock", extras: {} });
    spec.inference_grid = { params: [{}], overrides: [{}] };
    const estimate = await orchestrator.estimate(spec);
    const rows = Object.fromEntries(estimate.rows.map((r) => [r.modelId, r]));
    assert.equal(rows["gpt-4o-mini"].requests, 6, "sample 0 of every trial is in the store");
    assert.equal(rows["gpt-4o-mini"].completionSource, "history");
    assert.equal(rows["gpt-4o-mini"].historyMean, 1);
    assert.equal(rows["gpt-4o-mini"].completionTokens, 6);
    assert.equal(rows["claude-haiku"].historyMean, echoMean);
    assert.equal(rows["claude-haiku"].completionTokens, Math.round(6 * echoMean));
    assert.equal(rows.fresh.completionSource, "default");
    assert.equal(rows.fresh.completionTokens, 9 * 256);
    assert.match(
      estimate.notes.join("\n"),
      /fresh on qa: no earlier generation .* 256 per request/,
    );

    spec.inference_grid = { params: [{ max_tokens: 40 }] };
    const capped = await orchestrator.estimate(spec);
    const fresh = capped.rows.find((r) => r.modelId === "fresh")!;
    assert.deepEqual([fresh.completionSource, fresh.completionTokens], ["max_tokens", 9 * 40]);
  } finally {
    store.close();
  }
});

Deno.test("cost comes from the project's pricing; unpriced models are listed, not guessed", async () => {
  const { store, orchestrator } = await setup();
  try {
    const spec = benchmark();
    spec.inference_grid = { params: [{ max_tokens: 100 }] };
    const estimate = await orchestrator.estimate(spec);
    const priced = estimate.rows.find((r) => r.modelId === "gpt-4o-mini")!;
    assert.equal(priced.completionTokens, 600);
    assert.equal(priced.cost, (priced.promptTokens * 0.15 + 600 * 0.6) / 1e6);
    assert.equal(estimate.cost, priced.cost);
    assert.deepEqual(estimate.unpriced, ["gpt-4-turbo", "claude-haiku"]);
    assert.match(estimate.notes.join("\n"), /no price for gpt-4-turbo, claude-haiku/);

    await orchestrator.run(spec);
    const after = await orchestrator.estimate(spec);
    assert.deepEqual(after.rows, []);
    assert.equal(after.cost, 0);
    assert.deepEqual(after.stages.generation, { total: 18, pending: 0, done: 18 });
    assert.deepEqual(after.stages.score, { total: 18, pending: 0, done: 18 });
  } finally {
    store.close();
  }
});

Deno.test("themis estimate prints the work, tokens, cost and notes (and --json)", async () => {
  const dir = await tempProject({
    "themis.toml": `project_name = "cli"\n[pricing."gpt-4o-mini"]\ninput_per_million = 1\n` +
      `output_per_million = 2\n`,
    "bench.json": JSON.stringify(benchmark()),
  });
  const text = await runCli(["estimate", "bench.json"], { cwd: dir });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /generation\s+18\s+18\s+0/);
  assert.match(text.stdout, /gpt-4o-mini\s+qa\s+6\s+\d+\s+1536\s+default\s+o200k_base/);
  assert.match(text.stdout, /notes:\n {2}- Only pending work is counted/);
  const json = await runCli(["estimate", "bench.json", "--json"], { cwd: dir });
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.stages.generation.pending, 18);
  assert.equal(parsed.rows.length, 3);
  assert.match((await runCli(["estimate", "--help"])).stdout, /\[pricing\]/);
});

Deno.test("themis estimate --detect: items to detect a delta from an sd or from an earlier run", async () => {
  // n = (λ·sd/δ)² with λ = 2.801581787013579 (two-sided 5%, 80% power): sd 0.5, δ 0.03 →
  // (2.8016 · 0.5 / 0.03)² = 2180.2… → 2181 items.
  const sd = await runCli(["estimate", "--detect", "0.03", "--sd", "0.5", "--json"]);
  assert.equal(sd.code, 0, sd.stderr);
  const [row] = JSON.parse(sd.stdout);
  assert.equal(row.items, 2181);
  assert.ok(Math.abs(row.exact - (2.801581787013579 * 0.5 / 0.03) ** 2) < 1e-9);

  // From the demo's run: mock-echo − mock-solver on accuracy over 16 pairs has differences
  // ten −1, two +1 and four 0: sd² = (10·0.25 + 2·2.25 + 4·0.25)/15 = 8/15.
  const dir = await tempProject({});
  const demo = new URL("../examples/demo/benchmark.toml", import.meta.url).pathname;
  const run = await runCli(["run", demo, "--store", dir, "--quiet"]);
  assert.equal(run.code, 0, run.stderr);
  const runs = await runCli(["sql", "--store", dir, "--format", "csv", "select run from runs"]);
  const runId = runs.stdout.trim().split("\n")[1];
  const fromRun = await runCli([
    "estimate",
    demo,
    "--detect",
    "0.1",
    "--from-run",
    runId,
    "--store",
    dir,
    "--json",
  ]);
  assert.equal(fromRun.code, 0, fromRun.stderr);
  const [detect] = JSON.parse(fromRun.stdout).detect;
  const spread = Math.sqrt(8 / 15);
  const items = Math.ceil((2.801581787013579 * spread / 0.1) ** 2);
  assert.deepEqual(
    [detect.source, detect.score, detect.n, detect.items, detect.planned_items],
    ["mock-solver → mock-echo", "accuracy", 16, items, 16],
  );
  assert.ok(Math.abs(detect.sd - spread) < 1e-12);
  assert.ok(Math.abs(detect.planned_mde - 2.801581787013579 * spread / 4) < 1e-12);

  const text = await runCli(["estimate", "--detect", "0.1", "--from-run", runId, "--store", dir]);
  assert.match(text.stdout, /^items to detect a difference of 0\.1 /);
  assert.match(
    text.stdout,
    new RegExp(
      `^mock-solver → mock-echo\\s+accuracy\\s+exact_match\\s+0\\.7303\\s+16\\s+.*\\s${items}$`,
      "m",
    ),
  );
  const usage = await runCli(["estimate", "--detect", "0.1"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--detect needs the spread: --sd SD or --from-run RUN/);
  const bad = await runCli(["estimate", "--detect", "x", "--sd", "1"]);
  assert.match(bad.stderr, /--detect takes a non-zero number/);
});
