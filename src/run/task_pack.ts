/**
 * A batch of tasks as one message for a worker. The settings tasks share — the model, its
 * parameters, hooks, timeouts, the planned parses and scores — are the same objects in every
 * task of a plan, so a batch carries each once and the tasks point to it by index. A batch of
 * 32 tasks of one benchmark is then about a third of the text it would be written out.
 */
import type { GenerationTask, StagesTask, WorkTask } from "./candidate_work.ts";

/** A batch as it travels: shared values once, tasks with indexes into them. */
export interface PackedBatch {
  keys: number[];
  alone: boolean;
  shared: unknown[];
  tasks: PackedTask[];
}

/** A worker's answer: one result per task, and how long the tasks took in the worker. */
export interface BatchReply {
  /**
   * From the start of the batch's tasks in the worker (plugins loaded) to its last result: the
   * scheduler's queue aside, though other batches the worker runs meanwhile count too.
   */
  ms: number;
  results: unknown[];
}

type Ref = number;

type PackedTask =
  | Omit<GenerationTask, "request" | "hooks" | "timeouts"> & {
    request: Omit<GenerationTask["request"], "model" | "params"> & { model: Ref; params: Ref };
    hooks: Ref;
    timeouts: Ref;
  }
  | Omit<StagesTask, "parses" | "scores" | "hooks" | "timeouts"> & {
    parses: Ref[];
    scores: Ref[];
    hooks: Ref;
    timeouts: Ref;
  };

/**
 * Pack tasks for one message: each shared object (by identity) is written once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packBatch, unpackBatch } from "./task_pack.ts";
 * import type { GenerationTask } from "./candidate_work.ts";
 * const model = { model_id: "m", provider: "mock", extras: {} };
 * const timeouts = { generation: 1, parse: 1, score: 1, judge: 1, hook: 1 };
 * const task = (id: string): GenerationTask => ({
 *   kind: "generation", hooks: [], timeouts,
 *   request: { model, messages: [], params: {}, seed: 1, trialId: "t", candidateId: id,
 *     sampleIndex: 0, item: { id: "i", payload: {} } },
 * });
 * const packed = packBatch([task("a"), task("b")], [1, 2], false);
 * assert.equal(packed.shared.filter((s) => s === model).length, 1);
 * const back = unpackBatch(JSON.parse(JSON.stringify(packed)));
 * assert.deepEqual(back.tasks, [task("a"), task("b")]);
 * ```
 */
export function packBatch(tasks: ReadonlyArray<WorkTask>, keys: number[], alone: boolean) {
  const shared: unknown[] = [];
  const index = new Map<unknown, number>();
  const ref = (value: unknown): Ref => {
    let i = index.get(value);
    if (i === undefined) {
      i = shared.push(value) - 1;
      index.set(value, i);
    }
    return i;
  };
  const packed = tasks.map((task) => swapShared(task, ref) as PackedTask);
  return { keys, alone, shared, tasks: packed } satisfies PackedBatch;
}

/** The tasks of a packed batch, whole again. */
export function unpackBatch(
  batch: PackedBatch,
): { keys: number[]; alone: boolean; tasks: WorkTask[] } {
  const at = (i: unknown) => batch.shared[i as Ref];
  const tasks = batch.tasks.map((task) => swapShared(task, at) as WorkTask);
  return { keys: batch.keys, alone: batch.alone, tasks };
}

/** A task with each shared value replaced by `swap` of it: refs for values, or back. */
function swapShared(task: WorkTask | PackedTask, swap: (value: never) => unknown): unknown {
  const f = swap as (value: unknown) => unknown;
  if (task.kind === "generation") {
    const { model, params, ...request } = task.request;
    return {
      ...task,
      request: { ...request, model: f(model), params: f(params) },
      hooks: f(task.hooks),
      timeouts: f(task.timeouts),
    };
  }
  return {
    ...task,
    parses: (task.parses as unknown[]).map(f),
    scores: (task.scores as unknown[]).map(f),
    hooks: f(task.hooks),
    timeouts: f(task.timeouts),
  };
}
