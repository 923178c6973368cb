import type { RunStore } from "../../store/run_store.ts";

/** One provider batch of a run, as its events tell it. */
export interface BatchRecord {
  id: string;
  provider: "openai" | "anthropic";
  /** The model id of its requests. */
  model: string;
  requests: number;
  customIds: string[];
  state: string;
  providerStatus: string;
  counts: { total: number; completed: number; failed: number };
  outputFile: string | null;
  errorFile: string | null;
  /** Its results were imported: nothing of it is in flight. */
  imported: boolean;
}

/**
 * The batches of a run, in submission order, from its `batch.*` events (the custom ids live in
 * `batch.submitted`, so this reads the run's log; progress uses the checkpoint's summary).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunStore } from "../../store/run_store.ts";
 * import { readBatchLog } from "./batch_log.ts";
 * assert.deepEqual(await readBatchLog(new RunStore(await Deno.makeTempDir()), "0123456789ab"), []);
 * ```
 */
export async function readBatchLog(runs: RunStore, runId: string): Promise<BatchRecord[]> {
  const batches = new Map<string, BatchRecord>();
  if (!(await runs.hasRun(runId))) return [];
  for await (const event of runs.iterEvents(runId)) {
    if (event.type === "batch.submitted") {
      const d = event.data;
      batches.set(d.batch, {
        id: d.batch,
        provider: d.provider,
        model: d.model,
        requests: d.requests,
        customIds: d.custom_ids,
        state: "validating",
        providerStatus: "validating",
        counts: { total: d.requests, completed: 0, failed: 0 },
        outputFile: null,
        errorFile: null,
        imported: false,
      });
    } else if (event.type === "batch.status") {
      const batch = batches.get(event.data.batch);
      if (batch === undefined) continue;
      batch.state = event.data.state;
      batch.providerStatus = event.data.provider_status;
      batch.counts = event.data.counts;
      batch.outputFile = event.data.output_file ?? batch.outputFile;
      batch.errorFile = event.data.error_file ?? batch.errorFile;
    } else if (event.type === "batch.imported") {
      const batch = batches.get(event.data.batch);
      if (batch) batch.imported = true;
    }
  }
  return [...batches.values()];
}

/** Candidates in batches whose results are not imported yet. */
export function inFlight(batches: ReadonlyArray<BatchRecord>): Set<string> {
  const out = new Set<string>();
  for (const b of batches) if (!b.imported) { for (const id of b.customIds) out.add(id); }
  return out;
}
