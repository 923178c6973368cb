/**
 * Reuse: the same benchmark twice makes no engine call the second time; adding a metric, a
 * parse, a prompt variant or samples reuses every generation already done. Counted through SQL
 * over the events, not by mocks.
 */
import assert from "node:assert/strict";
import { type BenchmarkSpecInput, Orchestrator, Store } from "../mod.ts";

function benchmark(): BenchmarkSpecInput & Record<string, unknown> {
  return {
    benchmark_id: "reuse",
    models: [
      { model_id: "solver", provider: "mock", extras: { mode: "reference", accuracy: 0.6 } },
      { model_id: "echo", provider: "mock", extras: { mode: "echo" } },
    ],
    prompt_variants: [
      { id: "plain", messages: [{ role: "user", content: "{item.question}" }] },
    ],
    slices: [{
      slice_id: "math",
      dataset: {
        kind: "inline",
        items: Array.from({ length: 10 }, (_, i) => ({
          id: `q${i}`,
          question: `${i} + ${i}`,
          answer: String(2 * i),
        })),
      },
      parses: [{ name: "num", extractors: [{ id: "first_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
    }],
  };
}

async function count(store: Store, type: string): Promise<number> {
  const rows = await store.sql(`select count(*)::integer as n from events where type = '${type}'`);
  return rows[0].n as number;
}

async function setup() {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-reuse-" }));
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "reuse", global_seed: 3 }, {
    store,
  });
  return { store, orchestrator };
}

Deno.test("running the same benchmark twice makes zero engine calls and gives the same aggregate", async () => {
  const { store, orchestrator } = await setup();
  try {
    const first = await orchestrator.run(benchmark());
    assert.equal(await count(store, "generation.completed"), 20);
    const second = await orchestrator.run(benchmark());
    assert.equal(second.runId, first.runId, "an unchanged spec plans the same run id");
    assert.equal(await count(store, "generation.completed"), 20);
    assert.equal(second.summary?.generated, 0);
    assert.deepEqual(await second.aggregate(), await first.aggregate());
  } finally {
    store.close();
  }
});

Deno.test("adding a metric, a parse, a prompt variant or samples reuses every generation", async () => {
  const { store, orchestrator } = await setup();
  try {
    const spec = benchmark();
    await orchestrator.run(spec);
    const gens = await count(store, "generation.completed");
    assert.equal(gens, 20);

    // A metric: new score work, no generation.
    spec.slices[0].scores!.push({ name: "raw", metrics: [{ id: "exact_match" }] });
    const withMetric = await orchestrator.run(spec);
    assert.equal(await count(store, "generation.completed"), 20);
    assert.equal(withMetric.summary?.scored, 20);

    // A parse: new parse work, no generation.
    spec.slices[0].parses!.push({ name: "last", extractors: [{ id: "normalized_text" }] });
    const withParse = await orchestrator.run(spec);
    assert.equal(await count(store, "generation.completed"), 20);
    assert.equal(withParse.summary?.parsed, 20);

    // A prompt variant: generations for the new variant only.
    spec.prompt_variants.push({
      id: "polite",
      messages: [{ role: "user", content: "Please: {item.question}" }],
    });
    await orchestrator.run(spec);
    assert.equal(await count(store, "generation.completed"), 40);

    // More samples: sample 0 of every trial is kept, samples 1 and 2 are new.
    spec.num_samples = 3;
    const moreSamples = await orchestrator.run(spec);
    assert.equal(await count(store, "generation.completed"), 120);
    assert.equal(moreSamples.summary?.generated, 80);

    // Each candidate was generated exactly once across all runs of the store.
    const dupes = await store.sql(
      `select count(*)::integer as n from (select cand from events
       where type = 'generation.completed' group by cand having count(*) > 1)`,
    );
    assert.equal(dupes[0].n, 0);
  } finally {
    store.close();
  }
});

Deno.test("a store of runs that reuse each other's trials counts each trial once", async () => {
  const { store, orchestrator } = await setup();
  try {
    const spec = benchmark();
    const a = await orchestrator.run(spec);
    spec.slices[0].scores!.push({ name: "raw", metrics: [{ id: "exact_match" }] });
    const b = await orchestrator.run(spec);
    assert.notEqual(a.runId, b.runId);
    const trials = await store.sql(`select count(*)::integer as n from trials`);
    assert.equal(trials[0].n, 20);
    const acc = (rows: Awaited<ReturnType<typeof a.aggregate>>) =>
      rows.filter((r) => r.score === "acc");
    assert.deepEqual(acc(await b.aggregate()), acc(await a.aggregate()));
  } finally {
    store.close();
  }
});
