import type { Json } from "../../core/json.ts";
import {
  diffFields,
  type DiffSide,
  diffStages,
  diffTrialIds,
  type RunDiff,
} from "../../plan/diff_specs.ts";
import { estimatePlan, type WorkState } from "../../plan/estimate.ts";
import type { RunPlan } from "../../plan/plan_run.ts";
import type { Orchestrator, SpecInput } from "../orchestrator.ts";
import { loadCounters } from "./estimate_run.ts";
import { completionHistory, storeWorkState } from "./fold_store.ts";

/** Options of `diffSpecs()`: where each spec's relative dataset paths resolve from. */
export interface DiffOptions {
  /** Folder the baseline's relative dataset paths resolve from (default: the project's). */
  baselineDir?: string;
  /** Folder the treatment's relative dataset paths resolve from (default: the project's). */
  treatmentDir?: string;
}

function side(plan: RunPlan): DiffSide {
  const { source, run_id: runId } = plan.manifest;
  const spec = source.spec as { benchmark_id?: string; experiment_id?: string };
  return { runId, kind: source.kind, id: spec.benchmark_id ?? spec.experiment_id ?? "" };
}

/** The store's state as if the baseline had also run to completion. */
function afterBaseline(store: WorkState, baseline: RunPlan, candidates: Set<string>): WorkState {
  const hashes = (kind: "parses" | "scores") =>
    new Map([...baseline.stages].map(([task, s]) => [task, new Set(s[kind].map((x) => x.hash))]));
  const parses = hashes("parses");
  const scores = hashes("scores");
  return {
    generation: (trial, c) => store.generation(trial, c) || candidates.has(c),
    parse: (trial, c, hash) => {
      const status = store.parse(trial, c, hash);
      if (status !== "pending") return status;
      return candidates.has(c) && parses.get(trial.taskId)?.has(hash) ? "done" : "pending";
    },
    score: (trial, c, hash) =>
      store.score(trial, c, hash) ||
      (candidates.has(c) && (scores.get(trial.taskId)?.has(hash) ?? false)),
  };
}

/**
 * Compare two specs without running either: the fields that changed, the trials, parses and
 * scores added, removed and reused, and the work (with its estimated cost) that running the
 * treatment after the baseline would do, given what the store already holds.
 */
export async function diffSpecRuns(
  orchestrator: Orchestrator,
  baseline: SpecInput,
  treatment: SpecInput,
  options: DiffOptions = {},
): Promise<RunDiff> {
  const a = await orchestrator.planSpec(baseline, { persist: false, specDir: options.baselineDir });
  const b = await orchestrator.planSpec(treatment, {
    persist: false,
    specDir: options.treatmentDir,
  });
  const candidates = new Set<string>();
  const trialsA: string[] = [];
  for (const trial of a.iterTrials()) {
    trialsA.push(trial.trial);
    for (const c of trial.candidates) candidates.add(c.id);
  }
  const trialsB: string[] = [];
  for (const trial of b.iterTrials()) trialsB.push(trial.trial);
  const sameKind = a.manifest.source.kind === b.manifest.source.kind;
  const fields = sameKind
    ? diffFields(
      a.manifest.source.spec as unknown as Json,
      b.manifest.source.spec as unknown as Json,
    )
    : diffFields(a.experiment as unknown as Json, b.experiment as unknown as Json);
  const state = await orchestrator.store.runs.loadState();
  const work = estimatePlan(b, {
    state: afterBaseline(storeWorkState(state), a, candidates),
    history: await completionHistory(orchestrator.store),
    pricing: orchestrator.project.pricing,
    counterFor: await loadCounters(b.experiment.models),
  });
  work.notes.unshift(
    "Work is counted as if the baseline had run to completion first (every generation, " +
      "parse and score it plans succeeded), on top of what the store holds.",
  );
  return {
    baseline: side(a),
    treatment: side(b),
    fields,
    trials: diffTrialIds(trialsA, trialsB),
    ...diffStages(a.stages, b.stages),
    work,
  };
}
