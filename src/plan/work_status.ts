import type { ManifestTrial, RunManifest } from "./manifest.ts";
import { type Fact, isFinal, type StoreState } from "../store/store_state.ts";

/** The stages of a run's work. */
export type WorkStage = "generation" | "parse" | "score";

/** Work items of one stage by status. `reused` counts items done by other runs. */
export interface StageStatus {
  total: number;
  pending: number;
  completed: number;
  failed: number;
  /**
   * Work that will not run: parses and scores behind a failed generation, scores whose parse
   * found no answer. Work behind a generation (or parse) not done yet is pending: it runs after.
   */
  skipped: number;
  /** Completed items whose fact lives in another run's events, by run id. */
  reusedFrom: Record<string, number>;
}

/** Work status of every stage of a run. */
export type WorkStatus = Record<WorkStage, StageStatus>;

const emptyStage = (): StageStatus => ({
  total: 0,
  pending: 0,
  completed: 0,
  failed: 0,
  skipped: 0,
  reusedFrom: {},
});

function count(
  stage: StageStatus,
  fact: Fact | undefined,
  runId: string,
  blocked: boolean,
): void {
  stage.total++;
  if (fact && isFinal(fact.status)) {
    stage.completed++;
    if (fact.run !== runId) stage.reusedFrom[fact.run] = (stage.reusedFrom[fact.run] ?? 0) + 1;
  } else if (blocked) stage.skipped++;
  else if (fact?.status === "failed") stage.failed++;
  else stage.pending++;
}

/**
 * Every work item of a run — generation per candidate, parse per candidate × parse of its
 * task, score per candidate × score — with the status the store's events give it. Pure: the
 * status is derived, never stored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workStatus } from "./work_status.ts";
 * import { StoreState } from "../store/store_state.ts";
 * const manifest = { run_id: "r", parses: [], scores: [] };
 * const status = await workStatus(manifest, [{ task: "t", candidates: ["0123456789ab"] }],
 *   new StoreState());
 * assert.equal(status.generation.pending, 1);
 * ```
 */
export async function workStatus(
  manifest: Pick<RunManifest, "run_id" | "parses" | "scores">,
  trials: Iterable<TrialWork> | AsyncIterable<TrialWork>,
  state: StoreState,
): Promise<WorkStatus> {
  const counter = workStatusCounter(manifest, state);
  for await (const trial of trials) counter.add(trial);
  return counter.status;
}

/** What `workStatus` reads of a trial. */
export type TrialWork = Pick<ManifestTrial, "task" | "candidates">;

/** Counts work items trial by trial (see `workStatus`). */
export function workStatusCounter(
  manifest: Pick<RunManifest, "run_id" | "parses" | "scores">,
  state: StoreState,
): { add(trial: TrialWork): void; status: WorkStatus } {
  const status: WorkStatus = {
    generation: emptyStage(),
    parse: emptyStage(),
    score: emptyStage(),
  };
  const runId = manifest.run_id;
  const parsesOf = groupByTask(manifest.parses);
  const scoresOf = groupByTask(manifest.scores);
  const add = (trial: TrialWork) => {
    for (const cand of trial.candidates) {
      const gen = state.fact(cand, "gen");
      count(status.generation, gen, runId, false);
      // A generation still to do blocks nothing: its parses and scores run after it.
      const noText = gen !== undefined && gen.status !== "completed";
      for (const parse of parsesOf.get(trial.task) ?? []) {
        count(status.parse, state.fact(cand, `tf:${parse.hash}`), runId, noText);
      }
      for (const score of scoresOf.get(trial.task) ?? []) {
        const parsed = score.parseHash === null
          ? undefined
          : state.fact(cand, `tf:${score.parseHash}`);
        const blocked = noText || parsed?.status === "invalid";
        count(status.score, state.fact(cand, `ev:${score.hash}`), runId, blocked);
      }
    }
  };
  return { add, status };
}

function groupByTask<T extends { taskId: string }>(items: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(item.taskId, [...(out.get(item.taskId) ?? []), item]);
  return out;
}
