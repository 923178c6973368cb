import assert from "node:assert/strict";
import { poolExecutor } from "./pool.ts";
import type { StagesTask } from "./candidate_work.ts";

const timeouts = { generation: 5e3, parse: 5e3, score: 5e3, judge: 5e3, hook: 5e3 };

function parseTask(i: number): StagesTask {
  return {
    kind: "stages",
    trialId: `t${i}`,
    candidateId: `c${i}`,
    text: `x = ${i}`,
    item: {},
    scores: [],
    knownAnswers: {},
    hooks: [],
    timeouts,
    parses: [{
      hash: "p",
      taskId: "t",
      name: "n",
      extractors: [{ id: "first_number", config: {} }],
    }],
  };
}

/** Keep the main thread busy for `ms`, as a scheduler recording events does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* the scheduler's own work */ }
}

Deno.test("fast tasks keep travelling in batches while the scheduler is busy", async () => {
  // Each answer costs the main thread 1 ms, so a batch's round trip (send to the reply being
  // handled) lasts far past the 5 ms that marks tasks waiting on I/O. Only the time the tasks
  // took in the worker says whether they are fast: these take microseconds there.
  const sizes: number[] = [];
  const pool = poolExecutor({
    maxThreads: 1,
    modules: [],
    maxInFlight: 64,
    onBatch: (n) => sizes.push(n),
  });
  const total = 1200;
  let next = 0;
  const answers: number[] = [];
  const lane = async () => {
    while (next < total) {
      const i = next++;
      const result = await pool.run(parseTask(i));
      busy(1);
      answers[i] = result.parses[0].outcome?.answer as number;
    }
  };
  try {
    await Promise.all(Array.from({ length: 64 }, lane));
  } finally {
    await pool.close();
  }
  assert.deepEqual(answers, Array.from({ length: total }, (_, i) => i));
  const alone = sizes.filter((n) => n === 1).length;
  // Batched from the first send on: sent one by one, 1,200 tasks would be about 1,200 sends.
  assert.ok(
    sizes.length < total / 4,
    `${sizes.length} sends for ${total} tasks (${alone} of a single task)`,
  );
});
