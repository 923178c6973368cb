import { ThemisError } from "../core/errors.ts";
import type { Registry } from "../plugins/registry.ts";
import { type CandidateResult, type CandidateTask, runCandidateWork } from "./candidate_work.ts";

/** Runs candidate tasks: in-process (`inline`) or in a worker pool (`pool`). */
export interface StageExecutor {
  readonly kind: "inline" | "pool";
  /**
   * Run one task. `signal` aborts it (the pool terminates a worker whose task is stuck in
   * synchronous code); a rejected promise means the task could not run at all.
   */
  run(task: CandidateTask, signal: AbortSignal): Promise<CandidateResult>;
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
    run(task, signal) {
      signal.throwIfAborted();
      return new Promise<CandidateResult>((resolve, reject) => {
        const onAbort = () =>
          reject(new ThemisError("CANCELLED", "the task was aborted before it finished"));
        signal.addEventListener("abort", onAbort, { once: true });
        runCandidateWork(task, registry, secret).then(resolve, reject).finally(() =>
          signal.removeEventListener("abort", onAbort)
        );
      });
    },
    close: () => Promise.resolve(),
  };
}
