/**
 * The `batch` backend's run lifecycle (docs/scale_out.md): submit sends the pending
 * generations to a provider's Batch API and returns a pending handle; resume polls, imports
 * ended batches and, once none is in flight, parses and scores here; cancel asks the provider
 * to stop. Every step is recorded as events, so any process can take over from any other.
 */
import type { RunManifest } from "../../plan/manifest.ts";
import type { RunPlan } from "../../plan/plan_run.ts";
import { executeRun } from "../execute_run.ts";
import type { ExperimentResult } from "../../results/experiment_result.ts";
import type { ExecutionOptions, Orchestrator, SpecInput } from "../orchestrator.ts";
import type { RunHandle } from "../run_handle.ts";
import { storedSpecDir } from "../handoffs/import_results.ts";
import type { BatchRecord } from "./batch_log.ts";
import { pollBatches } from "./poll_batches.ts";
import { submitBatches } from "./submit_batches.ts";

async function handleOf(
  orchestrator: Orchestrator,
  manifest: RunManifest,
  o: { result?: ExperimentResult; warnings: string[] },
): Promise<RunHandle> {
  const runId = manifest.run_id;
  const snapshot = await orchestrator.getRunProgress(runId);
  return {
    runId,
    status: snapshot?.status ?? "planned",
    manifest,
    warnings: o.warnings,
    result: o.result,
    progress: () => orchestrator.getRunProgress(runId),
  };
}

/**
 * Plan the spec and send its pending generations to the Batch API; a pending handle says how
 * many went and what to run next. When the store already holds every generation, the parses
 * and scores run here and the handle carries the result.
 */
export async function submitToBatch(
  orchestrator: Orchestrator,
  spec: SpecInput,
  options: ExecutionOptions = {},
): Promise<RunHandle> {
  const plan = await orchestrator.planSpec(spec, options);
  const runId = plan.manifest.run_id;
  const sent = await submitBatches(orchestrator, plan, options);
  if (sent.requests === 0 && sent.inFlight === 0) {
    const result = await orchestrator.evaluate(spec, options);
    return await handleOf(orchestrator, plan.manifest, { result, warnings: [] });
  }
  const ids = sent.batches.map((b) => b.id);
  const warnings = [
    `sent ${sent.requests} generation requests to ${sent.provider}'s Batch API in ` +
    `${ids.length} batch(es)${ids.length ? ` (${ids.join(", ")})` : ""}` +
    (sent.inFlight ? `; ${sent.inFlight} more are in batches sent before` : "") +
    `. Import their results as they end with: themis resume ${runId} ` +
    `(states: themis status ${runId}; stop them: themis cancel ${runId})`,
  ];
  return await handleOf(orchestrator, plan.manifest, { warnings });
}

function describeStates(batches: BatchRecord[]): string {
  const byState = new Map<string, number>();
  for (const b of batches) byState.set(b.state, (byState.get(b.state) ?? 0) + 1);
  return [...byState].map(([state, n]) => `${n} ${state}`).join(", ");
}

/**
 * Resume a run of the batch backend: poll its batches, import the ended ones; while some are
 * in flight, a pending handle; once none is, parse and score here and return the result (a
 * handle when generations failed or were never sent, naming the command that sends them).
 */
export async function resumeBatches(
  orchestrator: Orchestrator,
  manifest: RunManifest,
  options: ExecutionOptions = {},
): Promise<ExperimentResult | RunHandle> {
  const runId = manifest.run_id;
  const polled = await pollBatches(orchestrator, runId, { import: true, ...options });
  const running = polled.batches.filter((b) => !b.imported);
  if (running.length > 0) {
    return await handleOf(orchestrator, manifest, {
      warnings: [
        `${running.length} of ${polled.batches.length} batches have not ended ` +
        `(${describeStates(running)}): run "themis resume ${runId}" again later, or ` +
        `"themis resume ${runId} --wait" to wait for them`,
      ],
    });
  }
  const before = (await orchestrator.getRunProgress(runId))!;
  const generation = before.stages.generation;
  if (generation.pending > 0) {
    return await handleOf(orchestrator, manifest, {
      warnings: [
        `${generation.pending} generations were never sent: send them with ` +
        `"themis submit ${runId}"`,
      ],
    });
  }
  const result = await scoreHere(orchestrator, manifest, polled.plan, options);
  if (generation.failed === 0) return result;
  return await handleOf(orchestrator, manifest, {
    result,
    warnings: [
      `${generation.failed} generations failed in their batches (see "themis status ` +
      `${runId}"): send them again with "themis submit ${runId}"`,
    ],
  });
}

/** Parse and score the run here (the plan the import made, when there is one: not twice). */
async function scoreHere(
  orchestrator: Orchestrator,
  manifest: RunManifest,
  plan: RunPlan | undefined,
  options: ExecutionOptions,
): Promise<ExperimentResult> {
  const specDir = storedSpecDir(orchestrator.store.root, manifest.source.base_dir);
  if (plan === undefined) {
    return await orchestrator.evaluate(manifest.source.spec as SpecInput, { ...options, specDir });
  }
  const counts = await executeRun(plan, ["parse", "score"], {
    ...options,
    store: orchestrator.store,
    registry: orchestrator.registry,
    project: orchestrator.project,
    telemetry: orchestrator.telemetry,
  });
  return orchestrator.resultOf(plan.manifest, counts);
}

/** Ask the provider to cancel every batch of the run that has not ended. */
export async function cancelBatches(
  orchestrator: Orchestrator,
  runId: string,
  options: ExecutionOptions = {},
): Promise<BatchRecord[]> {
  const polled = await pollBatches(orchestrator, runId, {
    import: false,
    cancel: true,
    ...options,
  });
  return polled.batches;
}

/** Poll the batches of a run and record their states (no import): for `status`. */
export async function refreshBatches(
  orchestrator: Orchestrator,
  runId: string,
  options: ExecutionOptions = {},
): Promise<BatchRecord[]> {
  return (await pollBatches(orchestrator, runId, { import: false, ...options })).batches;
}
