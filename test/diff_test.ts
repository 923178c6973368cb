/**
 * diffSpecs: the fields that changed, the trials, parses and scores added, removed and reused,
 * and the work the treatment adds after the baseline (with the store's facts reused).
 */
import assert from "node:assert/strict";
import { type BenchmarkSpecInput, Orchestrator, Store } from "../mod.ts";
import { diffFields } from "../src/plan/diff_specs.ts";
import { runCli, tempProject } from "./support/cli.ts";

type Spec = BenchmarkSpecInput & {
  models: Array<{ model_id: string; provider: string; extras?: Record<string, unknown> }>;
  slices: Array<{ scores: Array<{ name: string; parse?: string; metrics: unknown[] }> }>;
};

function benchmark(): Spec {
  return {
    benchmark_id: "diff",
    models: [{ model_id: "solver", provider: "mock", extras: { mode: "reference" } }],
    prompt_variants: [{ id: "plain", messages: [{ role: "user", content: "{item.question}" }] }],
    slices: [{
      slice_id: "math",
      dataset: {
        kind: "inline",
        items: Array.from(
          { length: 5 },
          (_, i) => ({ id: `q${i}`, question: `${i}+1`, answer: `${i + 1}` }),
        ),
      },
      parses: [{ name: "num", extractors: [{ id: "first_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
    }],
    num_samples: 2,
  } as Spec;
}

async function setup() {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-diff-" }));
  const orchestrator = Orchestrator.fromProjectSpec({
    project_name: "diff",
    pricing: { bigger: { input_per_million: 3, output_per_million: 15 } },
  }, { store });
  return { store, orchestrator };
}

Deno.test("diff of a spec against itself with one added metric shows zero generation work", async () => {
  const { store, orchestrator } = await setup();
  try {
    const a = benchmark();
    const b = benchmark();
    b.slices[0].scores.push({ name: "close", parse: "num", metrics: [{ id: "numeric_match" }] });
    const diff = await orchestrator.diffSpecs(a, b);
    assert.deepEqual(diff.fields, [{
      path: "slices[math].scores[close]",
      change: "added",
      after: {
        name: "close",
        parse: "num",
        metrics: [{ id: "numeric_match", config: {} }],
        reduction: "mean",
      },
    }]);
    assert.deepEqual(
      [diff.trials.added.length, diff.trials.removed.length, diff.trials.reused.length],
      [0, 0, 5],
    );
    assert.deepEqual(diff.parses.added, []);
    assert.deepEqual(diff.scores.added.map((s) => [s.task, s.name]), [["math", "close"]]);
    assert.deepEqual(diff.scores.removed, []);
    assert.deepEqual(diff.work.stages, {
      generation: { total: 10, pending: 0, done: 10 },
      parse: { total: 10, pending: 0, done: 10 },
      score: { total: 20, pending: 10, done: 10 },
    });
    assert.equal(diff.work.cost, 0);
    assert.deepEqual(diff.work.rows, []);
    assert.equal(diff.baseline.runId === diff.treatment.runId, false);
    assert.deepEqual(await store.runs.listRunIds(), [], "a diff writes nothing");
  } finally {
    store.close();
  }
});

Deno.test("a new model and a changed param: added and removed trials, and the cost they add", async () => {
  const { store, orchestrator } = await setup();
  try {
    const a = benchmark();
    const b = benchmark();
    b.models.push({ model_id: "bigger", provider: "mock", extras: { mode: "echo" } });
    b.models[0].extras = { mode: "reference", accuracy: 0.9 };
    b.inference_grid = { params: [{ max_tokens: 10 }] };
    const diff = await orchestrator.diffSpecs(a, b);
    assert.deepEqual(diff.fields.map((f) => [f.path, f.change]), [
      ["inference_grid.params[0].max_tokens", "added"],
      ["models[solver].extras.accuracy", "added"],
      ["models[bigger]", "added"],
    ]);
    assert.deepEqual(
      [diff.trials.added.length, diff.trials.removed.length, diff.trials.reused.length],
      [10, 5, 0],
    );
    assert.equal(diff.work.stages.generation.pending, 20);
    const bigger = diff.work.rows.find((r) => r.modelId === "bigger")!;
    assert.equal(bigger.completionTokens, 100);
    assert.equal(bigger.cost, (bigger.promptTokens * 3 + 100 * 15) / 1e6);
    assert.deepEqual(diff.work.unpriced, ["solver"]);
  } finally {
    store.close();
  }
});

Deno.test("the work of a diff reuses what the store already holds", async () => {
  const { store, orchestrator } = await setup();
  try {
    const b = benchmark();
    b.models.push({ model_id: "bigger", provider: "mock", extras: { mode: "echo" } });
    await orchestrator.run(b);
    const diff = await orchestrator.diffSpecs(benchmark(), b);
    assert.equal(diff.trials.added.length, 5);
    assert.equal(diff.work.stages.generation.pending, 0, "the store holds bigger's generations");
  } finally {
    store.close();
  }
});

Deno.test("diffFields matches arrays by id, and by index when elements have none", () => {
  assert.deepEqual(
    diffFields(
      { models: [{ model_id: "a", t: 1 }, { model_id: "b" }], stop: ["x", "y"] },
      { models: [{ model_id: "b" }, { model_id: "a", t: 2 }], stop: ["x"] },
    ),
    [
      { path: "models[a].t", change: "changed", before: 1, after: 2 },
      { path: "stop[1]", change: "removed", before: "y" },
    ],
  );
  assert.deepEqual(diffFields({ a: 1 }, { a: 1 }), []);
});

Deno.test("themis diff prints changed fields, stage items and the added work", async () => {
  const a = benchmark();
  const b = benchmark();
  b.slices[0].scores[0].metrics.push({ id: "numeric_match" });
  const dir = await tempProject({
    "themis.toml": `project_name = "cli"\n`,
    "a.json": JSON.stringify(a),
    "b.json": JSON.stringify(b),
  });
  const out = await runCli(["diff", "a.json", "b.json"], { cwd: dir });
  assert.equal(out.code, 0, out.stderr);
  assert.match(
    out.stdout,
    /\+ slices\[math\]\.scores\[acc\]\.metrics\[numeric_match\] = \{"id":"numeric_match"/,
  );
  assert.match(out.stdout, /scores: 1 added, 1 removed, 0 reused/);
  assert.match(out.stdout, /generation\s+10\s+0\s+10/);
  assert.match(out.stdout, /as if the baseline had run to completion/);
  const json = JSON.parse(
    (await runCli(["diff", "a.json", "b.json", "--json"], { cwd: dir })).stdout,
  );
  assert.equal(json.work.stages.score.pending, 10);
  assert.equal((await runCli(["diff", "a.json"], { cwd: dir })).code, 2);
});
