/**
 * The worker entry of the pool: rebuilds the registry from the built-ins and the plugin
 * modules it was given, then runs tasks with the shared work functions. Each running task
 * publishes its phase on this worker's board (shared memory the main thread reads). An error
 * no task can catch — thrown from a timer, an unhandled rejection — is reported to the main
 * thread and ends this worker only, never the run: the pool finds out whose it was.
 */
import process from "node:process";
import { setImmediate } from "node:timers";
import { parentPort, threadId, workerData } from "node:worker_threads";
import { errorMessage } from "../core/errors.ts";
import { createRegistry, type Registry } from "../plugins/registry.ts";
import { runWork, type WorkResult, type WorkTask } from "./candidate_work.ts";
import type { WorkerData, WorkerNote } from "./pool.ts";
import { secretReader } from "./secrets.ts";
import { type BatchReply, type PackedBatch, unpackBatch } from "./task_pack.ts";
import { type BoardSlot, WorkBoard } from "./work_board.ts";
import { toWorkError } from "./work_error.ts";

/** The exit code of a worker ended by an error outside any task's promise chain. */
export const STRAY_EXIT_CODE = 70;

const data = workerData as WorkerData;
const board = WorkBoard.create(data.boardSlots);
const note = (message: WorkerNote) => parentPort?.postMessage(message);
note({ type: "board", threadId, buffer: board.buffer });

function stray(kind: "error" | "rejection", error: unknown): void {
  note({ type: "stray", threadId, kind, message: errorMessage(error) });
  process.exit(STRAY_EXIT_CODE);
}
globalThis.addEventListener("error", (event) => {
  event.preventDefault();
  stray("error", (event as ErrorEvent).error ?? (event as ErrorEvent).message);
});
globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  stray("rejection", event.reason);
});

let registry: Promise<Registry> | undefined;

function loadRegistry(): Promise<Registry> {
  registry ??= (async () => {
    const loaded = createRegistry();
    for (const specifier of data.modules) await loaded.loadModule(specifier);
    return loaded;
  })();
  return registry;
}

// Secrets are read here, in the worker, at call time. They never travel back in a result.
const secret = secretReader(data.runtime);

/** A task that could not run: every item it carried fails with the reason. */
function unstarted(task: WorkTask, error: unknown): WorkResult<WorkTask> {
  const stage = task.kind === "generation" ? "generation" : "parse";
  const failure = toWorkError(error, "worker", stage);
  if (task.kind === "generation") return { ok: false, error: failure };
  return {
    parses: task.parses.map((p) => ({ hash: p.hash, error: failure })),
    scores: task.scores.map((s) => ({ hash: s.hash, error: failure })),
  };
}

// Zero-delay timers plugins set and that have not fired yet. Wrapping the worker's timer
// functions is how the worker knows when one more turn of the event loop is worth waiting for:
// an error such a timer throws then surfaces while its task is still in flight.
const pendingZeroTimers = new Set<unknown>();
type TimerFunctions = {
  setTimeout(handler: unknown, ms?: number, ...args: unknown[]): unknown;
  clearTimeout(id?: unknown): void;
};
const timers = globalThis as unknown as TimerFunctions;
const native = { setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout };
timers.setTimeout = (handler, ms, ...args) => {
  if (typeof handler !== "function" || (ms ?? 0) > 1) {
    return native.setTimeout(handler, ms, ...args);
  }
  const id = native.setTimeout(() => {
    pendingZeroTimers.delete(id);
    handler(...args);
  }, ms);
  pendingZeroTimers.add(id);
  return id;
};
timers.clearTimeout = (id) => {
  pendingZeroTimers.delete(id);
  native.clearTimeout(id);
};

/** Longest wait for plugins' zero-delay timers before a task's answer goes out (ms). */
const MAX_TURN_MS = 10;

/**
 * Let what a task set off surface before its answer goes out: one immediate hop (unhandled
 * rejections are reported at the end of a turn), and while plugins' zero-delay timers are
 * pending, timer turns until they fired (at most `MAX_TURN_MS`). Cheap when nothing is
 * pending, which keeps fast tasks fast.
 */
async function turn(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  const until = performance.now() + MAX_TURN_MS;
  while (pendingZeroTimers.size > 0 && performance.now() < until) {
    await new Promise<void>((resolve) => native.setTimeout(resolve, 1));
  }
}

/**
 * Run a batch of tasks concurrently, given and returned as JSON text (Piscina calls the
 * default export): a packed batch (`task_pack.ts`) in, one result per task out. The answer waits one
 * turn of the event loop, so an error a plugin set off surfaces while its batch is in flight
 * (the pool then finds its owner) rather than after the batch was counted a success.
 */
export default async function runBatch(batch: string): Promise<string> {
  const { keys, tasks, alone } = unpackBatch(JSON.parse(batch) as PackedBatch);
  let loaded: Registry;
  try {
    loaded = await loadRegistry();
  } catch (error) {
    const failed: BatchReply = { ms: 0, results: tasks.map((task) => unstarted(task, error)) };
    return JSON.stringify(failed);
  }
  // Timed from here: loading the plugins once per worker says nothing of the tasks' speed.
  const started = performance.now();
  const settle = alone ? turn : undefined;
  const slots: Array<BoardSlot | undefined> = [];
  // Each task claims its slot as it starts: tasks behind one stuck in a loop never started.
  const results = await Promise.all(tasks.map((task, i) => {
    const slot = board.claim(keys[i]);
    slots.push(slot);
    return runWork(task, loaded, { secret, board: slot, settle })
      .catch((error) => unstarted(task, error));
  }));
  const answered: BatchReply = { ms: performance.now() - started, results };
  // Slots stay claimed through the turn: a task lost in it counts as started (a suspect).
  await turn();
  for (const slot of slots) slot?.release();
  return JSON.stringify(answered);
}
