/** The only module that imports Piscina (DESIGN §4). */
import { Piscina } from "piscina";
import { availableParallelism } from "node:os";
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

interface Pending {
  task: CandidateTask;
  options: RunTaskOptions;
  timedOut: boolean;
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
  const pool = () =>
    started ??= new Piscina({
      filename: new URL("./worker.ts", import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: options.tasksPerWorker,
      idleTimeout: 60_000,
      workerData,
    });
  let queue: Pending[] = [];
  let scheduled = false;

  // Each task's deadline starts when it is sent: a task resent alone after its batch's worker
  // was stopped gets its full time again (another task's hang must not time it out). A task
  // that really hangs thus takes up to two deadlines to fail.
  async function send(batch: Pending[], retryAlone: boolean): Promise<void> {
    const controller = new AbortController();
    const stop = () => controller.abort();
    const timers = batch.map((p) =>
      setTimeout(() => {
        p.timedOut = true;
        stop();
      }, p.options.deadlineMs)
    );
    for (const p of batch) p.options.signal?.addEventListener("abort", stop, { once: true });
    try {
      // JSON text crosses the thread boundary far cheaper than a structured clone of nested
      // objects (Deno's worker_threads scans objects for transferable ports).
      const text = await pool().run(JSON.stringify(batch.map((p) => p.task)), {
        signal: controller.signal,
      });
      const results = JSON.parse(text) as CandidateResult[];
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (error) {
      for (const p of batch) {
        // In a batch, a task past its deadline may only have waited on another task that hung
        // the worker: every task of a stopped batch gets one more try alone.
        if (p.options.signal?.aborted) p.reject(cancelled());
        else if (retryAlone && batch.length > 1) {
          p.timedOut = false;
          void send([p], false);
        } else if (p.timedOut) p.reject(deadlineError(p.options.deadlineMs));
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
      }
    } finally {
      timers.forEach(clearTimeout);
      for (const p of batch) p.options.signal?.removeEventListener("abort", stop);
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
    for (let i = 0; i < pending.length; i += maxBatch) {
      void send(pending.slice(i, i + maxBatch), true);
    }
  }

  return {
    kind: "pool",
    run(task: CandidateTask, options: RunTaskOptions): Promise<CandidateResult> {
      return new Promise<CandidateResult>((resolve, reject) => {
        queue.push({ task, options, timedOut: false, resolve, reject });
        if (queue.length >= maxBatch) flush();
        else if (!scheduled) {
          scheduled = true;
          setTimeout(flush, 0);
        }
      });
    },
    async close() {
      flush();
      await started?.destroy();
    },
  };
}
