import { ThemisError } from "../core/errors.ts";
import type { RunSummary } from "../store/checkpoint.ts";
import { pendingWork } from "../run/candidate_task.ts";
import { GEN_OVERLAY, type NewEvent } from "../store/events.ts";
import type { StoreState } from "../store/store_state.ts";
import type { Stage } from "../plan/check_plugins.ts";
import type { RunPlan } from "../plan/plan_run.ts";
import type { Registry } from "../plugins/registry.ts";
import { executePlan, type ExecutionCounts } from "../run/execute_plan.ts";
import { inlineExecutor, type StageExecutor } from "../run/executor.ts";
import { poolExecutor } from "../run/pool.ts";
import { ProgressTally } from "../run/progress_tally.ts";
import { secretReader } from "../run/secrets.ts";
import type { TelemetryBus } from "../run/telemetry.ts";
import type { ProjectSpec } from "../spec/schemas.ts";
import type { ExecutionSummary } from "../results/experiment_result.ts";
import { pendingCalls, preflight } from "./preflight.ts";
import { activeStage, liveRate, type RunProgressSnapshot } from "./run_progress.ts";
import type { Store } from "./store.ts";
import { TOOL_VERSION } from "./version.ts";

/** What executing a planned run needs from the orchestrator. */
export interface ExecuteRunOptions {
  store: Store;
  registry: Registry;
  project: ProjectSpec;
  telemetry: TelemetryBus;
  runtime?: Record<string, string>;
  signal?: AbortSignal;
  maxCost?: number;
  progress?: { onSnapshot?: (snapshot: RunProgressSnapshot) => void };
  /**
   * Called once as the run's work begins, right after its `run.started` is appended (for a
   * finished run, held back until the run writes anything else).
   */
  onStarted?: () => void;
}

/** The executor the project asks for; inline when plugins cannot travel to workers. */
function chooseExecutor(
  registry: Registry,
  project: ProjectSpec,
  runtime?: Record<string, string>,
): { executor: StageExecutor; note?: string } {
  const settings = project.executor;
  if (settings.kind === "inline") {
    return { executor: inlineExecutor(registry, secretReader(runtime)) };
  }
  if (!registry.isPortable()) {
    return {
      executor: inlineExecutor(registry, secretReader(runtime)),
      note: "plugins registered from code cannot run in workers: ran inline",
    };
  }
  return {
    executor: poolExecutor({
      maxThreads: settings.max_threads,
      tasksPerWorker: settings.tasks_per_worker,
      maxInFlight: project.execution_policy.max_in_flight,
      workerHeapMb: settings.worker_heap_mb,
      modules: registry.modules(),
      runtime,
    }),
  };
}

/**
 * Execute a planned run: take the run's lock, fold the store, check the models that still have
 * work can be called, and walk the plan between a `run.started` and a `run.finished` event. A finished run with
 * nothing left to do writes nothing.
 */
export async function executeRun(
  plan: RunPlan,
  stages: Stage[],
  options: ExecuteRunOptions,
): Promise<ExecutionCounts> {
  const { manifest } = plan;
  const runId = manifest.run_id;
  const { store, registry, project, telemetry } = options;
  const open = await store.runs.openRun(runId);
  const { executor, note } = chooseExecutor(registry, project, options.runtime);
  let tally: ProgressTally | undefined;
  try {
    const state = await store.runs.loadState({ known: new Map([[runId, open.checkpoint]]) });
    const pending = state.size === 0 ? undefined : pendingCalls(plan, state, stages);
    // Calls to make: the pool's workers start while the rest is prepared, all of them ready
    // for the first requests (a run with nothing to call starts them only if it needs them).
    if (pending === undefined || pending.models.size + pending.scores.size > 0) executor.warm?.();
    // Only models and judges with work left are called, so only they need their keys.
    preflight(plan.experiment, registry, stages, secretReader(options.runtime), { plan, pending });
    if (!stages.includes("generation")) requireGenerations(plan, state);
    await store.runs.collectPayloads(state, payloadsNeeded(plan, state, stages));
    const started: NewEvent = {
      type: "run.started",
      data: {
        stages,
        executor: executor.kind,
        ...(note ? { note } : {}),
        tool_version: TOOL_VERSION,
        counts: manifest.counts,
      },
    };
    if (state.runFinished(runId)) open.writer.defer([started]);
    else open.writer.append(started);
    telemetry.emit({ type: "run.started", runId });
    options.onStarted?.();
    const c = manifest.counts;
    tally = new ProgressTally({
      generation: stages.includes("generation") ? c.candidates : 0,
      parse: stages.includes("parse") ? c.parses : 0,
      score: stages.includes("score") ? c.scores : 0,
    });
    const startedAt = new Date();
    const onSnapshot = options.progress?.onSnapshot;
    const t = tally;
    const counts = await executePlan({
      plan,
      state,
      writer: open.writer,
      executor,
      policy: project.execution_policy,
      stages,
      hooks: plan.experiment.hooks,
      runtime: options.runtime,
      signal: options.signal,
      telemetry,
      tally,
      pricing: project.pricing,
      maxCost: options.maxCost,
      onProgress: onSnapshot &&
        ((c) => onSnapshot(liveSnapshot(runId, t, c, { startedAt, now: new Date() }))),
    });
    const ended = options.signal?.aborted ? "interrupted" : "finished";
    onSnapshot?.(liveSnapshot(runId, t, counts, { startedAt, now: new Date(), ended }));
    if (open.writer.wrote) {
      open.writer.append({
        type: "run.finished",
        data: {
          stages,
          counts: { ...counts },
          cancelled: options.signal?.aborted ?? false,
          stopped: counts.stopped,
        },
      });
    }
    telemetry.emit({ type: "run.finished", runId });
    return counts;
  } finally {
    await executor.close();
    await open.close(tally && runSummary(stages, tally));
  }
}

/**
 * What a checkpoint remembers of an execution, valid while the store is unchanged: the work
 * of each stage it ran, so a resume with nothing to do answers without planning again.
 */
function runSummary(stages: Stage[], tally: ProgressTally): RunSummary {
  const work = tally.stages();
  const left = stages.some((s) => work[s].pending + work[s].running + work[s].failed > 0);
  return { stages, complete: !left, work };
}

/**
 * Candidates whose generation the store holds and whose parses or scores are still to do:
 * their texts, answers and judge answers must be read from the events. None on a fresh run.
 */
function payloadsNeeded(plan: RunPlan, state: StoreState, stages: Stage[]): Set<string> {
  const want = new Set<string>();
  if (state.size === 0 || !(stages.includes("parse") || stages.includes("score"))) return want;
  for (const trial of plan.iterTrials()) {
    for (const candidate of trial.candidates) {
      if (state.fact(candidate.id, GEN_OVERLAY)?.status !== "completed") continue;
      const work = pendingWork(trial, candidate, { plan, state, stages });
      if (work.parses.length > 0 || work.scores.length > 0) want.add(candidate.id);
    }
  }
  return want;
}

/** Transform and evaluate need generations: name how many trials have none. */
function requireGenerations(plan: RunPlan, state: StoreState): void {
  let trials = 0;
  let candidates = 0;
  for (const trial of plan.iterTrials()) {
    const missing = trial.candidates.filter((c) => state.fact(c.id, GEN_OVERLAY) === undefined)
      .length;
    if (missing > 0) trials++;
    candidates += missing;
  }
  if (trials > 0) {
    throw new ThemisError(
      "MISSING_GENERATIONS",
      `${trials} of ${plan.manifest.counts.trials} trials (${candidates} candidates) have no ` +
        `generation in the store yet: run "themis generate" (or run) first, or import them`,
      { trials, candidates },
    );
  }
}

/**
 * A snapshot from the scheduler's tally: `running` while it executes; once it returns,
 * `finished` (or `interrupted` when cancelled) with no ETA, so the last line a progress
 * renderer prints never promises an end that will not come.
 */
function liveSnapshot(
  runId: string,
  tally: ProgressTally,
  counts: ExecutionCounts,
  times: { startedAt: Date; now: Date; ended?: "finished" | "interrupted" },
): RunProgressSnapshot {
  const stages = tally.stages();
  const requests = counts.generated + counts.generationFailed;
  const items = counts.parsed + counts.parseInvalid + counts.parseFailed + counts.scored +
    counts.scoreFailed + counts.scoreNoAnswer + counts.scoreInvalid;
  const rate = liveRate(
    stages,
    { requests, items },
    times.now.getTime() - times.startedAt.getTime(),
  );
  const ended = times.ended !== undefined;
  const left = activeStage(stages) !== null;
  return {
    runId,
    status: times.ended ?? "running",
    stages,
    activeStage: activeStage(stages),
    startedAt: times.startedAt.toISOString(),
    endedAt: ended ? times.now.toISOString() : null,
    ...rate,
    ...(ended ? { etaSeconds: left ? null : 0 } : {}),
    cost: counts.cost,
  };
}

/** What a user must know about an execution that left work undone. */
export function runWarnings(summary: ExecutionSummary | undefined): string[] {
  if (!summary) return [];
  const warnings: string[] = [];
  if (summary.stopped === "max_cost") {
    warnings.push(`stopped before the cost budget was exceeded (spent ${summary.cost.toFixed(4)})`);
  }
  if ((summary.circuitsOpened ?? 0) > 0 || summary.stopped === "circuit_open") {
    warnings.push(
      "an endpoint's circuit opened after repeated identical failures (see the circuit.opened " +
        "event); its work is pending",
    );
  }
  if (summary.stopped === "cancelled") warnings.push("cancelled before the work was done");
  if (summary.skipped > 0) warnings.push(`${summary.skipped} candidates are still pending`);
  if (summary.generationFailed > 0) {
    warnings.push(`${summary.generationFailed} generations failed after retries`);
  }
  return warnings;
}
