import type { RunPlan } from "../../plan/plan_run.ts";
import type { BatchClient, BatchInfo } from "../../plugins/engines/batch_client.ts";
import { secretReader } from "../../run/secrets.ts";
import type { EventWriter } from "../../store/event_log.ts";
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

/** Cut a model's request lines into batches within the provider's limits. */
export function splitBatches(
  lines: ReadonlyArray<{ id: string; line: string }>,
  limits: { requests: number; bytes: number },
): Array<Array<{ id: string; line: string }>> {
  const out: Array<Array<{ id: string; line: string }>> = [];
  let chunk: Array<{ id: string; line: string }> = [];
  let bytes = 0;
  for (const entry of lines) {
    const size = new TextEncoder().encode(entry.line).length + 1;
    if (chunk.length > 0 && (chunk.length >= limits.requests || bytes + size > limits.bytes)) {
      out.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(entry);
    bytes += size;
  }
  if (chunk.length > 0) out.push(chunk);
  return out;
}

/** Pending generations (not in the store, not in a batch in flight) as request lines by model. */
function pendingLines(
  plan: RunPlan,
  o: { clients: Map<string, BatchClient>; done: (id: string) => boolean; flying: Set<string> },
) {
  const byModel = new Map<string, Array<{ id: string; line: string }>>();
  let inStore = 0;
  for (const trial of plan.iterTrials()) {
    for (const candidate of trial.candidates) {
      if (o.done(candidate.id)) {
        inStore++;
        continue;
      }
      if (o.flying.has(candidate.id)) continue;
      const client = o.clients.get(trial.model.model_id)!;
      const line = client.requestLine(generationRequest(trial, candidate));
      const list = byModel.get(trial.model.model_id) ?? [];
      list.push({ id: candidate.id, line });
      byModel.set(trial.model.model_id, list);
    }
  }
  return { byModel, inStore };
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
 *
 * @example
 * ```ts
 * import { submitBatches } from "./submit_batches.ts";
 * // const sent = await submitBatches(orchestrator, plan);
 * // sent.batches.length: batches created now; sent.inFlight: candidates left to earlier ones
 * ```
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
    const done = (id: string) => state.fact(id, GEN_OVERLAY)?.status === "completed";
    const { byModel, inStore } = pendingLines(plan, { clients, done, flying });
    const sent: SubmittedBatches = {
      provider: backend.provider,
      batches: [],
      requests: 0,
      inFlight: flying.size,
      inStore,
    };
    for (const [model, lines] of byModel) {
      const client = clients.get(model)!;
      for (const [part, chunk] of splitBatches(lines, client.limits).entries()) {
        const text = chunk.map((c) => c.line);
        const info = await client.create(text, { run: runId, model, part: String(part) });
        open.writer.append({
          type: "batch.submitted",
          data: {
            batch: info.id,
            provider: backend.provider,
            model,
            part,
            requests: chunk.length,
            bytes: text.reduce((n, line) => n + new TextEncoder().encode(line).length + 1, 0),
            input_file: info.inputFile,
            custom_ids: chunk.map((c) => c.id),
          },
        });
        appendBatchStatus(open.writer, info);
        sent.batches.push({ id: info.id, model, requests: chunk.length, state: info.state });
        sent.requests += chunk.length;
      }
    }
    return sent;
  } finally {
    await open.close();
  }
}
