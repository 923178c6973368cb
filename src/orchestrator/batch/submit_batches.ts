import type { RunPlan } from "../../plan/plan_run.ts";
import type { BatchClient, BatchInfo } from "../../plugins/engines/batch_client.ts";
import { secretReader } from "../../run/secrets.ts";
import type { EventWriter } from "../../store/event_log.ts";
import type { OpenRun } from "../../store/run_store.ts";
import { GEN_OVERLAY } from "../../store/events.ts";
import type { Orchestrator } from "../orchestrator.ts";
import { generationRequest } from "../handoffs/generation_requests.ts";
import { batchBackend, batchClientFor } from "./batch_backend.ts";
import { inFlight, readBatchLog } from "./batch_log.ts";

/** What one submit sent. */
export interface SubmittedBatches {
  provider: "openai" | "anthropic";
  /** Batches created now, with their first state. */
  batches: Array<{ id: string; model: string; requests: number; state: string }>;
  requests: number;
  /** Candidates already in batches that have not ended (left alone). */
  inFlight: number;
  /** Candidates whose generation the store already holds. */
  inStore: number;
}

/** Options of {@linkcode submitBatches}. */
export interface SubmitBatchesOptions {
  runtime?: Record<string, string>;
  signal?: AbortSignal;
}

/** One request line of a batch and its candidate. */
export interface BatchLine {
  id: string;
  line: string;
}

const encoder = new TextEncoder();

/**
 * Fills one batch at a time within the provider's limits: `push` returns the full batch a line
 * did not fit into (the line starts the next one); `flush` returns the last.
 */
export class BatchChunker {
  #chunk: BatchLine[] = [];
  #bytes = 0;
  constructor(readonly limits: { requests: number; bytes: number }) {}

  push(entry: BatchLine): BatchLine[] | undefined {
    const size = encoder.encode(entry.line).length + 1;
    let full: BatchLine[] | undefined;
    const { requests, bytes } = this.limits;
    if (this.#chunk.length > 0 && (this.#chunk.length >= requests || this.#bytes + size > bytes)) {
      full = this.flush();
    }
    this.#chunk.push(entry);
    this.#bytes += size;
    return full;
  }

  flush(): BatchLine[] | undefined {
    const chunk = this.#chunk;
    this.#chunk = [];
    this.#bytes = 0;
    return chunk.length > 0 ? chunk : undefined;
  }
}

/**
 * Cut request lines into batches within the provider's limits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitBatches } from "./submit_batches.ts";
 * const lines = ["a", "b", "c"].map((id) => ({ id, line: "{}" }));
 * assert.deepEqual(splitBatches(lines, { requests: 2, bytes: 100 }).map((b) => b.length), [2, 1]);
 * ```
 */
export function splitBatches(
  lines: ReadonlyArray<BatchLine>,
  limits: { requests: number; bytes: number },
): BatchLine[][] {
  const chunker = new BatchChunker(limits);
  const out: BatchLine[][] = [];
  for (const entry of lines) {
    const full = chunker.push(entry);
    if (full) out.push(full);
  }
  const last = chunker.flush();
  if (last) out.push(last);
  return out;
}

/** Create one batch at the provider and record it (`batch.submitted`, then its state). */
async function createBatch(
  client: BatchClient,
  chunk: BatchLine[],
  o: { runId: string; model: string; part: number; open: OpenRun },
): Promise<BatchInfo> {
  const text = chunk.map((c) => c.line);
  const labels = { run: o.runId, model: o.model, part: String(o.part) };
  const info = await client.create(text, labels);
  o.open.writer.append({
    type: "batch.submitted",
    data: {
      batch: info.id,
      provider: client.provider,
      model: o.model,
      part: o.part,
      requests: chunk.length,
      bytes: text.reduce((n, line) => n + encoder.encode(line).length + 1, 0),
      input_file: info.inputFile,
      custom_ids: chunk.map((c) => c.id),
    },
  });
  appendBatchStatus(o.open.writer, info);
  return info;
}

/** Record a batch's state as the provider reported it. */
export function appendBatchStatus(writer: EventWriter, info: BatchInfo): void {
  writer.append({
    type: "batch.status",
    data: {
      batch: info.id,
      state: info.state,
      provider_status: info.providerStatus,
      counts: info.counts,
      output_file: info.outputFile,
      error_file: info.errorFile,
    },
  });
}

/**
 * Send a planned run's pending generations to the provider's Batch API (the `batch` backend):
 * everything neither in the store nor in a batch still in flight, one model per batch, split
 * at the provider's limits. Each batch is recorded as it is created (`batch.submitted` with
 * its candidate ids, then `batch.status`), under the run's lock; keys are read from the
 * secrets at call time and never stored. Nothing pending → nothing sent, nothing written.
 */
export async function submitBatches(
  orchestrator: Orchestrator,
  plan: RunPlan,
  options: SubmitBatchesOptions = {},
): Promise<SubmittedBatches> {
  const backend = batchBackend(orchestrator.project, plan.experiment);
  const secret = secretReader(options.runtime);
  // Connections first: a missing key fails before anything is uploaded.
  const clients = new Map<string, BatchClient>();
  for (const model of plan.experiment.models) {
    clients.set(model.model_id, batchClientFor(backend, model, { secret, signal: options.signal }));
  }
  const runs = orchestrator.store.runs;
  const runId = plan.manifest.run_id;
  const open = await runs.openRun(runId);
  try {
    const state = await runs.loadState({ known: new Map([[runId, open.checkpoint]]) });
    const flying = inFlight(await readBatchLog(runs, runId));
    const sent: SubmittedBatches = {
      provider: backend.provider,
      batches: [],
      requests: 0,
      inFlight: flying.size,
      inStore: 0,
    };
    // Each model's batch goes as soon as it is full: memory holds one batch per model.
    const chunkers = new Map<string, BatchChunker>();
    const parts = new Map<string, number>();
    const send = async (model: string, chunk: BatchLine[]) => {
      const part = parts.get(model) ?? 0;
      parts.set(model, part + 1);
      const info = await createBatch(clients.get(model)!, chunk, { runId, model, part, open });
      sent.batches.push({ id: info.id, model, requests: chunk.length, state: info.state });
      sent.requests += chunk.length;
    };
    for (const trial of plan.iterTrials()) {
      const model = trial.model.model_id;
      const client = clients.get(model)!;
      for (const candidate of trial.candidates) {
        if (state.fact(candidate.id, GEN_OVERLAY)?.status === "completed") {
          sent.inStore++;
          continue;
        }
        if (flying.has(candidate.id)) continue;
        const line = client.requestLine(generationRequest(trial, candidate));
        let chunker = chunkers.get(model);
        if (chunker === undefined) chunkers.set(model, chunker = new BatchChunker(client.limits));
        const full = chunker.push({ id: candidate.id, line });
        if (full) await send(model, full);
      }
    }
    for (const [model, chunker] of chunkers) {
      const last = chunker.flush();
      if (last) await send(model, last);
    }
    return sent;
  } finally {
    await open.close();
  }
}
