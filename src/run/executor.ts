import { ThemisError } from "../core/errors.ts";
import type { Registry } from "../plugins/registry.ts";
import { runWork, type WorkResult, type WorkTask } from "./candidate_work.ts";

/** How one task may run. */
export interface RunTaskOptions {
  /** Cancels the task before it is sent to a worker. */
  signal?: AbortSignal;
}

/** Runs tasks: in-process (`inline`) or in a worker pool (`pool`). */
export interface StageExecutor {
  readonly kind: "inline" | "pool";
  /**
   * Run one task. Every failure of the plugin code — a throw, a timeout, a crash — comes back
   * as data naming its stage; the promise rejects only with `CANCELLED`.
   */
  run<T extends WorkTask>(task: T, options?: RunTaskOptions): Promise<WorkResult<T>>;
  /**
   * Work is coming: start what takes time to start (the pool's workers) while the caller
   * prepares, so the first tasks do not wait for it. Without a call, that happens on first use.
   */
  warm?(): void;
  close(): Promise<void>;
}

/**
 * The inline executor: the same work functions, in the main thread. For debugging and for
 * plugins registered as closures from code. Throws, rejections and asynchronous hangs are
 * caught as in the pool; code stuck in a synchronous loop, or calling `process.exit`, takes
 * the main thread with it — that protection needs the pool.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inlineExecutor } from "./executor.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * const executor = inlineExecutor(createRegistry(), () => undefined);
 * assert.equal(executor.kind, "inline");
 * await executor.close();
 * ```
 */
export function inlineExecutor(
  registry: Registry,
  secret: (name: string) => string | undefined,
): StageExecutor {
  return {
    kind: "inline",
    run(task, options) {
      if (options?.signal?.aborted) {
        return Promise.reject(
          new ThemisError("CANCELLED", "the task was cancelled before it started"),
        );
      }
      return runWork(task, registry, { secret });
    },
    close: () => Promise.resolve(),
  };
}
