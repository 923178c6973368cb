/** The only module that imports Piscina (DESIGN §4). */
import { Piscina } from "piscina";
import { availableParallelism } from "node:os";
import { errorMessage, ThemisError } from "../core/errors.ts";
import type { CandidateResult, CandidateTask } from "./candidate_work.ts";
import type { StageExecutor } from "./executor.ts";

/** Pool settings. */
export interface PoolOptions {
  /** Worker threads (default: the machine's cores). */
  maxThreads?: number;
  /** Tasks one worker runs at once (async engines wait on the network most of the time). */
  tasksPerWorker: number;
  /** Plugin modules every worker loads besides the built-ins. */
  modules: string[];
  /** Values workers may read secrets from before their own environment. */
  runtime?: Record<string, string>;
}

/** What a worker is started with. */
export interface WorkerData {
  modules: string[];
  runtime: Record<string, string>;
}

/**
 * A Piscina worker pool running candidate tasks. A task that throws inside a plugin comes
 * back as data; a worker that crashes or is terminated (a hung plugin, aborted by its
 * timeout) rejects only the tasks it was running, and Piscina starts a new worker.
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
  const pool = new Piscina({
    filename: new URL("./worker.ts", import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: options.tasksPerWorker,
    idleTimeout: 60_000,
    workerData,
  });
  return {
    kind: "pool",
    async run(task: CandidateTask, signal: AbortSignal): Promise<CandidateResult> {
      try {
        // JSON text crosses the thread boundary far cheaper than a structured clone of a
        // nested object (Deno's worker_threads scans objects for transferable ports).
        return JSON.parse(await pool.run(JSON.stringify(task), { signal }));
      } catch (error) {
        if (signal.aborted) {
          throw new ThemisError("CANCELLED", "the task was aborted and its worker stopped");
        }
        throw new ThemisError(
          "PLUGIN_ERROR",
          `a worker failed while running the task: ${errorMessage(error)}`,
          { crashed: true },
          error,
        );
      }
    },
    async close() {
      await pool.destroy();
    },
  };
}
