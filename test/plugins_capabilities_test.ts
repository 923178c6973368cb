/**
 * Capability checks at planning time: an engine that cannot do JSON output or logprobs is
 * rejected before any call when the inference params ask for them.
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { type BenchmarkSpecInput, Orchestrator, Store } from "../mod.ts";

const FIXTURES = fromFileUrl(new URL("./fixtures/", import.meta.url));

function benchmark(extra: Partial<BenchmarkSpecInput>): BenchmarkSpecInput {
  return {
    benchmark_id: "caps",
    plugins: ["plugins/dataset_providers.ts"],
    models: [
      { model_id: "mocked", provider: "mock" },
      { model_id: "plain-model", provider: "plain" },
    ],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.q}" }] }],
    slices: [{ slice_id: "s", dataset: { kind: "inline", items: [{ id: "1", q: "hi" }] } }],
    ...extra,
  };
}

async function runError(spec: BenchmarkSpecInput) {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-caps-" }));
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "caps" }, { store });
  try {
    await orchestrator.run(spec, { specDir: FIXTURES });
  } catch (error) {
    const e = error as { code: string; message: string; details: { issues?: unknown[] } };
    const runs = await store.sql("select count(*)::integer as n from events");
    return { code: e.code, message: e.message, events: runs[0].n };
  } finally {
    store.close();
  }
  throw new Error("the run should have been refused");
}

Deno.test("logprobs asked of engines that cannot return them is refused before any call", async () => {
  const error = await runError(benchmark({ inference_grid: { params: [{ logprobs: true }] } }));
  assert.deepEqual(error, {
    code: "SPEC_INVALID",
    message: "The spec names plugins that cannot be used:\n" +
      '  - models[0].provider: the "mock" engine of model "mocked" cannot do logprobs, but the ' +
      'inference params of "s" ask for it (logprobs = true); remove the param for this model, ' +
      "or use an engine that declares capabilities.logprobs\n" +
      '  - models[1].provider: the "plain" engine of model "plain-model" cannot do logprobs, ' +
      'but the inference params of "s" ask for it (logprobs = true); remove the param for this ' +
      "model, or use an engine that declares capabilities.logprobs",
    events: 0,
  });
});

Deno.test("JSON output asked of an engine that does not declare it is refused; one that does passes", async () => {
  const spec = benchmark({});
  spec.slices[0].generation = { params: { response_format: { type: "json_object" } } };
  const error = await runError(spec);
  assert.equal(error.code, "SPEC_INVALID");
  assert.equal(error.events, 0);
  assert.equal(
    error.message,
    "The spec names plugins that cannot be used:\n" +
      '  - models[1].provider: the "plain" engine of model "plain-model" cannot do JSON output, ' +
      'but the inference params of "s" ask for it (response_format = {"type":"json_object"}); ' +
      "remove the param for this model, or use an engine that declares capabilities.jsonOutput",
  );
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-caps-" }));
  try {
    const orchestrator = Orchestrator.fromProjectSpec({ project_name: "caps" }, { store });
    spec.models = [{ model_id: "mocked", provider: "mock" }];
    const manifest = await orchestrator.plan(spec, { specDir: FIXTURES, persist: false });
    assert.equal(manifest.counts.trials, 1);
  } finally {
    store.close();
  }
});

Deno.test("text response formats and engines declaring logprobs pass the capability check", async () => {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-caps-" }));
  try {
    const orchestrator = Orchestrator.fromProjectSpec({ project_name: "caps" }, { store });
    const spec = benchmark({
      models: [{ model_id: "gpt", provider: "openai" }, { model_id: "p", provider: "plain" }],
    });
    spec.slices[0].generation = { params: { response_format: { type: "text" } } };
    assert.equal(
      (await orchestrator.plan(spec, { specDir: FIXTURES, persist: false })).counts.trials,
      2,
    );
    spec.models = [{ model_id: "gpt", provider: "openai" }];
    spec.inference_grid = { params: [{}], overrides: [{ logprobs: true, top_logprobs: 2 }] };
    assert.equal(
      (await orchestrator.plan(spec, { specDir: FIXTURES, persist: false })).counts.trials,
      1,
    );
  } finally {
    store.close();
  }
});
