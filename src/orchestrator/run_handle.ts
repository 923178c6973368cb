import type { RunManifest } from "../plan/manifest.ts";
import type { ExperimentResult } from "../results/experiment_result.ts";
import type { RunProgressSnapshot } from "./run_progress.ts";

/** A submitted run: its id and plan, where it stands, and its result once executed here. */
export interface RunHandle {
  /** The run. */
  runId: string;
  /** Where it stands. */
  status: RunProgressSnapshot["status"];
  /** Its plan. */
  manifest: RunManifest;
  /** Why the run is not done yet, in words a user can act on. */
  warnings: string[];
  /** Present when this process executed the run. */
  result?: ExperimentResult;
  /** A fresh snapshot from the store. */
  progress(): Promise<RunProgressSnapshot | undefined>;
}

/**
 * True for a `RunHandle` (work remains), false for a result (`resume()` returns either).
 *
 * @example
 * ```ts
 * import { isRunHandle } from "./run_handle.ts";
 * // const outcome = await orchestrator.resume(runId);
 * // if (isRunHandle(outcome)) console.log(outcome.warnings);
 * ```
 */
export function isRunHandle(value: unknown): value is RunHandle {
  return typeof value === "object" && value !== null && "warnings" in value &&
    "progress" in value;
}
