import { loadResult } from "../results/load_result.ts";
import type { ExperimentResult } from "../results/experiment_result.ts";
import type { Store } from "./store.ts";

/**
 * The result of a run stored earlier, for reports and comparisons without running anything:
 * a `BenchmarkResult` when the run was planned from a benchmark. An unknown run is a
 * `RUN_NOT_FOUND` error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openResult } from "./open_result.ts";
 * import { Store } from "./store.ts";
 *
 * const store = Store.open(await Deno.makeTempDir());
 * try {
 *   await assert.rejects(() => openResult(store, "0123456789ab"), { code: "RUN_NOT_FOUND" });
 * } finally {
 *   store.close();
 *   await Deno.remove(store.root, { recursive: true });
 * }
 * ```
 */
export function openResult(store: Store, runId: string): Promise<ExperimentResult> {
  return loadResult(store, runId);
}
