/**
 * describe: the settings a paper needs, from a run's manifest and events, with secrets redacted.
 */
import assert from "node:assert/strict";
import {
  type BenchmarkSpecInput,
  Orchestrator,
  type RunManifest,
  Store,
  TOOL_VERSION,
} from "../mod.ts";
import { redactSecrets } from "../src/orchestrator/handoffs/mod.ts";
import { runCli, tempProject } from "./support/cli.ts";

const SECRET = "sk-live-1234567890abcdefghij";

function benchmark(): BenchmarkSpecInput {
  return {
    benchmark_id: "paper",
    description: "Arithmetic, two prompt styles.",
    models: [{
      model_id: "solver",
      provider: "mock",
      extras: {
        mode: "reference",
        api_key: SECRET,
        api_key_env: "SOLVER_API_KEY",
        base_url: "https://alice:hunter2@llm.example/v1?access_token=tok123&region=eu",
        auth: { password: "hunter2", user: "alice" },
        note: `key is ${SECRET}`,
      },
    }],
    prompt_variants: [
      { id: "plain", messages: [{ role: "user", content: "{item.question}" }] },
      {
        id: "cot",
        family: "reasoning",
        messages: [
          { role: "system", content: "Think step by step." },
          { role: "user", content: "{item.question}" },
        ],
      },
    ],
    inference_grid: { params: [{ temperature: 0, max_tokens: 64 }] },
    slices: [{
      slice_id: "math",
      dataset: {
        kind: "inline",
        items: Array.from(
          { length: 4 },
          (_, i) => ({ id: `q${i}`, question: `${i}+${i}`, answer: `${2 * i}` }),
        ),
      },
      dataset_query: { kind: "subset", count: 3, seed: 11 },
      parses: [{ name: "num", extractors: [{ id: "first_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
    }],
    num_samples: 2,
  };
}

async function setup() {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-describe-" }));
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "paper", global_seed: 42 }, {
    store,
  });
  return { store, orchestrator };
}

Deno.test("describe() gives models, prompts, datasets with hashes, metrics and seeds, redacted", async () => {
  const { store, orchestrator } = await setup();
  try {
    const result = await orchestrator.run(benchmark());
    const manifest = await store.runs.readManifest<RunManifest>(result.runId);
    const d = await orchestrator.describe(result.runId);
    assert.deepEqual(d.models, [{
      model_id: "solver",
      provider: "mock",
      extras: {
        mode: "reference",
        api_key: "[redacted]",
        api_key_env: "SOLVER_API_KEY",
        base_url: "https://[redacted]@llm.example/v1?access_token=[redacted]&region=eu",
        auth: { password: "[redacted]", user: "alice" },
        note: "key is [redacted]",
      },
    }]);
    assert.deepEqual(d.slices[0].dataset, {
      kind: "inline",
      id_field: "id",
      items: 3,
      content_hash: manifest.datasets.math.content_hash,
    });
    assert.deepEqual(d.slices[0].inference, [{ temperature: 0, max_tokens: 64 }]);
    assert.deepEqual(d.slices[0].prompts.map((p) => p.id), ["plain", "cot"]);
    assert.deepEqual(d.slices[0].scores, [{
      name: "acc",
      hash: manifest.scores[0].hash,
      parse: "num",
      metrics: [{ id: "exact_match", config: {} }],
      reduction: "mean",
    }]);
    assert.deepEqual(
      [d.numSamples, d.seeds.globalSeed, d.seeds.datasetQueries, d.tool.version],
      [2, 42, { math: 11 }, TOOL_VERSION],
    );
    assert.deepEqual(d.outcomes, {
      generated: 12,
      generationFailed: 0,
      scored: d.outcomes.scored,
      scoreInvalid: 0,
      scoreFailed: 0,
    });
    assert.equal(d.executions.length, 1);
    assert.equal(JSON.stringify(d).includes(SECRET), false);
    assert.equal(JSON.stringify(d).includes("hunter2"), false);
  } finally {
    store.close();
  }
});

Deno.test("themis describe prints Markdown without secrets, and --json", async () => {
  const dir = await tempProject({
    "themis.toml": `project_name = "paper"\nglobal_seed = 42\n[storage]\nroot = "store"\n`,
    "bench.json": JSON.stringify(benchmark()),
  });
  assert.equal((await runCli(["run", "bench.json", "--quiet"], { cwd: dir })).code, 0);
  const [runId] = await Store.open(`${dir}/store`).runs.listRunIds();
  const md = await runCli(["describe", runId], { cwd: dir });
  assert.equal(md.code, 0, md.stderr);
  for (
    const expected of [
      `# Run \`${runId}\`: benchmark \`paper\``,
      "Arithmetic, two prompt styles.",
      `- tool: themis ${TOOL_VERSION}`,
      "- project: `paper`, global seed 42",
      "- samples per trial (num_samples): 2",
      "| solver | mock |",
      '"api_key_env":"SOLVER_API_KEY"',
      "3 items selected",
      '- inference params: `{"temperature":0,"max_tokens":64}`',
      "- parse `num`",
      "exact_match over parse `num`, reduction mean",
      "Prompt `cot` (family reasoning):",
      "[system] Think step by step.",
      "- subset seeds: math = 11",
      "## Executions",
    ]
  ) assert.ok(md.stdout.includes(expected), `missing: ${expected}\n${md.stdout}`);
  assert.equal(md.stdout.includes(SECRET), false);
  assert.equal(md.stdout.includes("hunter2"), false);
  assert.equal(md.stdout.includes("tok123"), false);
  const json = JSON.parse((await runCli(["describe", runId, "--json"], { cwd: dir })).stdout);
  assert.equal(json.runId, runId);
  const missing = await runCli(["describe", "nope"], { cwd: dir });
  assert.equal(missing.code, 4);
  assert.match(missing.stderr, /RUN_NOT_FOUND/);
});

Deno.test("redactSecrets keeps counts and env var names, hides values under secret-like keys", () => {
  assert.deepEqual(
    redactSecrets({
      max_tokens: 10,
      tokens_per_minute: 1000,
      token: "abc",
      Authorization: "Bearer x",
      client_secret: ["a"],
      api_key_env: "OPENAI_API_KEY",
      token_env: "not a name!",
      list: [{ password: "p" }, "pk-abcdefghijklmnop1234"],
      url: "http://127.0.0.1:8080/v1",
    }),
    {
      max_tokens: 10,
      tokens_per_minute: 1000,
      token: "[redacted]",
      Authorization: "[redacted]",
      client_secret: "[redacted]",
      api_key_env: "OPENAI_API_KEY",
      token_env: "[redacted]",
      list: [{ password: "[redacted]" }, "[redacted]"],
      url: "http://127.0.0.1:8080/v1",
    },
  );
});
