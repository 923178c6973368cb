import process from "node:process";
import type { RunManifest } from "../plan/manifest.ts";
import { workStatus } from "../plan/work_status.ts";
import type { ProgressStage, StageProgress } from "../run/progress_tally.ts";
import type { ProjectSpec } from "../spec/schemas.ts";
import { storePaths } from "../store/paths.ts";
import type { RunStore } from "../store/run_store.ts";
import type { BatchFacts, RunFacts, StoreState } from "../store/store_state.ts";
import {
  findShards,
  groupShards,
  shardIndex,
  type ShardProgress,
  type ShardRun,
} from "./shard_status.ts";

/** Where a run stands, derived from its manifest and the store's events (never stored). */
export interface RunProgressSnapshot {
  /** The run. */
  runId: string;
  /** `planned`: never started; `interrupted`: started, not finished, and no process runs it. */
  status: "planned" | "running" | "finished" | "interrupted";
  /** Work items of each stage by state. */
  stages: Record<ProgressStage, StageProgress>;
  /** The first stage with work left, or null when nothing is left. */
  activeStage: ProgressStage | null;
  /** When its first execution started (ISO 8601), or null. */
  startedAt: string | null;
  /** When its last execution finished (ISO 8601), or null. */
  endedAt: string | null;
  /**
   * Work done per second by the current execution, in `throughputUnit`: generation requests
   * while generations are left (live snapshots), else work items. Null when nothing runs.
   */
  throughput: number | null;
  /** What `throughput` counts: `requests` (generations) or `items` (work items of any stage). */
  throughputUnit?: "requests" | "items";
  /** Seconds until the work left is done at that rate; null unless the run is running. */
  etaSeconds: number | null;
  /** Cost of this run's generations so far, from the project's price table (0 without). */
  cost: number;
  /** The run's provider batches (the `batch` backend), in submission order. */
  batches?: BatchProgress[];
  /** The run's shards in the store, by shard count (only for a run that was sharded). */
  shards?: ShardProgress[];
  /** A shard's part: `{index, count, of}` (only for a shard's own run). */
  shard?: { index: number; count: number; of: string };
}

/** One provider batch of a run: its state and request counts as last recorded. */
export interface BatchProgress extends BatchFacts {
  /** The provider's batch id. */
  id: string;
}

const STAGES: ProgressStage[] = ["generation", "parse", "score"];

/** The first stage with work left. */
export function activeStage(stages: Record<ProgressStage, StageProgress>): ProgressStage | null {
  return STAGES.find((s) => stages[s].pending + stages[s].running > 0) ?? null;
}

/**
 * The rate of a live execution and its ETA: generation requests per second while generations
 * are left (they take the time; parses and scores follow each one), else parse and score items
 * per second. `done` counts what this execution finished of each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { liveRate } from "./run_progress.ts";
 * const stage = (pending: number) =>
 *   ({ total: 10, pending, running: 0, completed: 10 - pending, failed: 0, skipped: 0 });
 * const stages = { generation: stage(6), parse: stage(10), score: stage(10) };
 * assert.deepEqual(liveRate(stages, { requests: 4, items: 2 }, 2000), {
 *   throughput: 2, throughputUnit: "requests", etaSeconds: 3,
 * });
 * const late = { generation: stage(0), parse: stage(2), score: stage(2) };
 * assert.deepEqual(liveRate(late, { requests: 10, items: 16 }, 4000), {
 *   throughput: 4, throughputUnit: "items", etaSeconds: 1,
 * });
 * ```
 */
export function liveRate(
  stages: Record<ProgressStage, StageProgress>,
  done: { requests: number; items: number },
  elapsedMs: number,
): Pick<RunProgressSnapshot, "throughput" | "throughputUnit" | "etaSeconds"> {
  const left = (s: ProgressStage) => stages[s].pending + stages[s].running;
  const generating = left("generation") > 0;
  const { throughput, etaSeconds } = generating
    ? rateAndEta(done.requests, left("generation"), elapsedMs)
    : rateAndEta(done.items, left("parse") + left("score"), elapsedMs);
  return { throughput, throughputUnit: generating ? "requests" : "items", etaSeconds };
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

/** True while the process named by a run's lock file (`{pid}`) is alive. */
export function lockHolderAlive(path: string): boolean {
  try {
    const { pid } = JSON.parse(Deno.readTextFileSync(path)) as { pid: number };
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/** Fraction off the price for Batch API generations when the price table does not say. */
export const DEFAULT_BATCH_DISCOUNT = 0.5;

/**
 * Cost of a run's generations from its token counts by model and a price table; generations
 * a Batch API made cost `1 − batch_discount` of the price.
 */
export function runCost(facts: RunFacts | undefined, pricing: ProjectSpec["pricing"]): number {
  let cost = 0;
  for (const [model, [input, output]] of Object.entries(facts?.tokens ?? {})) {
    const price = pricing[model];
    if (!price) continue;
    const [batchIn, batchOut] = facts?.batchTokens?.[model] ?? [0, 0];
    const full = (input - batchIn) * price.input_per_million +
      (output - batchOut) * price.output_per_million;
    const discounted = (batchIn * price.input_per_million + batchOut * price.output_per_million) *
      (1 - (price.batch_discount ?? DEFAULT_BATCH_DISCOUNT));
    cost += (full + discounted) / 1e6;
  }
  return cost;
}

/** The work status of a run: its checkpoint's summary while the store is unchanged, else counted. */
async function runWork(runs: RunStore, manifest: RunManifest, state: StoreState) {
  const own = await runs.loadRunState(manifest.run_id);
  const summary = own.summary;
  if (
    summary && summary.value.complete === true &&
    JSON.stringify(summary.value.stages) === JSON.stringify(["generation", "parse", "score"]) &&
    summary.fingerprint === await runs.fingerprint()
  ) {
    return summaryWork(summary.value.work);
  }
  const status = await workStatus(manifest, runs.iterPlan(manifest.run_id, manifest), state);
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
  return stages;
}

function summaryWork(work: Record<ProgressStage, StageProgress>) {
  const stages = {} as Record<ProgressStage, StageProgress>;
  for (const stage of STAGES) stages[stage] = { ...work[stage], running: 0 };
  return stages;
}

/**
 * A run's progress from the store alone: the plan's work items, their status from every
 * run's events, and this run's own facts for times, throughput and cost. Works on a run
 * another process is executing, and on one a crash interrupted.
 */
export async function readRunProgress(
  runs: RunStore,
  runId: string,
  pricing: ProjectSpec["pricing"],
  loaded?: StoreState,
  shards?: ReadonlyMap<string, ShardRun[]>,
): Promise<RunProgressSnapshot | undefined> {
  if (!(await runs.hasRun(runId))) return undefined;
  const manifest = await runs.readManifest<RunManifest>(runId);
  const state = loaded ?? await runs.loadState();
  const stages = await runWork(runs, manifest, state);
  const facts = state.runs.get(runId);
  const started = facts?.firstStartedAt ?? null;
  const finished = facts && facts.lastFinished > facts.lastStarted ? facts.lastFinishedAt : null;
  const running = started !== null && finished === null &&
    lockHolderAlive(storePaths.lock(runs.root, runId));
  const left = STAGES.reduce((n, s) => n + stages[s].pending, 0);
  const elapsed = facts?.lastStartedAt && facts.lastAt
    ? Date.parse(facts.lastAt) - Date.parse(facts.lastStartedAt)
    : 0;
  const own = started === null
    ? "planned"
    : finished !== null
    ? "finished"
    : running
    ? "running"
    : "interrupted";
  const found = manifest.shard
    ? []
    : shards?.get(runId) ?? (shards ? [] : await findShards(runs, runId));
  const shardGroups = await shardProgress(runs, found, pricing, state);
  // Batches at a provider are work under way, whatever the imports so far say.
  const batchesOpen = Object.values(facts?.batches ?? {}).some((b) => !b.imported);
  const status = batchesOpen
    ? "running"
    : own === "planned" && shardGroups
    ? shardedStatus(shardGroups, stages)
    : own;
  return {
    runId,
    status,
    stages,
    activeStage: activeStage(stages),
    startedAt: started,
    endedAt: finished,
    // Only a running execution has a rate and an end in sight.
    ...(status === "running"
      ? { ...rateAndEta(facts?.doneSinceStart ?? 0, left, elapsed), throughputUnit: "items" }
      : { throughput: null, etaSeconds: status === "finished" && left === 0 ? 0 : null }),
    cost: runCost(facts, pricing),
    ...(facts?.batches
      ? { batches: Object.entries(facts.batches).map(([id, b]) => ({ id, ...b })) }
      : {}),
    ...(shardGroups ? { shards: shardGroups } : {}),
    ...(manifest.shard ? { shard: manifest.shard } : {}),
  };
}

/** The progress of a run's shards, or undefined when it has none in the store. */
async function shardProgress(
  runs: RunStore,
  found: ShardRun[],
  pricing: ProjectSpec["pricing"],
  state: StoreState,
): Promise<ShardProgress[] | undefined> {
  if (found.length === 0) return undefined;
  const list = [];
  for (const shard of found) {
    const snapshot = (await readRunProgress(runs, shard.runId, pricing, state))!;
    const work = STAGES.map((s) => snapshot.stages[s]);
    list.push({
      ...shard,
      status: snapshot.status,
      pending: work.reduce((n, w) => n + w.pending, 0),
      failed: work.reduce((n, w) => n + w.failed, 0),
    });
  }
  return groupShards(list);
}

/** A sharded run that never ran itself stands where its shards stand. */
function shardedStatus(
  shards: ShardProgress[],
  stages: Record<ProgressStage, StageProgress>,
): RunProgressSnapshot["status"] {
  const runs = shards.flatMap((g) => g.runs);
  if (runs.some((r) => r.status === "running")) return "running";
  const left = STAGES.some((s) => stages[s].pending > 0);
  if (!left && runs.every((r) => r.status === "finished")) return "finished";
  return runs.some((r) => r.status !== "planned") ? "interrupted" : "planned";
}

/** Every run of the store with its progress (the store's events are read once). */
export async function listRunProgress(
  runs: RunStore,
  pricing: ProjectSpec["pricing"],
): Promise<RunProgressSnapshot[]> {
  const state = await runs.loadState();
  const shards = await shardIndex(runs);
  const out: RunProgressSnapshot[] = [];
  for (const runId of await runs.listRunIds()) {
    const snapshot = await readRunProgress(runs, runId, pricing, state, shards);
    if (snapshot) out.push(snapshot);
  }
  return out;
}
