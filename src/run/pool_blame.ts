/**
 * What to record for a task whose worker went away while it ran alone: the failure of the
 * work item its board named, in the stage it was in — a timeout when the watchdog stopped the
 * worker, a crash when the worker ended on its own.
 */
import { errorMessage, ThemisError } from "../core/errors.ts";
import type { StagesTask, WorkResult, WorkTask } from "./candidate_work.ts";
import { phaseTimeoutError, type StageName } from "./task_clock.ts";
import type { SeenTask } from "./worker_watch.ts";
import { toWorkError } from "./work_error.ts";

/** Why a worker went away. */
export interface Lost {
  kind: "timeout" | "crash";
  message: string;
}

/**
 * Why a task's worker went away, from the pool's rejection, the board and what the worker
 * reported before it ended.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lostReason } from "./pool_blame.ts";
 * const lost = lostReason(new Error("worker exited with code: 3"), undefined);
 * assert.equal(lost.kind, "crash");
 * assert.match(lost.message, /exit code 3/);
 * ```
 */
export function lostReason(error: unknown, seen: SeenTask | undefined, stray?: string): Lost {
  if (seen?.overdue) {
    return {
      kind: "timeout",
      message: "; its worker was stopped (code stuck in a synchronous loop, or a worker out of " +
        "memory: see executor.worker_heap_mb)",
    };
  }
  if (stray) {
    return {
      kind: "crash",
      message: `an uncaught ${stray.startsWith("rejection") ? "promise rejection" : "error"} ` +
        `(a timer or a callback outside the plugin's promise chain) ended its worker: ` +
        stray.replace(/^(error|rejection): /, ""),
    };
  }
  const code = /exited with code: (-?\d+)/.exec(errorMessage(error))?.[1];
  return {
    kind: "crash",
    message: code !== undefined
      ? `the plugin ended its worker (exit code ${code}: process.exit, Deno.exit or a fatal error)`
      : `its worker failed: ${errorMessage(error)}`,
  };
}

/** The stage and label of a work item of a task. */
function itemOf(task: WorkTask, item: number): { stage: StageName; label: string } {
  if (task.kind === "generation") {
    const { model } = task.request;
    return { stage: "generation", label: `generation:${model.provider}/${model.model_id}` };
  }
  if (item < task.parses.length) {
    return { stage: "parse", label: `parse:${task.parses[item].name}` };
  }
  const score = task.scores[item - task.parses.length];
  return { stage: "score", label: `score:${score?.name ?? "?"}` };
}

/** The failure of one work item. */
function failureOf(task: WorkTask, seen: SeenTask | undefined, reason: Lost) {
  const { stage: itemStage, label } = itemOf(task, seen?.item ?? 0);
  const stage = seen?.stage ?? itemStage;
  const where = stage === itemStage ? label : `${stage} in ${label}`;
  const error = reason.kind === "timeout"
    ? phaseTimeoutError(stage, where, task.timeouts[stage], reason.message)
    : new ThemisError("PLUGIN_ERROR", `${where}: ${reason.message}`, { crashed: true });
  return toWorkError(error, where, stage);
}

/**
 * The result to record for a lost task, and — for a stages task — the task of its other items
 * to run again. Without a board entry (the task never started) every item fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blameResult } from "./pool_blame.ts";
 * const timeouts = { generation: 1e3, parse: 1e3, score: 2e3, judge: 1e3, hook: 1e3 };
 * const task = { kind: "stages" as const, trialId: "t", candidateId: "c", text: "", item: {},
 *   knownAnswers: {}, hooks: [], timeouts, parses: [],
 *   scores: [{ hash: "a", taskId: "t", name: "a", parseHash: null, parseName: null, metrics: [],
 *     reduction: "mean" as const },
 *   { hash: "b", taskId: "t", name: "b", parseHash: null, parseName: null, metrics: [],
 *     reduction: "mean" as const }] };
 * const seen = { key: 1, threadId: 2, stage: "score" as const, item: 0, deadline: 0, overdue: true };
 * const { result, remaining } = blameResult(task, seen, { kind: "timeout", message: "" });
 * assert.equal("scores" in result && result.scores[0].error?.code, "PLUGIN_TIMEOUT");
 * assert.deepEqual(remaining?.scores.map((s) => s.name), ["b"]);
 * ```
 */
export function blameResult(
  task: WorkTask,
  seen: SeenTask | undefined,
  reason: Lost,
): { result: WorkResult<WorkTask>; remaining?: StagesTask } {
  const error = failureOf(task, seen, reason);
  if (task.kind === "generation") return { result: { ok: false, error } };
  if (seen === undefined) {
    return {
      result: {
        parses: task.parses.map((p) => ({ hash: p.hash, error })),
        scores: task.scores.map((s) => ({ hash: s.hash, error })),
      },
    };
  }
  const i = seen.item;
  const parse = i < task.parses.length;
  const result = parse
    ? { parses: [{ hash: task.parses[i].hash, error }], scores: [] }
    : { parses: [], scores: [{ hash: task.scores[i - task.parses.length].hash, error }] };
  const remaining: StagesTask = {
    ...task,
    parses: task.parses.filter((_, k) => !parse || k !== i),
    scores: task.scores.filter((_, k) => parse || k !== i - task.parses.length),
  };
  const left = remaining.parses.length + remaining.scores.length;
  return left > 0 ? { result, remaining } : { result };
}
