import assert from "node:assert/strict";
import type { JsonObject } from "../core/json.ts";
import type { GenerationTask, StagesTask } from "./candidate_work.ts";
import { packBatch, unpackBatch } from "./task_pack.ts";

const timeouts = { generation: 1, parse: 2, score: 3, judge: 4, hook: 5 };
const hooks = [{ id: "h", config: {} }];
const model = { model_id: "m", provider: "mock", extras: { mode: "echo" } };
const parse = {
  hash: "p1",
  taskId: "t",
  name: "n",
  extractors: [{ id: "last_number", config: {} }],
};
const score = {
  hash: "s1",
  taskId: "t",
  name: "acc",
  parseHash: "p1",
  metrics: [{ id: "exact_match", config: {} }],
};

function generation(id: string, params: JsonObject): GenerationTask {
  return {
    kind: "generation",
    hooks,
    timeouts,
    request: {
      model,
      messages: [{ role: "user", content: `q ${id}` }],
      params,
      seed: 7,
      trialId: "t",
      candidateId: id,
      sampleIndex: 0,
      item: { id: "i", payload: { answer: "4" } },
    },
  };
}

function stages(id: string): StagesTask {
  return {
    kind: "stages",
    trialId: "t",
    candidateId: id,
    text: "4",
    item: { answer: "4" },
    parses: [parse],
    scores: [score],
    knownAnswers: { p0: { ok: true, answer: 3 } },
    hooks,
    timeouts,
    judgeCache: { j: { text: "yes" } },
  } as unknown as StagesTask;
}

Deno.test("a packed batch comes back as the same tasks, through JSON", () => {
  const params = { temperature: 0 };
  const tasks = [generation("a", params), stages("b"), generation("c", { temperature: 1 })];
  const packed = JSON.parse(JSON.stringify(packBatch(tasks, [1, 2, 3], true)));
  const back = unpackBatch(packed);
  assert.deepEqual(back, { keys: [1, 2, 3], alone: true, tasks });
});

Deno.test("what tasks share travels once per batch", () => {
  const params = {};
  const tasks = Array.from({ length: 32 }, (_, i) => generation(`c${i}`, params));
  const packed = packBatch(tasks, tasks.map((_, i) => i), false);
  // model, params, hooks, timeouts: once each.
  assert.equal(packed.shared.length, 4);
  const plain = JSON.stringify({ tasks }).length;
  assert.ok(JSON.stringify(packed).length < plain * 0.7, "packing should save a third at least");
});
