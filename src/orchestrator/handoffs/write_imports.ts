import { trialPlannedData } from "../../run/trial_planned.ts";
import type { JsonObject } from "../../core/json.ts";
import type { RunPlan } from "../../plan/plan_run.ts";
import type { PlannedCandidate, PlannedTrial } from "../../plan/plan_trials.ts";
import type { CandidateResult } from "../../run/candidate_work.ts";
import { emptyCounts, type ExecutionCounts } from "../../run/execute_plan.ts";
import { recordWork } from "../../run/record_work.ts";
import { GEN_OVERLAY, type NewEvent, type ThemisEvent } from "../../store/events.ts";
import type { EventWriter } from "../../store/event_log.ts";
import { isFinal, overlayKey, type StoreState } from "../../store/store_state.ts";
import type { ExperimentResult } from "../../results/experiment_result.ts";
import type { Orchestrator } from "../orchestrator.ts";
import { TOOL_VERSION } from "../version.ts";
import { foldStore } from "./fold_store.ts";

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
    const key = overlayKey(e.candidate.id, e.overlay);
    const known = e.overlay === GEN_OVERLAY
      ? state.generations.get(e.candidate.id)
      : state.scores.get(key);
    return !isFinal(known?.status) && !fromBundle.has(key);
  });
}

function tally(counts: ExecutionCounts, e: ImportEntry): void {
  const gen = e.result.generation;
  if (gen) gen.ok ? counts.generated++ : counts.generationFailed++;
  for (const s of e.result.scores) s.metrics ? counts.scored++ : counts.scoreFailed++;
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
  const counts = emptyCounts();
  counts.candidates = entries.length;
  const open = await runs.openRun(runId);
  try {
    const planned = new Set<string>();
    const fromBundle = new Set<string>();
    const state = await foldStore(runs, (event: ThemisEvent) => {
      if (event.run !== runId) return;
      if (event.type === "trial.planned") planned.add(event.trial!);
      else if (origin.bundle !== null && event.data.bundle === origin.bundle && event.cand) {
        fromBundle.add(overlayKey(event.cand, event.overlay!));
      }
    });
    const todo = pendingEntries(entries, state, fromBundle);
    counts.reused = entries.length - todo.length;
    if (todo.length > 0) {
      appendImports(orchestrator, { plan, todo, origin, planned, writer: open.writer });
      for (const e of todo) tally(counts, e);
      open.writer.append({
        type: "run.finished",
        data: { stages: [origin.stage], counts: { ...counts }, cancelled: false },
      });
    }
  } finally {
    open.close();
  }
  return orchestrator.resultOf(plan.manifest, counts);
}

function appendImports(
  orchestrator: Orchestrator,
  o: {
    plan: RunPlan;
    todo: ImportEntry[];
    origin: ImportOrigin;
    planned: Set<string>;
    writer: EventWriter;
  },
): void {
  const { plan, todo } = o;
  const mark = { source: "import", bundle: o.origin.bundle };
  o.writer.append({
    type: "run.started",
    data: {
      stages: [o.origin.stage],
      executor: "import",
      ...mark,
      tool_version: TOOL_VERSION,
      counts: plan.manifest.counts,
    },
  });
  const storeItemPayloads = orchestrator.project.storage.store_item_payloads;
  const retryableCodes = orchestrator.project.execution_policy.retryable_codes;
  for (const e of todo) {
    // The facts of one candidate go in one write, like a local run's.
    const events: NewEvent[] = [];
    if (!o.planned.has(e.trial.trial)) {
      const data = trialPlannedData(e.trial, {
        benchmarkId: plan.experiment.benchmark_id ?? null,
        storeItemPayloads,
      });
      events.push({ type: "trial.planned", trial: e.trial.trial, data });
      o.planned.add(e.trial.trial);
    }
    recordWork(e.trial, e.candidate, e.result, {
      plan,
      attempts: 1,
      retryableCodes,
      append: (event) => {
        const data: JsonObject = { ...event.data, ...mark };
        if (event.type === "generation.completed") data.latency_ms = e.latencyMs ?? null;
        events.push({ ...event, data });
      },
    });
    o.writer.appendAll(events);
  }
}
