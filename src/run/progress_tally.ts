/** The stages progress is reported for. */
export type ProgressStage = "generation" | "parse" | "score";

/** One stage's work items by state. */
export interface StageProgress {
  /** Work items of the stage in the plan. */
  total: number;
  /** Not started. */
  pending: number;
  /** In flight now. */
  running: number;
  /** Done (here or in another run of the store). */
  completed: number;
  /** Failed; a resume tries them again. */
  failed: number;
  /** Not run because what they need failed (a failed generation is not parsed). */
  skipped: number;
}

/** Outcome counts of one stage while a run executes. */
interface Tally {
  running: number;
  completed: number;
  failed: number;
  skipped: number;
}

const STAGES: ProgressStage[] = ["generation", "parse", "score"];

/**
 * Live counts of a run's work items per stage, kept by the scheduler as it walks the plan:
 * items found done (in any run of the store) count as completed when the walk reaches them,
 * items it dispatches count as running until their outcome is known.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressTally } from "./progress_tally.ts";
 * const tally = new ProgressTally({ generation: 2, parse: 0, score: 0 });
 * tally.add("generation", "completed", 1);
 * assert.equal(tally.stages().generation.pending, 1);
 * ```
 */
export class ProgressTally {
  readonly #totals: Record<ProgressStage, number>;
  readonly #tally: Record<ProgressStage, Tally>;

  constructor(totals: Record<ProgressStage, number>) {
    this.#totals = totals;
    this.#tally = {
      generation: { running: 0, completed: 0, failed: 0, skipped: 0 },
      parse: { running: 0, completed: 0, failed: 0, skipped: 0 },
      score: { running: 0, completed: 0, failed: 0, skipped: 0 },
    };
  }

  /** Count `n` items of a stage into a state (or out of running, with a negative `n`). */
  add(stage: ProgressStage, state: keyof Tally, n = 1): void {
    if (n !== 0) this.#tally[stage][state] += n;
  }

  /** Move `n` items of a stage from running to an outcome. */
  finish(stage: ProgressStage, outcome: "completed" | "failed" | "skipped", n = 1): void {
    if (n === 0) return;
    this.#tally[stage].running -= n;
    this.#tally[stage][outcome] += n;
  }

  /** Per-stage counts; pending is what is neither running nor decided yet. */
  stages(): Record<ProgressStage, StageProgress> {
    const out = {} as Record<ProgressStage, StageProgress>;
    for (const stage of STAGES) {
      const t = this.#tally[stage];
      const total = this.#totals[stage];
      out[stage] = {
        total,
        pending: Math.max(0, total - t.running - t.completed - t.failed - t.skipped),
        running: t.running,
        completed: t.completed,
        failed: t.failed,
        skipped: t.skipped,
      };
    }
    return out;
  }
}
