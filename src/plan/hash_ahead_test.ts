import assert from "node:assert/strict";
import { ItemList } from "../plugins/datasets/item_list.ts";
import type { ExperimentSpec } from "../spec/schemas.ts";
import { HashAhead } from "./hash_ahead.ts";
import { iterPlannedTrials } from "./plan_trials.ts";
import { PlannedIds } from "./planned_ids.ts";
import { AHEAD_END, AHEAD_FROM } from "./planned_ids.ts";

const experiment = {
  experiment_id: "e",
  plugins: [],
  hooks: [],
  num_samples: 2,
  models: [
    { model_id: "a", provider: "mock", extras: {} },
    { model_id: "b", provider: "mock", extras: { x: 1 } },
  ],
  tasks: ["t1", "t2"].map((task_id) => ({
    task_id,
    dataset: { kind: "inline" as const, items: [{ id: "0" }] },
    dataset_query: { kind: "all" as const },
    dimensions: {},
    inference: [{}, { temperature: 1 }],
    prompts: [{
      id: "p",
      messages: [{ role: "user" as const, content: "{item.q}" }],
      variables: {},
    }],
    parses: [],
    scores: [],
  })),
} as ExperimentSpec;

const items = new Map(["t1", "t2"].map((task, t) => [
  task,
  ItemList.from(Array.from({ length: 700 + t * 50 }, (_, i) => ({
    id: `${task}-${i}`,
    payload: { id: `${task}-${i}`, q: `é ${i}` },
  }))),
]));

/** Every trial's ids and its candidates' ids and seeds, in plan order. */
function idsOf(
  walk: Iterable<{ trial: string; candidates: unknown[] }>,
  each?: (n: number) => void,
) {
  const out: unknown[] = [];
  for (const trial of walk) {
    out.push([trial.trial, trial.candidates]);
    each?.(out.length);
  }
  return out;
}

Deno.test("a worker hashing ahead of the walk gives the same ids as the walk alone", async () => {
  const alone = idsOf(iterPlannedTrials(experiment, { items, globalSeed: 3 }));
  const ids = new PlannedIds();
  ids.size(alone.length, 2);
  const ahead = HashAhead.start(experiment, items, { ids, globalSeed: 3, minTrials: 0 })!;
  try {
    while (!ahead.ready) await new Promise((resolve) => setTimeout(resolve, 5));
    const walk = iterPlannedTrials(experiment, { items, globalSeed: 3, ids });
    const helped = idsOf(walk, (n) => {
      ahead.pump(n);
      // Let the worker get ahead now and then, as a slower walk would.
      if (n % 500 === 0) {
        const until = Date.now() + 20;
        while (Date.now() < until && Atomics.load(ids.memory!.control, AHEAD_END) < n + 600);
      }
    });
    assert.deepEqual(helped, alone);
    const control = ids.memory!.control;
    assert.ok(Atomics.load(control, AHEAD_END) > Atomics.load(control, AHEAD_FROM));
    assert.ok(ids.complete);
    // A later walk takes every id from memory.
    assert.deepEqual(idsOf(iterPlannedTrials(experiment, { items, globalSeed: 3, ids })), alone);
  } finally {
    ahead.stop();
  }
});

Deno.test("small plans are walked without a worker", () => {
  const ids = new PlannedIds();
  ids.size(10, 1);
  assert.equal(HashAhead.start(experiment, items, { ids, globalSeed: 0 }), undefined);
});
