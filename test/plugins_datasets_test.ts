/**
 * Dataset provider plugins: a module referenced from the spec (relative to the spec file) or
 * registered from code; unknown names, bad configs and misbehaving providers are clear errors
 * at planning time.
 */
import { withoutStats } from "./support/rows.ts";
import assert from "node:assert/strict";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { loadTaskItems } from "../src/plan/plan_run.ts";
import {
  type BenchmarkSpecInput,
  createRegistry,
  Orchestrator,
  Registry,
  Store,
  validateExperiment,
} from "../mod.ts";

const FIXTURES = fromFileUrl(new URL("./fixtures/", import.meta.url));

function benchmark(dataset: Record<string, unknown>, extra: Partial<BenchmarkSpecInput> = {}) {
  return {
    benchmark_id: "provided",
    plugins: ["plugins/dataset_providers.ts"],
    models: [{ model_id: "solver", provider: "mock", extras: { mode: "reference" } }],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.question}" }] }],
    slices: [{
      slice_id: "squares",
      dataset,
      parses: [{ name: "num", extractors: [{ id: "first_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "numeric_match" }] }],
    }],
    ...extra,
  } as BenchmarkSpecInput;
}

async function open() {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-providers-" }));
  return { store, orchestrator: Orchestrator.fromProjectSpec({ project_name: "p" }, { store }) };
}

Deno.test("a dataset provider module named in the spec feeds a run end to end in the worker pool", async () => {
  const { store, orchestrator } = await open();
  try {
    const spec = benchmark({ kind: "provider", provider: "squares", config: { n: 6 } });
    spec.slices[0].dataset_query = { kind: "filter", where: { parity: "even" } };
    const result = await orchestrator.run(spec, { specDir: FIXTURES });
    const items = await store.sql(
      `select item_id, item->>'question' as q, item->>'slice' as slice from trials order by item_id`,
    );
    assert.deepEqual(items, [
      { item_id: "sq0", q: "0 * 0", slice: "squares" },
      { item_id: "sq2", q: "2 * 2", slice: "squares" },
      { item_id: "sq4", q: "4 * 4", slice: "squares" },
    ]);
    // The mock answers each item's reference: every parsed number matches.
    assert.deepEqual(withoutStats(await result.aggregate()), [{
      model: "solver",
      slice: "squares",
      prompt_variant: "p",
      score: "acc",
      metric: "numeric_match",
      mean: 1,
      count: 3,
      n_trials: 3,
      n_scored: 3,
      n_invalid: 0,
      n_failed: 0,
    }]);
    assert.deepEqual(result.manifest.datasets.squares.items, 3);
  } finally {
    store.close();
  }
});

Deno.test("a dataset provider registered from code is found at planning and keeps the registry portable", async () => {
  const registry = createRegistry().registerDatasetProvider({
    id: "letters",
    load: () => ["a", "b", "c"].map((l) => ({ id: l, question: `say ${l}`, answer: l })),
  });
  assert.equal(registry.isPortable(), true);
  const experiment = validateExperiment({
    experiment_id: "x",
    models: [{ model_id: "m", provider: "mock" }],
    tasks: [{
      task_id: "t",
      dataset: { kind: "provider", provider: "letters", id_field: "id" },
      dataset_query: { kind: "item_ids", ids: ["c", "a"] },
      prompts: [{ id: "p", messages: [{ role: "user", content: "{item.question}" }] }],
    }],
  });
  const items = await loadTaskItems(experiment, ".", { registry });
  assert.deepEqual([...items.entries()].map(([t, list]) => [t, list.toArray()]), [[
    "t",
    [
      { id: "c", payload: { id: "c", question: "say c", answer: "c" } },
      { id: "a", payload: { id: "a", question: "say a", answer: "a" } },
    ],
  ]]);
});

Deno.test("an unknown dataset provider lists the available ones and the closest match", async () => {
  const { store, orchestrator } = await open();
  try {
    await assert.rejects(
      () =>
        orchestrator.plan(benchmark({ kind: "provider", provider: "square" }), {
          specDir: FIXTURES,
          persist: false,
        }),
      (error: { code: string; message: string }) => {
        assert.equal(error.code, "PLUGIN_NOT_FOUND");
        assert.equal(
          error.message,
          "The spec names plugins that cannot be used:\n  - slices[0].dataset.provider: Unknown " +
            'dataset provider "square". Did you mean "squares"? Available: bad_row, not_array, ' +
            "squares, throws",
        );
        return true;
      },
    );
  } finally {
    store.close();
  }
});

Deno.test("a provider's bad config, a throw, a non-array and a non-object row are clear errors", async () => {
  const { store, orchestrator } = await open();
  const planError = async (dataset: Record<string, unknown>) => {
    try {
      await orchestrator.plan(benchmark(dataset), { specDir: FIXTURES, persist: false });
    } catch (error) {
      const e = error as { code: string; message: string };
      return { code: e.code, message: e.message };
    }
    throw new Error("planning should have failed");
  };
  try {
    assert.deepEqual(await planError({ kind: "provider", provider: "squares", config: { n: 0 } }), {
      code: "SPEC_INVALID",
      message: "The spec names plugins that cannot be used:\n" +
        '  - slices[0].dataset.provider: squares: "n" must be a positive integer',
    });
    assert.deepEqual(await planError({ kind: "provider", provider: "throws" }), {
      code: "PLUGIN_ERROR",
      message: 'dataset provider "throws" failed: the mirror is offline',
    });
    assert.deepEqual(await planError({ kind: "provider", provider: "not_array" }), {
      code: "PLUGIN_INVALID",
      message: 'dataset provider "not_array" must return an array of row objects, got object',
    });
    assert.deepEqual(await planError({ kind: "provider", provider: "bad_row" }), {
      code: "DATASET_INVALID",
      message: 'dataset provider "bad_row": row 2 is not an object',
    });
  } finally {
    store.close();
  }
});

Deno.test("a dataset provider written for another plugin API or without load() is refused", () => {
  const registry = new Registry();
  assert.throws(
    () => registry.registerDatasetProvider({ id: "old", pluginApi: 0, load: () => [] }),
    {
      code: "PLUGIN_INVALID",
      message: 'The dataset provider "old" was written for plugin API 0; this themis speaks 1',
    },
  );
  assert.throws(
    () => registry.registerDatasetProvider({ id: "lazy" } as never),
    { code: "PLUGIN_INVALID", message: 'The dataset provider "lazy" has no "load" function' },
  );
});
