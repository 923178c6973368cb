import { ThemisError } from "../../core/errors.ts";
import type { RunManifest } from "../../plan/manifest.ts";
import type { GenerationOutput } from "../../plugins/types.ts";
import type { RunPlan } from "../../plan/plan_run.ts";
import {
  type BatchClient,
  batchEndError,
  type BatchInfo,
  ENDED_STATES,
} from "../../plugins/engines/batch_client.ts";
import { toWorkError } from "../../run/candidate_work.ts";
import { secretReader } from "../../run/secrets.ts";
import type { BatchState } from "../../plugins/engines/batch_client.ts";
import type { OpenRun } from "../../store/run_store.ts";
import { GEN_OVERLAY } from "../../store/events.ts";
import type { StoreState } from "../../store/store_state.ts";
import type { Orchestrator, SpecInput } from "../orchestrator.ts";
import { indexPlan, type PlannedTarget, storedSpecDir } from "../handoffs/import_results.ts";
import { appendImports, type ImportEntry } from "../handoffs/write_imports.ts";
import { batchBackend, batchClientFor } from "./batch_backend.ts";
import { type BatchRecord, readBatchLog } from "./batch_log.ts";
import { appendBatchStatus } from "./submit_batches.ts";

/** Options of {@linkcode pollBatches}. */
export interface PollBatchesOptions {
  /** Download and import the results of ended batches (resume); false: states only (status). */
  import: boolean;
  runtime?: Record<string, string>;
  signal?: AbortSignal;
  /** Ask the provider to cancel every batch that has not ended (`themis cancel`). */
  cancel?: boolean;
}

/** What a poll found and did. */
export interface PolledBatches {
  batches: BatchRecord[];
  /** The run's plan, when the import needed it (planned again from the stored spec). */
  plan?: RunPlan;
  /** Generations imported now, and requests recorded as failed now. */
  generated: number;
  failed: number;
}

/**
 * Bring a run's batches up to date: ask the provider for the state of each batch not imported
 * yet (recording each change as `batch.status`), optionally cancel them, and — with `import` —
 * download the results of ended ones and import them through the bundle-import path
 * (`appendImports`: facts the store holds are skipped, so a poll interrupted anywhere is
 * simply repeated), then mark each imported (`batch.imported`). Requests an ended batch has no
 * line for become failed generations with the batch's code (`BATCH_EXPIRED`, …).
 */
export async function pollBatches(
  orchestrator: Orchestrator,
  runId: string,
  options: PollBatchesOptions,
): Promise<PolledBatches> {
  const runs = orchestrator.store.runs;
  const batches = await readBatchLog(runs, runId);
  const out: PolledBatches = { batches, generated: 0, failed: 0 };
  const waiting = batches.filter((b) => !b.imported);
  if (waiting.length === 0) return out;
  const manifest = await runs.readManifest<RunManifest>(runId);
  const backend = batchBackend(orchestrator.project, manifest.experiment);
  const secret = secretReader(options.runtime);
  const clients = new Map<string, BatchClient>();
  for (const model of manifest.experiment.models) {
    clients.set(model.model_id, batchClientFor(backend, model, { secret, signal: options.signal }));
  }
  const open = await runs.openRun(runId);
  try {
    const infos = new Map<string, BatchInfo>();
    for (const batch of waiting) {
      const client = clients.get(batch.model)!;
      if (ENDED_STATES.has(batch.state) && !options.cancel) continue;
      const info = options.cancel && !ENDED_STATES.has(batch.state)
        ? await client.cancel(batch.id)
        : await client.retrieve(batch.id);
      infos.set(batch.id, info);
      if (changed(batch, info)) appendBatchStatus(open.writer, info);
      Object.assign(batch, {
        state: info.state,
        providerStatus: info.providerStatus,
        counts: info.counts,
        outputFile: info.outputFile ?? batch.outputFile,
        errorFile: info.errorFile ?? batch.errorFile,
      });
    }
    const ended = waiting.filter((b) => ENDED_STATES.has(b.state));
    if (options.import && ended.length > 0) {
      const plan = out.plan = await replan(orchestrator, manifest);
      const state = await runs.loadState({ known: new Map([[runId, open.checkpoint]]) });
      // One walk of the plan finds the candidates of every batch to import.
      const { targets } = indexPlan(plan, new Set(ended.flatMap((b) => b.customIds)));
      for (const batch of ended) {
        const client = clients.get(batch.model)!;
        const info = infos.get(batch.id) ?? await client.retrieve(batch.id);
        const o = { plan, targets, batch, info, client, open, state };
        const counts = await importBatch(orchestrator, o);
        out.generated += counts.generated;
        out.failed += counts.failed;
      }
    }
    return out;
  } finally {
    await open.close();
  }
}

function changed(batch: BatchRecord, info: BatchInfo): boolean {
  return batch.state !== info.state || batch.counts.completed !== info.counts.completed ||
    batch.counts.failed !== info.counts.failed || batch.counts.total !== info.counts.total;
}

/** The run's plan again, from its stored spec (as resume does). */
async function replan(orchestrator: Orchestrator, manifest: RunManifest): Promise<RunPlan> {
  const specDir = storedSpecDir(orchestrator.store.root, manifest.source.base_dir);
  const plan = await orchestrator.planSpec(manifest.source.spec as SpecInput, { specDir });
  if (plan.manifest.run_id !== manifest.run_id) {
    throw new ThemisError(
      "RUN_CONFLICT",
      `Run ${manifest.run_id} now plans as run ${plan.manifest.run_id} (a dataset or plugin ` +
        `changed since its batches were sent): their results cannot be matched. Restore them.`,
      { runId: manifest.run_id, now: plan.manifest.run_id },
    );
  }
  return plan;
}

/** Download one ended batch's results and import them; mark the batch imported. */
async function importBatch(
  orchestrator: Orchestrator,
  o: {
    plan: RunPlan;
    targets: ReadonlyMap<string, PlannedTarget>;
    batch: BatchRecord;
    info: BatchInfo;
    client: BatchClient;
    open: OpenRun;
    state: StoreState;
  },
): Promise<{ generated: number; failed: number }> {
  const { plan, batch, client, targets } = o;
  const entries = new Map<string, ImportEntry>();
  for await (const line of client.results(o.info)) {
    const target = targets.get(line.customId);
    if (target === undefined || entries.has(line.customId)) continue;
    const outcome = client.outcome(line, { logprobs: target.trial.params.logprobs === true });
    entries.set(line.customId, entryOf(target, outcome));
  }
  // A request an ended batch says nothing about failed with the batch's own reason.
  for (const id of batch.customIds) {
    const target = targets.get(id);
    if (target && !entries.has(id)) {
      entries.set(id, entryOf(target, batchEndError(o.info.state, batch.id)));
    }
  }
  const list = [...entries.values()];
  const counts = await appendImports(orchestrator, {
    plan,
    entries: list,
    origin: { stage: "generation", bundle: null, batch: batch.id },
    writer: o.open.writer,
    state: o.state,
  });
  o.open.writer.append({
    type: "batch.imported",
    data: {
      batch: batch.id,
      state: o.info.state as BatchState,
      generated: counts.generated,
      failed: counts.generationFailed,
      skipped: counts.reused,
    },
  });
  batch.imported = true;
  return { generated: counts.generated, failed: counts.generationFailed };
}

function entryOf(target: PlannedTarget, outcome: GenerationOutput | Error): ImportEntry {
  const where = `generation:${target.trial.model.provider}/${target.trial.model.model_id}`;
  const generation = outcome instanceof Error
    ? { ok: false as const, error: toWorkError(outcome, where) }
    : { ok: true as const, output: outcome, latencyMs: 0 };
  return { ...target, overlay: GEN_OVERLAY, result: { generation, parses: [], scores: [] } };
}
