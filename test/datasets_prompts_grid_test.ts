/**
 * Prompts and grid per slice: variants and families, few-shot system/user/assistant messages,
 * the inference grid as params × overrides (slice params on top) and `num_samples` — pinned
 * through the public API, the manifest and SQL over the events.
 */
import assert from "node:assert/strict";
import { type BenchmarkSpecInput, Orchestrator, Store } from "../mod.ts";

const ITEMS = [
  { id: "a", q: "2 + 2", answer: "4" },
  { id: "b", q: "3 + 3", answer: "6" },
];

function benchmark(extra: Partial<BenchmarkSpecInput> = {}): BenchmarkSpecInput {
  return {
    benchmark_id: "grid",
    models: [{ model_id: "echo", provider: "mock", extras: { mode: "echo" } }],
    prompt_variants: [
      { id: "plain", family: "direct", messages: [{ role: "user", content: "{item.q}" }] },
      {
        id: "terse",
        family: "direct",
        messages: [{ role: "user", content: "{item.q} =" }],
      },
      {
        id: "few_shot",
        family: "examples",
        variables: { style: "digits" },
        messages: [
          {
            role: "system",
            content: "Answer in {prompt.variables.style} ({slice.dimensions.level}).",
          },
          { role: "user", content: "1 + 1" },
          { role: "assistant", content: "2" },
          { role: "user", content: "{item.q} {{no placeholder}}" },
        ],
      },
    ],
    slices: [{
      slice_id: "s",
      dimensions: { level: "easy" },
      dataset: { kind: "inline", items: ITEMS },
    }],
    ...extra,
  };
}

async function open() {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-grid-" }));
  const orchestrator = Orchestrator.fromProjectSpec(
    { project_name: "grid", executor: { kind: "inline" } },
    { store },
  );
  return { store, orchestrator };
}

Deno.test("prompt families and variant ids pick each slice's prompts; a slice naming neither gets all", async () => {
  const { store, orchestrator } = await open();
  try {
    const spec = benchmark();
    const slice = (slice_id: string, pick: Record<string, string[]>) => ({
      slice_id,
      dimensions: { level: "easy" },
      dataset: { kind: "inline" as const, items: ITEMS },
      ...pick,
    });
    spec.slices = [
      slice("all", {}),
      slice("fam", { prompt_families: ["direct"] }),
      slice("mixed", { prompt_variant_ids: ["few_shot"], prompt_families: ["direct"] }),
      slice("one", { prompt_variant_ids: ["terse"] }),
    ];
    const manifest = await orchestrator.plan(spec, { persist: false });
    assert.deepEqual(
      manifest.experiment.tasks.map((t) => [t.task_id, t.prompts.map((p) => p.id)]),
      [
        ["all", ["plain", "terse", "few_shot"]],
        ["fam", ["plain", "terse"]],
        ["mixed", ["plain", "terse", "few_shot"]],
        ["one", ["terse"]],
      ],
    );
    assert.equal(manifest.counts.trials, 2 * (3 + 2 + 3 + 1));
  } finally {
    store.close();
  }
});

Deno.test("few-shot system/user/assistant messages render in order and reach the engine", async () => {
  const { store, orchestrator } = await open();
  try {
    const spec = benchmark();
    spec.slices[0].prompt_variant_ids = ["few_shot"];
    await orchestrator.run(spec);
    const rows = await store.sql(
      `select t.item_id, t.messages, c.text from trials t join candidates c using (trial)
       order by t.item_id`,
    );
    assert.deepEqual(
      rows.map((r) => ({ ...r, messages: JSON.parse(String(r.messages)) })),
      ITEMS.map((item) => ({
        item_id: item.id,
        messages: [
          { role: "system", content: "Answer in digits (easy)." },
          { role: "user", content: "1 + 1" },
          { role: "assistant", content: "2" },
          { role: "user", content: `${item.q} {no placeholder}` },
        ],
        // The echo model repeats the last user message: what the engine was sent.
        text: `${item.q} {no placeholder}`,
      })),
    );
  } finally {
    store.close();
  }
});

Deno.test("the inference grid is params × overrides, with the slice's params merged on top", async () => {
  const { store, orchestrator } = await open();
  try {
    const spec = benchmark({
      inference_grid: {
        params: [{ temperature: 0, max_tokens: 16 }, { temperature: 0.7, max_tokens: 16 }],
        overrides: [{}, { max_tokens: 64, top_p: 0.9 }],
      },
    });
    spec.slices[0].prompt_variant_ids = ["plain"];
    spec.slices[0].generation = { params: { stop: ["\n"] } };
    const result = await orchestrator.run(spec);
    const expected = [
      { temperature: 0, max_tokens: 16, stop: ["\n"] },
      { temperature: 0, max_tokens: 64, top_p: 0.9, stop: ["\n"] },
      { temperature: 0.7, max_tokens: 16, stop: ["\n"] },
      { temperature: 0.7, max_tokens: 64, top_p: 0.9, stop: ["\n"] },
    ];
    assert.deepEqual(result.manifest.experiment.tasks[0].inference, expected);
    const rows = await store.sql(
      `select params_index, any_value(params) as params, count(*)::integer as trials
       from trials group by params_index order by params_index`,
    );
    assert.deepEqual(
      rows.map((r) => ({ ...r, params: JSON.parse(String(r.params)) })),
      expected.map((params, i) => ({ params_index: i, params, trials: 2 })),
    );
  } finally {
    store.close();
  }
});

Deno.test("num_samples makes that many candidates per trial; raising it keeps the first ones", async () => {
  const { store, orchestrator } = await open();
  try {
    const spec = benchmark({ num_samples: 2 });
    spec.slices[0].prompt_variant_ids = ["plain"];
    const first = await orchestrator.run(spec);
    assert.deepEqual(
      { candidates: first.summary?.candidates, generated: first.summary?.generated },
      { candidates: 4, generated: 4 },
    );
    const before = await store.sql(`select cand from candidates order by cand`);
    spec.num_samples = 3;
    const second = await orchestrator.run(spec);
    assert.deepEqual(
      { candidates: second.summary?.candidates, generated: second.summary?.generated },
      { candidates: 6, generated: 2 },
    );
    const samples = await store.sql(
      `select trial, list(sample order by sample) as samples from candidates group by trial`,
    );
    assert.deepEqual(samples.map((r) => r.samples), [[0, 1, 2], [0, 1, 2]]);
    const after = await store.sql(
      `select cand from candidates where sample < 2 order by cand`,
    );
    assert.deepEqual(after, before);
  } finally {
    store.close();
  }
});

Deno.test({
  name: "a slice whose prompt selection is empty is refused instead of planning no trials",
  fn: async () => {
    const { store, orchestrator } = await open();
    try {
      const spec = benchmark();
      spec.slices[0].prompt_variant_ids = [];
      await assert.rejects(() => orchestrator.plan(spec, { persist: false }), {
        code: "SPEC_INVALID",
      });
    } finally {
      store.close();
    }
  },
});
