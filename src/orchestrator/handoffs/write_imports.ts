import type { RunPlan } from "../../plan/plan_run.ts";
import type { PlannedCandidate, PlannedTrial } from "../../plan/plan_trials.ts";
import type { CandidateResult } from "../../run/candidate_work.ts";
import { emptyCounts, type ExecutionCounts } from "../../run/execute_plan.ts";
import { recordWork } from "../../run/record_work.ts";
import type { NewEvent } from "../../store/events.ts";
import type { EventWriter } from "../../store/event_log.ts";
import type { RunStore } from "../../store/run_store.ts";
import { isFinal, type StoreState } from "../../store/store_state.ts";
import type { ExperimentResult } from "../../results/experiment_result.ts";
import type { Orchestrator } from "../orchestrator.ts";
import { TOOL_VERSION } from "../version.ts";

/** One fact to import: a candidate's generation, or one of its scores. */
export interface ImportEntry {
  trial: PlannedTrial;
  candidate: PlannedCandidate;
  /** `gen` or `ev:<score hash>`: the overlay the fact fills. */
  overlay: string;
  result: CandidateResult;
  /** Latency the record reported, when it did. */
  latencyMs?: number;
}

/** Where imported facts came from, written into each event's data. */
export interface ImportOrigin {
  stage: "generation" | "score";
  /** The bundle id, or null for generations imported without a bundle. */
  bundle: string | null;
  /** A provider batch id: the facts are marked `source: "batch"`, `batch: <id>` instead. */
  batch?: string;
}

/**
 * Which entries still need recording: not final in the store, and (for failures) not already
 * recorded from this same bundle, so importing the same file twice writes nothing.
 */
function pendingEntries(
  entries: ImportEntry[],
  state: StoreState,
  fromBundle: Set<string>,
): ImportEntry[] {
  return entries.filter((e) => {
    const key = `${e.candidate.id}|${e.overlay}`;
    return !isFinal(state.fact(e.candidate.id, e.overlay)?.status) && !fromBundle.has(key);
  });
}

function tally(counts: ExecutionCounts, e: ImportEntry): void {
  const gen = e.result.generation;
  if (gen) gen.ok ? counts.generated++ : counts.generationFailed++;
  for (const s of e.result.scores) {
    if (s.metrics) counts.scored++;
    else if (s.skipped === "no_answer") counts.scoreNoAnswer++;
    else if (s.error?.code === "JUDGE_UNPARSEABLE") counts.scoreInvalid++;
    else if (s.error) counts.scoreFailed++;
  }
}

/**
 * Append imported facts to the run's event log under its lock, exactly as a local run writes
 * them (`recordWork`), each marked `source: "import"` with its bundle id, between a
 * `run.started` and a `run.finished` whose executor is `import`. Facts the store already holds
 * are skipped; when nothing is left, nothing is written.
 */
export async function writeImports(
  orchestrator: Orchestrator,
  { plan, entries, origin }: { plan: RunPlan; entries: ImportEntry[]; origin: ImportOrigin },
): Promise<ExperimentResult> {
  const runs = orchestrator.store.runs;
  const runId = plan.manifest.run_id;
  const open = await runs.openRun(runId);
  try {
    const state = await runs.loadState({ known: new Map([[runId, open.checkpoint]]) });
    const counts = await appendImports(orchestrator, {
      plan,
      entries,
      origin,
      writer: open.writer,
      state,
    });
    return orchestrator.resultOf(plan.manifest, counts);
  } finally {
    await open.close();
  }
}

/**
 * The body of {@linkcode writeImports} for a run its caller already opened (and whose store
 * state it loaded): skip what the store holds, append the rest between a `run.started` and a
 * `run.finished`, and return what was written.
 */
export async function appendImports(
  orchestrator: Orchestrator,
  o: {
    plan: RunPlan;
    entries: ImportEntry[];
    origin: ImportOrigin;
    writer: EventWriter;
    state: StoreState;
  },
): Promise<ExecutionCounts> {
  const { plan, entries, origin } = o;
  const runId = plan.manifest.run_id;
  const counts = emptyCounts();
  counts.candidates = entries.length;
  const fromOrigin = await factsFromOrigin(orchestrator.store.runs, runId, origin);
  const todo = pendingEntries(entries, o.state, fromOrigin);
  counts.reused = entries.length - todo.length;
  if (todo.length > 0) {
    writeEntries(orchestrator, { plan, todo, origin, writer: o.writer });
    for (const e of todo) tally(counts, e);
    o.writer.append({
      type: "run.finished",
      data: { stages: [origin.stage], counts: { ...counts }, cancelled: false },
    });
  }
  return counts;
}

/** The (candidate, overlay) facts a run already holds from one bundle (or batch). */
async function factsFromOrigin(
  runs: RunStore,
  runId: string,
  origin: ImportOrigin,
): Promise<Set<string>> {
  const out = new Set<string>();
  if (origin.bundle === null && origin.batch === undefined) return out;
  for await (const event of runs.iterEvents(runId)) {
    if (event.cand === undefined) continue;
    const data = event.data as { bundle?: string | null; batch?: string };
    const same = origin.batch !== undefined
      ? data.batch === origin.batch
      : data.bundle === origin.bundle;
    if (same) out.add(`${event.cand}|${event.overlay}`);
  }
  return out;
}

function writeEntries(
  orchestrator: Orchestrator,
  o: { plan: RunPlan; todo: ImportEntry[]; origin: ImportOrigin; writer: EventWriter },
): void {
  const { plan, todo } = o;
  const batch = o.origin.batch;
  o.writer.append({
    type: "run.started",
    data: {
      stages: [o.origin.stage],
      executor: batch === undefined ? "import" : "batch",
      ...(batch === undefined
        ? { source: "import" as const, bundle: o.origin.bundle }
        : { source: "batch" as const, batch }),
      tool_version: TOOL_VERSION,
      counts: plan.manifest.counts,
    },
  });
  const retryableCodes = orchestrator.project.execution_policy.retryable_codes;
  for (const e of todo) {
    // The facts of one candidate go in one write, like a local run's.
    const events: NewEvent[] = [];
    recordWork(e.trial, e.candidate, e.result, {
      plan,
      attempts: 1,
      retryableCodes,
      append: (event) => events.push(batch === undefined ? event : batchMarked(event, batch)),
      imported: { bundle: o.origin.bundle, latencyMs: e.latencyMs ?? null },
    });
    o.writer.appendAll(events);
  }
}

/** An imported event marked as the work of a provider batch rather than of a bundle. */
function batchMarked(event: NewEvent, batch: string): NewEvent {
  const { bundle: _bundle, ...data } = event.data as Record<string, unknown>;
  return { ...event, data: { ...data, source: "batch", batch } } as NewEvent;
}
