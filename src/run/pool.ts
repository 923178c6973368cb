/** The only module that imports Piscina (DESIGN §4). */
import { Piscina } from "npm:piscina@5.3.2";
import { availableParallelism } from "node:os";
import { setImmediate } from "node:timers";
import { errorMessage, ThemisError } from "../core/errors.ts";
import type { CandidateResult, CandidateTask } from "./candidate_work.ts";
import { deadlineError, type RunTaskOptions, type StageExecutor } from "./executor.ts";

/** Pool settings. */
export interface PoolOptions {
  /** Worker threads (default: the machine's cores). */
  maxThreads?: number;
  /** Batches one worker runs at once (async engines wait on the network most of the time). */
  tasksPerWorker: number;
  /** Plugin modules every worker loads besides the built-ins. */
  modules: string[];
  /** Values workers may read secrets from before their own environment. */
  runtime?: Record<string, string>;
  /** Most tasks sent to a worker in one message (default 32). */
  maxBatch?: number;
}

/** What a worker is started with. */
export interface WorkerData {
  modules: string[];
  runtime: Record<string, string>;
}

/** A batch slower than this (ms, running mean) means tasks wait on I/O: send them alone. */
const SLOW_TASK_MS = 5;

/** Suspects run alone, in a fresh one-thread pool each; this many at once. */
const ISOLATION_SLOTS = 4;

interface Pending {
  task: CandidateTask;
  options: RunTaskOptions;
  resolve(result: CandidateResult): void;
  reject(error: unknown): void;
}

const cancelled = () => new ThemisError("CANCELLED", "the task was cancelled");

/**
 * A Piscina worker pool running candidate tasks. Tasks queued in the same turn of the event
 * loop travel to a worker together as one JSON message (many fast tasks would otherwise pay
 * the thread hop one by one); the worker runs a batch's tasks concurrently. A task that
 * throws inside a plugin comes back as data. When a batch's worker crashes, or is terminated
 * because one task hung past its deadline, the other tasks of that batch run again alone, so
 * only the culprit fails.
 *
 * @example
 * ```ts
 * import { poolExecutor } from "./pool.ts";
 * const pool = poolExecutor({ tasksPerWorker: 8, modules: [] });
 * await pool.close();
 * ```
 */
export function poolExecutor(options: PoolOptions): StageExecutor {
  const threads = options.maxThreads ?? Math.max(1, availableParallelism());
  const workerData: WorkerData = { modules: options.modules, runtime: options.runtime ?? {} };
  const maxBatch = options.maxBatch ?? 32;
  // Started on first use: a run with nothing to do never pays for worker start-up.
  let started: Piscina | undefined;
  const retired: Array<Promise<void>> = [];
  const create = (size: number, concurrency: number) =>
    new Piscina({
      filename: new URL("./worker.ts", import.meta.url).href,
      minThreads: size,
      maxThreads: size,
      concurrentTasksPerWorker: concurrency,
      // Piscina's default blocks an idle worker in Atomics.wait, which stalls the event loop
      // that async engines (fetch) need while several tasks are in flight on one worker.
      atomics: "disabled",
      idleTimeout: 60_000,
      workerData,
    });
  const pool = () => started ??= create(threads, options.tasksPerWorker);
  let isolating = 0;
  const waiting: Array<() => void> = [];

  // A suspect runs alone in a one-thread pool of its own, its deadline counted from its
  // start: a crash or a missed deadline there is its own doing.
  async function isolate(p: Pending): Promise<void> {
    while (isolating >= ISOLATION_SLOTS) await new Promise<void>((r) => waiting.push(r));
    isolating++;
    const solo = create(1, 1);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      solo.destroy().catch(() => {});
    }, p.options.deadlineMs);
    try {
      const text = await solo.run(JSON.stringify([p.task]));
      p.resolve((JSON.parse(text) as CandidateResult[])[0]);
    } catch (error) {
      if (timedOut) p.reject(deadlineError(p.options.deadlineMs));
      else {
        p.reject(
          new ThemisError(
            "PLUGIN_ERROR",
            `a worker failed while running the task: ${errorMessage(error)}`,
            { crashed: true },
            error,
          ),
        );
      }
    } finally {
      clearTimeout(timer);
      await solo.destroy().catch(() => {});
      isolating--;
      waiting.shift()?.();
    }
  }
  let queue: Pending[] = [];
  let scheduled = false;
  // Batching pays off only for fast tasks: a batch answers when its slowest task does, so
  // tasks that wait on a network (milliseconds each) go alone. A running mean of how long a
  // batch takes decides.
  let meanBatchMs = 0;
  const batchLimit = () => (meanBatchMs > SLOW_TASK_MS ? 1 : maxBatch);

  // Piscina runs a task that carries an AbortSignal alone on its worker, which would leave
  // async engines one request per thread. So tasks carry no signal; a task past its deadline
  // means a plugin wedged its worker (async hangs time out inside the worker): the whole pool
  // is retired — terminating its threads, even mid-loop — and a fresh one takes new work.
  function retire(instance: Piscina): void {
    if (started !== instance) return;
    started = undefined;
    retired.push(instance.destroy().catch(() => {}));
  }

  // Each task's deadline starts when it is sent. A task that really hangs takes up to two
  // deadlines to fail: one in the shared pool, one alone.
  async function send(batch: Pending[]): Promise<void> {
    const instance = pool();
    const timers = batch.map((p) => setTimeout(() => retire(instance), p.options.deadlineMs));
    const sent = performance.now();
    try {
      // JSON text crosses the thread boundary far cheaper than a structured clone of nested
      // objects (Deno's worker_threads scans objects for transferable ports).
      const text = await instance.run(JSON.stringify(batch.map((p) => p.task)));
      const results = JSON.parse(text) as CandidateResult[];
      meanBatchMs = meanBatchMs * 0.9 + (performance.now() - sent) * 0.1;
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch {
      // A task whose worker was stopped may only have waited on another task that hung or
      // crashed it: each goes again alone, where the culprit shows itself.
      for (const p of batch) {
        if (p.options.signal?.aborted) p.reject(cancelled());
        else void isolate(p);
      }
    } finally {
      timers.forEach(clearTimeout);
    }
  }

  function flush(): void {
    scheduled = false;
    const pending = queue.filter((p) => {
      if (!p.options.signal?.aborted) return true;
      p.reject(cancelled());
      return false;
    });
    queue = [];
    const limit = batchLimit();
    for (let i = 0; i < pending.length; i += limit) {
      void send(pending.slice(i, i + limit));
    }
  }

  return {
    kind: "pool",
    run(task: CandidateTask, options: RunTaskOptions): Promise<CandidateResult> {
      return new Promise<CandidateResult>((resolve, reject) => {
        queue.push({ task, options, resolve, reject });
        if (queue.length >= batchLimit()) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    async close() {
      flush();
      await started?.destroy();
      await Promise.all(retired);
    },
  };
}
