import { isThemisError } from "../core/errors.ts";
import type { Stage } from "../plan/check_plugins.ts";
import type { PlannedCandidate, PlannedTrial } from "../plan/plan_trials.ts";
import type { RunPlan } from "../plan/plan_run.ts";
import type { ExecutionPolicy, PluginRef } from "../spec/schemas.ts";
import type { EventWriter } from "../store/event_log.ts";
import type { NewEvent } from "../store/events.ts";
import type { StoreState } from "../store/store_state.ts";
import type { CandidateResult, StagesOutcome } from "./candidate_work.ts";
import type { StageExecutor } from "./executor.ts";
import {
  type BuildTaskOptions,
  generationTask,
  type PendingWork,
  pendingWork,
  stagesTask,
  stageTimeouts,
} from "./candidate_task.ts";
import { EventBuffer } from "./event_buffer.ts";
import { GenerationLoop } from "./generation_loop.ts";
import { recordWork } from "./record_work.ts";
import type { TelemetryBus } from "./telemetry.ts";
import type { ProgressTally } from "./progress_tally.ts";

/** Counts of what one execution did. */
export interface ExecutionCounts {
  generated: number;
  generationFailed: number;
  retries: number;
  parsed: number;
  parseInvalid: number;
  parseFailed: number;
  scored: number;
  scoreFailed: number;
  /** Scores recorded invalid because their parse found no answer (failing value). */
  scoreNoAnswer: number;
  /** Scores whose judge gave no verdict on its scale (`JUDGE_UNPARSEABLE`): final, not failed. */
  scoreInvalid: number;
  /** Candidates whose stages needed nothing (all final already). */
  reused: number;
  /** Candidates left pending: their endpoint's circuit opened, the budget, or cancellation. */
  skipped: number;
  /** Candidates without a generation when the stage run needs one (transform/evaluate). */
  missingGeneration: number;
  candidates: number;
  /** Cost of this execution's generations, from usage and the price table (0 without prices). */
  cost: number;
  /** Endpoints whose circuit opened in this execution. */
  circuitsOpened: number;
  /** Why the run stopped early, if it did. */
  stopped: "max_cost" | "cancelled" | "circuit_open" | null;
}

/** What the scheduler needs. */
export interface ExecutePlanOptions {
  plan: RunPlan;
  state: StoreState;
  writer: EventWriter;
  executor: StageExecutor;
  policy: ExecutionPolicy;
  stages: ReadonlyArray<Stage>;
  hooks: PluginRef[];
  runtime?: Record<string, string>;
  signal?: AbortSignal;
  telemetry?: TelemetryBus;
  /** Live per-stage counts; the scheduler keeps them as it walks. */
  tally?: ProgressTally;
  onProgress?: (counts: ExecutionCounts) => void;
  /** Prices per model id, for the cost spent so far and `maxCost`. */
  pricing?: Record<string, { input_per_million: number; output_per_million: number }>;
  /** Stop starting generations before the spent plus reserved cost would pass this. */
  maxCost?: number;
  /** Injected for tests: sleep between retries and the jitter source. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Counts of an execution that has done nothing yet. */
export function emptyCounts(): ExecutionCounts {
  return {
    generated: 0,
    generationFailed: 0,
    retries: 0,
    parsed: 0,
    parseInvalid: 0,
    parseFailed: 0,
    scored: 0,
    scoreFailed: 0,
    scoreNoAnswer: 0,
    scoreInvalid: 0,
    reused: 0,
    skipped: 0,
    missingGeneration: 0,
    candidates: 0,
    cost: 0,
    circuitsOpened: 0,
    stopped: null,
  };
}

class Scheduler {
  readonly counts = emptyCounts();
  readonly generation: GenerationLoop;
  readonly events: EventBuffer;
  readonly #build: BuildTaskOptions;

  constructor(readonly o: ExecutePlanOptions) {
    this.events = new EventBuffer(o.writer);
    this.generation = new GenerationLoop(o, this.counts, this.events);
    this.#build = {
      timeouts: stageTimeouts(o.policy),
      hooks: o.hooks,
      runtime: o.executor.kind === "inline" ? o.runtime : undefined,
    };
  }

  // This run's own facts need not be folded back into the state: each candidate is visited
  // once per run, and its parses and scores travel with its task.
  append(event: NewEvent): void {
    this.events.append(event);
  }

  /** The candidate's pending work, or why there is none; counts what is done. */
  work(trial: PlannedTrial, candidate: PlannedCandidate): PendingWork | "missing" | undefined {
    const { stages, plan, state } = this.o;
    const work = pendingWork(trial, candidate, { plan, state, stages });
    const tally = this.o.tally;
    if (work.noText) {
      const taskStages = plan.stages.get(trial.taskId)!;
      if (stages.includes("parse")) tally?.add("parse", "skipped", taskStages.parses.length);
      if (stages.includes("score")) tally?.add("score", "skipped", taskStages.scores.length);
      return work.noText === "missing" ? "missing" : undefined;
    }
    if (!work.needGeneration && stages.includes("generation")) {
      tally?.add("generation", "completed");
    }
    tally?.add("parse", "completed", work.parsesDone);
    tally?.add("score", "completed", work.scoresDone);
    tally?.add("score", "skipped", work.scoresBlocked);
    if (!work.needGeneration && work.parses.length === 0 && work.scores.length === 0) {
      return undefined;
    }
    return work;
  }

  /** Append a result's events; returns what recording counted. */
  record(trial: PlannedTrial, candidate: PlannedCandidate, result: CandidateResult, attempts = 0) {
    const events: NewEvent[] = [];
    const recorded = recordWork(trial, candidate, result, {
      plan: this.o.plan,
      attempts,
      retryableCodes: this.o.policy.retryable_codes,
      append: (event) => events.push(event),
    });
    if (events.length > 0) this.events.appendAll(events);
    return recorded;
  }

  recordStages(trial: PlannedTrial, candidate: PlannedCandidate, result: StagesOutcome): void {
    const recorded = this.record(trial, candidate, result);
    const c = this.counts;
    const tally = this.o.tally;
    tally?.finish("parse", "completed", recorded.parsed + recorded.parseInvalid);
    tally?.finish("parse", "failed", recorded.parseFailed);
    tally?.finish("score", "completed", recorded.scored + recorded.scoresInvalid);
    tally?.finish("score", "failed", recorded.scoreFailed);
    tally?.finish("score", "skipped", recorded.scoresSkipped);
    c.parsed += recorded.parsed;
    c.parseInvalid += recorded.parseInvalid;
    c.parseFailed += recorded.parseFailed;
    c.scored += recorded.scored;
    c.scoreFailed += recorded.scoreFailed;
    c.scoreNoAnswer += recorded.scoresNoAnswer;
    c.scoreInvalid += recorded.scoresInvalid;
    for (const metric of recorded.metrics) {
      this.o.telemetry?.emit({
        type: "metric.finished",
        runId: this.o.writer.runId,
        trialId: trial.trial,
        candidateId: candidate.id,
        data: metric,
      });
    }
  }

  /**
   * One candidate's pending work; `generated` is called once its generation has ended (or
   * when it needs none), before its parses and scores run.
   */
  async candidate(
    trial: PlannedTrial,
    candidate: PlannedCandidate,
    generated: () => void = () => {},
  ): Promise<void> {
    this.counts.candidates++;
    const work = this.work(trial, candidate);
    if (work === "missing") {
      this.counts.missingGeneration++;
      return;
    }
    if (work === undefined) {
      this.counts.reused++;
      return;
    }
    const tally = this.o.tally;
    tally?.add("parse", "running", work.parses.length);
    tally?.add("score", "running", work.scores.length);
    const text = work.needGeneration ? await this.generate(trial, candidate, work) : work.text;
    generated();
    // No text: the generation failed (recorded), so its parses and scores cannot run.
    if (text === undefined) return;
    if (work.parses.length + work.scores.length === 0) return;
    const task = stagesTask(trial, candidate, { ...work, text }, {
      ...this.#build,
      state: this.o.state,
    });
    let result: StagesOutcome;
    try {
      result = await this.o.executor.run(task, { signal: this.o.signal });
    } catch (error) {
      if (!isThemisError(error) || error.code !== "CANCELLED") throw error;
      // Cancelled before it was sent: its items go back to pending.
      this.counts.stopped = "cancelled";
      tally?.add("parse", "running", -work.parses.length);
      tally?.add("score", "running", -work.scores.length);
      return;
    }
    this.recordStages(trial, candidate, result);
  }

  /** The candidate's generation, recorded; its text, or undefined when there is none. */
  async generate(
    trial: PlannedTrial,
    candidate: PlannedCandidate,
    work: PendingWork,
  ): Promise<string | undefined> {
    const tally = this.o.tally;
    tally?.add("generation", "running");
    const task = generationTask(trial, candidate, this.#build);
    const end = await this.generation.generate(trial, candidate, task);
    if (end.kind === "pending") {
      // Left pending (circuit open, budget, cancelled): its items go back to pending.
      tally?.add("generation", "running", -1);
      tally?.add("parse", "running", -work.parses.length);
      tally?.add("score", "running", -work.scores.length);
      return undefined;
    }
    const { outcome } = end;
    this.record(trial, candidate, { generation: outcome, parses: [], scores: [] }, end.attempts);
    if (end.opened) {
      this.counts.circuitsOpened++;
      this.append({ type: "circuit.opened", data: { ...end.opened } });
      this.o.telemetry?.emit({
        type: "circuit.opened",
        runId: this.o.writer.runId,
        data: { ...end.opened },
      });
    }
    tally?.finish("generation", outcome.ok ? "completed" : "failed");
    if (outcome.ok) return outcome.output.text;
    // No text: the parses and scores planned for this candidate cannot run.
    tally?.finish("parse", "skipped", work.parses.length);
    tally?.finish("score", "skipped", work.scores.length);
    return undefined;
  }
}

/**
 * Candidates in flight at most for a `max_in_flight` of `limit`: `limit` of them waiting on
 * their generation, and a quarter more whose generation ended and whose parses and scores are
 * on their way. A finished generation frees its place at once, so the endpoint keeps `limit`
 * requests in flight while the candidates before go through their stages (the pool's capacity
 * follows this number).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { candidatesInFlight } from "./execute_plan.ts";
 * assert.equal(candidatesInFlight(64), 80);
 * assert.equal(candidatesInFlight(1), 2);
 * ```
 */
export function candidatesInFlight(limit: number): number {
  return limit + Math.ceil(limit / 4);
}

/**
 * Walk the plan once, lazily: per candidate its generation (with retries, the endpoint's
 * admission and circuit breaker), recorded at once, then one task of its pending parses and
 * scores. At most `max_in_flight` candidates wait on a generation, and at most
 * {@linkcode candidatesInFlight} are in flight in all, so memory is bounded by the queue, not
 * by the plan; every fact is appended the moment it is known.
 */
export async function executePlan(options: ExecutePlanOptions): Promise<ExecutionCounts> {
  const scheduler = new Scheduler(options);
  const limit = options.policy.max_in_flight;
  const total = candidatesInFlight(limit);
  const tel = options.telemetry;
  const runId = options.writer.runId;
  let sinceProgress = 0;
  // A count and one waiter, not Promise.race over the in-flight set: racing N promises per
  // candidate costs O(N) each and piles handlers on every promise in flight.
  let active = 0;
  let generating = 0;
  let wake: (() => void) | undefined;
  let failure: { error: unknown } | undefined;
  const woken = () => {
    wake?.();
    wake = undefined;
  };
  const slot = () => new Promise<void>((resolve) => (wake = resolve));
  for (const trial of options.plan.iterTrials()) {
    if (options.signal?.aborted || failure) break;
    tel?.emit({ type: "trial.started", runId, trialId: trial.trial });
    let remaining = trial.candidates.length;
    for (const candidate of trial.candidates) {
      active++;
      generating++;
      let generated = false;
      const release = () => {
        if (generated) return;
        generated = true;
        generating--;
        woken();
      };
      scheduler.candidate(trial, candidate, release).then(() => {
        if (--remaining === 0) tel?.emit({ type: "trial.finished", runId, trialId: trial.trial });
        if (++sinceProgress >= 64) {
          sinceProgress = 0;
          options.onProgress?.(scheduler.counts);
        }
      }, (error) => (failure ??= { error })).finally(() => {
        release();
        active--;
        woken();
      });
      while (generating >= limit || active >= total) await slot();
      if (failure) break;
    }
  }
  while (active > 0) await slot();
  // What completed is written even when a failure stopped the walk.
  scheduler.events.flush();
  if (failure) throw failure.error;
  options.onProgress?.(scheduler.counts);
  return scheduler.counts;
}
