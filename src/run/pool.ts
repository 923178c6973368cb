/** The only module that imports Piscina (DESIGN §4). */
import { Piscina } from "npm:piscina@5.3.2";
import { availableParallelism } from "node:os";
import { setImmediate } from "node:timers";
import { ThemisError } from "../core/errors.ts";
import type { WorkResult, WorkTask } from "./candidate_work.ts";
import type { RunTaskOptions, StageExecutor } from "./executor.ts";
import { candidatesInFlight } from "./execute_plan.ts";
import { type BatchReply, packBatch } from "./task_pack.ts";
import { blameResult, type Lost, lostReason } from "./pool_blame.ts";
import { type SeenTask, type WorkerNote, WorkerWatch } from "./worker_watch.ts";

export type { WorkerNote } from "./worker_watch.ts";

/** Pool settings. */
export interface PoolOptions {
  /** Worker threads (default: the machine's cores). */
  maxThreads?: number;
  /** Tasks (batches) one worker runs at once (default: enough for `maxInFlight`). */
  tasksPerWorker?: number;
  /** Candidates the scheduler keeps in flight: the pool's capacity follows it. */
  maxInFlight?: number;
  /** Plugin modules every worker loads besides the built-ins. */
  modules: string[];
  /** Values workers may read secrets from before their own environment. */
  runtime?: Record<string, string>;
  /** Most tasks sent to a worker in one message (default 32). */
  maxBatch?: number;
  /** Heap limit of one worker in MB (default 2048): past it, the worker stops, not the run. */
  workerHeapMb?: number;
  /** Extra time past a phase's deadline before its worker is stopped (default 1000 ms). */
  graceMs?: number;
  /** Told the size of every message sent to the shared workers (benches and tests). */
  onBatch?: (tasks: number) => void;
}

/** What a worker is started with. */
export interface WorkerData {
  modules: string[];
  runtime: Record<string, string>;
  /** Tasks the worker's board has room for. */
  boardSlots: number;
}

/**
 * Batches slower than this in their worker (ms, running mean) mean tasks that wait on I/O or
 * compute at length: they go alone, so none waits for another's end.
 */
const SLOW_TASK_MS = 5;
/** A task whose worker went away before it started is sent again, at most this often. */
const MAX_RESENDS = 4;

/** Tasks of one kind waiting for the next send, and how long their batches take. */
interface Lane {
  queue: Pending[];
  /** Running mean of a batch's time in its worker (ms). */
  meanMs: number;
}

interface Pending {
  key: number;
  task: WorkTask;
  options: RunTaskOptions;
  resolve(result: WorkResult<WorkTask>): void;
  reject(error: unknown): void;
  resends: number;
  /** Set by the watchdog when it stopped the task's worker. */
  seen?: SeenTask;
  /** Failures of a stages task's items found one by one in isolation. */
  blamed?: WorkResult<WorkTask>;
}

const cancelled = () => new ThemisError("CANCELLED", "the task was cancelled");

/**
 * A Piscina worker pool running tasks. Tasks queued in the same turn of the event loop travel
 * to a worker together as one JSON message (many fast tasks would otherwise pay the thread hop
 * one by one). Nothing a plugin does ends the run: a throw comes back as data; an async hang
 * times out in the worker; a worker stuck past a phase's deadline (synchronous code, out of
 * memory) is stopped by the watchdog; a worker that exits or crashes is replaced. The tasks a
 * lost worker was running go again alone, each in a worker of its own, where the culprit shows
 * itself and fails — in the stage its board names — and the others finish.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { poolExecutor } from "./pool.ts";
 * const pool = poolExecutor({ maxThreads: 1, modules: [] });
 * const timeouts = { generation: 5e3, parse: 5e3, score: 5e3, judge: 5e3, hook: 5e3 };
 * const out = await pool.run({ kind: "stages", trialId: "t", candidateId: "c", text: "x = 4",
 *   item: {}, scores: [], knownAnswers: {}, hooks: [], timeouts,
 *   parses: [{ hash: "p", taskId: "t", name: "n", extractors: [{ id: "first_number", config: {} }] }],
 * });
 * assert.equal(out.parses[0].outcome?.answer, 4);
 * await pool.close();
 * ```
 */
export function poolExecutor(options: PoolOptions): StageExecutor {
  return new PoolExecutor(options);
}

/** A Piscina pool of workers running `worker.ts`, watched by `watch`. */
function createPiscina(
  size: number,
  concurrency: number,
  options: PoolOptions & { maxBatch: number; watch: WorkerWatch },
): Piscina {
  const pool = new Piscina({
    filename: new URL("./worker.ts", import.meta.url).href,
    // Always full: Piscina replaces a lost worker only up to minThreads, and tasks queued
    // behind a lost worker would otherwise wait for a run() that never comes.
    minThreads: size,
    maxThreads: size,
    concurrentTasksPerWorker: concurrency,
    // Piscina's default blocks an idle worker in Atomics.wait, which stalls the event loop
    // that async engines (fetch) need while several tasks are in flight on one worker.
    atomics: "disabled",
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: options.workerHeapMb ?? 2048 },
    workerData: {
      modules: options.modules,
      runtime: options.runtime ?? {},
      boardSlots: concurrency * options.maxBatch,
    } satisfies WorkerData,
  });
  pool.on("message", (message: WorkerNote) => options.watch.note(message));
  pool.on("workerDestroy", (worker: { id: number }) => options.watch.gone(worker.id));
  // A reply that arrives after its worker was stopped, or an error of a worker with no task:
  // the tasks concerned are handled where their run() rejects; nothing here may throw.
  pool.on("error", () => {});
  return pool;
}

class PoolExecutor implements StageExecutor {
  readonly kind = "pool";
  readonly #threads: number;
  readonly #tasksPerWorker: number;
  readonly #options: PoolOptions & { maxBatch: number; watch: WorkerWatch };
  readonly #pending = new Map<number, Pending>();
  readonly #watch: WorkerWatch;
  #nextKey = 1;
  #closing = false;
  // Started on first use: a run with nothing to do never pays for worker start-up.
  #shared: Piscina | undefined;
  #solo: Piscina | undefined;
  #scheduled = false;
  // Batching pays off only for fast tasks: a batch answers when its slowest task does, so
  // tasks that wait on a network (milliseconds each) go alone. A running mean of the time
  // batches take in their worker decides, per kind: generations and stages never share a
  // batch, so a fast generation never waits for a slow metric (or the other way round).
  readonly #lanes: Record<WorkTask["kind"], Lane> = {
    generation: { queue: [], meanMs: 0 },
    stages: { queue: [], meanMs: 0 },
  };

  constructor(options: PoolOptions) {
    this.#threads = options.maxThreads ?? Math.max(1, availableParallelism());
    // Room for every candidate the scheduler may have in flight: its generations and the
    // parses and scores of those whose generation ended (they must not queue behind them).
    this.#tasksPerWorker = options.tasksPerWorker ??
      Math.max(1, Math.ceil(candidatesInFlight(options.maxInFlight ?? 16) / this.#threads));
    this.#watch = new WorkerWatch({
      graceMs: options.graceMs ?? 1000,
      stop: (threadId, seen) => this.#stop(threadId, seen),
    });
    this.#options = { ...options, maxBatch: options.maxBatch ?? 32, watch: this.#watch };
  }

  #batchLimit(lane: Lane): number {
    return lane.meanMs > SLOW_TASK_MS ? 1 : this.#options.maxBatch;
  }

  #pool(alone: boolean): Piscina {
    if (!alone) {
      return this.#shared ??= createPiscina(this.#threads, this.#tasksPerWorker, this.#options);
    }
    // Suspects run one per worker: a loss there is the task's own.
    const isolation = Math.min(4, Math.max(2, this.#threads));
    return this.#solo ??= createPiscina(isolation, 1, this.#options);
  }

  /** The watchdog stopped a worker: remember where its tasks were, then terminate it. */
  #stop(threadId: number, seen: SeenTask[]): void {
    for (const entry of seen) {
      const p = this.#pending.get(entry.key);
      if (p) p.seen = entry;
    }
    for (const pool of [this.#shared, this.#solo]) {
      pool?.threads.find((w) => w.threadId === threadId)?.terminate();
    }
  }

  async #send(batch: Pending[], alone: boolean): Promise<void> {
    const instance = this.#pool(alone);
    // A fresh key per send: a board of a worker lost earlier may still show the old one.
    for (const p of batch) {
      this.#pending.delete(p.key);
      p.key = this.#nextKey++;
      this.#pending.set(p.key, p);
    }
    this.#watch.start(() => this.#pending.size > 0);
    if (!alone) this.#options.onBatch?.(batch.length);
    let text: string;
    try {
      // JSON text crosses the thread boundary far cheaper than a structured clone of nested
      // objects (Deno's worker_threads scans objects for transferable ports); what the tasks
      // share travels once per batch.
      const keys = batch.map((p) => p.key);
      text = await instance.run(JSON.stringify(packBatch(batch.map((p) => p.task), keys, alone)));
    } catch (error) {
      for (const p of batch) this.#lost(p, { alone, error });
      return;
    }
    const reply = JSON.parse(text) as BatchReply;
    // The worker's own time: a round trip would count the queue of a busy scheduler, and
    // the more work in flight, the more fast tasks it would send alone.
    if (!alone) {
      const lane = this.#lanes[batch[0].task.kind];
      lane.meanMs = lane.meanMs * 0.9 + reply.ms * 0.1;
    }
    batch.forEach((p, i) => this.#settle(p, reply.results[i] as WorkResult<WorkTask>));
  }

  #settle(p: Pending, result: WorkResult<WorkTask>): void {
    this.#pending.delete(p.key);
    p.resolve(p.blamed ? mergeBlamed(p.blamed, result) : result);
  }

  /** The task's worker went away before it answered: stopped by the watchdog, or ended. */
  #lost(p: Pending, how: { alone: boolean; error: unknown }): void {
    if (this.#closing || p.options.signal?.aborted) {
      this.#pending.delete(p.key);
      p.reject(cancelled());
      return;
    }
    const seen = p.seen ?? this.#watch.find(p.key);
    p.seen = undefined;
    if (seen === undefined) {
      // It never started: nothing to blame it for. Send it again (alone after a first retry,
      // where a worker that cannot even start shows itself).
      if (++p.resends > MAX_RESENDS && how.alone) {
        const reason = lostReason(how.error, undefined);
        return this.#settle(p, blameResult(p.task, undefined, reason).result);
      }
      return void this.#send([p], p.resends > 1 || how.alone);
    }
    // Started in a shared worker: it may only have shared the worker with the culprit.
    if (!how.alone) return void this.#send([p], true);
    const reason: Lost = lostReason(how.error, seen, this.#watch.stray(seen.threadId));
    const blamed = blameResult(p.task, seen, reason);
    if (blamed.remaining === undefined) return this.#settle(p, blamed.result);
    // A stages task: the culprit item is recorded; the rest go again alone.
    p.blamed = p.blamed ? mergeBlamed(p.blamed, blamed.result) : blamed.result;
    p.task = blamed.remaining;
    void this.#send([p], true);
  }

  #flush(): void {
    this.#scheduled = false;
    this.#flushLane(this.#lanes.generation);
    this.#flushLane(this.#lanes.stages);
  }

  #flushLane(lane: Lane): void {
    const ready = lane.queue.filter((p) => {
      if (!p.options.signal?.aborted) return true;
      this.#pending.delete(p.key);
      p.reject(cancelled());
      return false;
    });
    lane.queue = [];
    const limit = this.#batchLimit(lane);
    for (let i = 0; i < ready.length; i += limit) void this.#send(ready.slice(i, i + limit), false);
  }

  warm(): void {
    if (!this.#closing) this.#pool(false);
  }

  run<T extends WorkTask>(task: T, options: RunTaskOptions = {}): Promise<WorkResult<T>> {
    return new Promise<WorkResult<T>>((resolve, reject) => {
      const p: Pending = {
        key: this.#nextKey++,
        task,
        options,
        resolve: resolve as (result: WorkResult<WorkTask>) => void,
        reject,
        resends: 0,
      };
      this.#pending.set(p.key, p);
      const lane = this.#lanes[task.kind];
      lane.queue.push(p);
      if (lane.queue.length >= this.#batchLimit(lane)) this.#flushLane(lane);
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  async close(): Promise<void> {
    this.#flush();
    this.#closing = true;
    this.#watch.stop();
    await Promise.all([this.#shared?.destroy(), this.#solo?.destroy()]);
  }
}

/** A stages result from the items blamed so far and the last run of the rest. */
function mergeBlamed(
  blamed: WorkResult<WorkTask>,
  result: WorkResult<WorkTask>,
): WorkResult<WorkTask> {
  if (!("parses" in blamed) || !("parses" in result)) return result;
  const judgeCalls = [...(blamed.judgeCalls ?? []), ...(result.judgeCalls ?? [])];
  return {
    parses: [...blamed.parses, ...result.parses],
    scores: [...blamed.scores, ...result.scores],
    ...(judgeCalls.length > 0 ? { judgeCalls } : {}),
  };
}
