import { ThemisError } from "../core/errors.ts";
import type { Registry } from "../plugins/registry.ts";
import { type CandidateResult, type CandidateTask, runCandidateWork } from "./candidate_work.ts";

/** How one task may run. */
export interface RunTaskOptions {
  signal?: AbortSignal;
  deadlineMs: number;
}

/** The error of a task stopped at its deadline. */
export function deadlineError(deadlineMs: number): ThemisError {
  return new ThemisError(
    "PROVIDER_TIMEOUT",
    `the task did not finish within ${deadlineMs / 1000}s and was stopped`,
    { deadline_ms: deadlineMs },
  );
}

/** Runs candidate tasks: in-process (`inline`) or in a worker pool (`pool`). */
export interface StageExecutor {
  readonly kind: "inline" | "pool";
  /**
   * Run one task. `signal` cancels it; past `deadlineMs` it is stopped (the pool terminates a
   * worker stuck in synchronous code) and rejects with `PROVIDER_TIMEOUT`. A rejection means
   * the task could not run to the end; plugin failures come back as data.
   */
  run(task: CandidateTask, options: RunTaskOptions): Promise<CandidateResult>;
  close(): Promise<void>;
}

/**
 * The inline executor: the same stage functions, in the main thread. For debugging and for
 * plugins registered as closures from code.
 *
 * @example
 * ```ts
 * import { inlineExecutor } from "./executor.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * const executor = inlineExecutor(createRegistry(), () => undefined);
 * await executor.close();
 * ```
 */
export function inlineExecutor(
  registry: Registry,
  secret: (name: string) => string | undefined,
): StageExecutor {
  return {
    kind: "inline",
    run(task, { signal, deadlineMs }) {
      return new Promise<CandidateResult>((resolve, reject) => {
        if (signal?.aborted) {
          reject(new ThemisError("CANCELLED", "the task was cancelled before it started"));
          return;
        }
        const onAbort = () =>
          reject(new ThemisError("CANCELLED", "the task was cancelled before it finished"));
        const timer = setTimeout(() => reject(deadlineError(deadlineMs)), deadlineMs);
        signal?.addEventListener("abort", onAbort, { once: true });
        runCandidateWork(task, registry, secret).then(resolve, reject).finally(() => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        });
      });
    },
    close: () => Promise.resolve(),
  };
}
