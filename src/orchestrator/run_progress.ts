import process from "node:process";
import type { RunManifest } from "../plan/manifest.ts";
import { workStatus } from "../plan/work_status.ts";
import type { ProgressStage, StageProgress } from "../run/progress_tally.ts";
import type { ProjectSpec } from "../spec/schemas.ts";
import { iterEvents } from "../store/event_log.ts";
import { storePaths } from "../store/paths.ts";
import type { RunStore } from "../store/run_store.ts";
import type { StoreState } from "../store/store_state.ts";

/** Where a run stands, derived from its manifest and the store's events (never stored). */
export interface RunProgressSnapshot {
  runId: string;
  status: "pending" | "running" | "finished" | "interrupted";
  stages: Record<ProgressStage, StageProgress>;
  /** The first stage with work left, or null when nothing is left. */
  activeStage: ProgressStage | null;
  startedAt: string | null;
  endedAt: string | null;
  /** Work items done per second by the current (or last) execution. */
  throughput: number | null;
  etaSeconds: number | null;
  /** Cost of this run's generations so far, from the project's price table (0 without). */
  cost: number;
}

const STAGES: ProgressStage[] = ["generation", "parse", "score"];

/** The first stage with work left. */
export function activeStage(stages: Record<ProgressStage, StageProgress>): ProgressStage | null {
  return STAGES.find((s) => stages[s].pending + stages[s].running > 0) ?? null;
}

/** Throughput and ETA from items done since `startedMs`, and items left. */
export function rateAndEta(
  done: number,
  left: number,
  elapsedMs: number,
): { throughput: number | null; etaSeconds: number | null } {
  if (elapsedMs <= 0 || done === 0) return { throughput: null, etaSeconds: left === 0 ? 0 : null };
  const throughput = done / (elapsedMs / 1000);
  return { throughput, etaSeconds: left / throughput };
}

function lockHolderAlive(path: string): boolean {
  try {
    const { pid } = JSON.parse(Deno.readTextFileSync(path)) as { pid: number };
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

interface RunTimes {
  started: string | null;
  finished: string | null;
  startedLast: string | null;
  doneSinceStart: number;
  cost: number;
  lastTs: string | null;
}

async function readRunTimes(
  runs: RunStore,
  manifest: RunManifest,
  pricing: ProjectSpec["pricing"],
): Promise<RunTimes> {
  const modelOf = new Map((manifest.trials ?? []).map((t) => [t.trial, t.model]));
  const times: RunTimes = {
    started: null,
    finished: null,
    startedLast: null,
    doneSinceStart: 0,
    cost: 0,
    lastTs: null,
  };
  let startedSeq = -1;
  let finishedSeq = -1;
  for await (const e of iterEvents(runs.eventsFile(manifest.run_id))) {
    times.lastTs = e.ts;
    if (e.type === "run.started") {
      times.started ??= e.ts;
      times.startedLast = e.ts;
      startedSeq = e.seq;
      times.doneSinceStart = 0;
    } else if (e.type === "run.finished") {
      times.finished = e.ts;
      finishedSeq = e.seq;
    } else if (e.type.endsWith(".completed")) {
      times.doneSinceStart++;
      if (e.type === "generation.completed") {
        const price = pricing[modelOf.get(e.trial!) ?? ""];
        const usage = e.data.usage as { prompt_tokens?: number; completion_tokens?: number };
        if (price && usage) {
          times.cost += ((usage.prompt_tokens ?? 0) * price.input_per_million +
            (usage.completion_tokens ?? 0) * price.output_per_million) / 1e6;
        }
      }
    }
  }
  if (finishedSeq < startedSeq) times.finished = null;
  return times;
}

/**
 * A run's progress from the store alone: the manifest's work items, their status from every
 * run's events, and this run's own events for times, throughput and cost. Works on a run
 * another process is executing, and on one a crash interrupted.
 */
export async function readRunProgress(
  runs: RunStore,
  runId: string,
  pricing: ProjectSpec["pricing"],
  loaded?: StoreState,
): Promise<RunProgressSnapshot | undefined> {
  if (!(await runs.hasRun(runId))) return undefined;
  const manifest = await runs.readManifest<RunManifest>(runId);
  const state = loaded ?? (await runs.loadState()).state;
  const status = workStatus(manifest, manifest.trials ?? [], state);
  const stages = {} as Record<ProgressStage, StageProgress>;
  for (const stage of STAGES) {
    const s = status[stage];
    stages[stage] = {
      total: s.total,
      pending: s.pending,
      running: 0,
      completed: s.completed,
      failed: s.failed,
      skipped: s.skipped,
    };
  }
  const times = await readRunTimes(runs, manifest, pricing);
  const running = times.started !== null && times.finished === null &&
    lockHolderAlive(storePaths.lock(runs.root, runId));
  const left = STAGES.reduce((n, s) => n + stages[s].pending, 0);
  const elapsed = times.startedLast && times.lastTs
    ? Date.parse(times.lastTs) - Date.parse(times.startedLast)
    : 0;
  return {
    runId,
    status: times.started === null
      ? "pending"
      : times.finished !== null
      ? "finished"
      : running
      ? "running"
      : "interrupted",
    stages,
    activeStage: activeStage(stages),
    startedAt: times.started,
    endedAt: times.finished,
    ...rateAndEta(times.doneSinceStart, left, elapsed),
    cost: times.cost,
  };
}

/** Every run of the store with its progress (the store's events are read once). */
export async function listRunProgress(
  runs: RunStore,
  pricing: ProjectSpec["pricing"],
): Promise<RunProgressSnapshot[]> {
  const { state } = await runs.loadState();
  const out: RunProgressSnapshot[] = [];
  for (const runId of await runs.listRunIds()) {
    const snapshot = await readRunProgress(runs, runId, pricing, state);
    if (snapshot) out.push(snapshot);
  }
  return out;
}
