import type { Stage } from "../plan/check_plugins.ts";
import type { PlannedCandidate, PlannedTrial } from "../plan/plan_trials.ts";
import type { RunPlan } from "../plan/plan_run.ts";
import type { ExecutionPolicy, PluginRef } from "../spec/schemas.ts";
import type { EventWriter } from "../store/event_log.ts";
import type { NewEvent } from "../store/events.ts";
import type { StoreState } from "../store/store_state.ts";
import type { CandidateResult, CandidateTask } from "./candidate_work.ts";
import { toWorkError } from "./candidate_work.ts";
import { CircuitBreaker } from "./circuit_breaker.ts";
import { backoffDelay } from "./backoff.ts";
import type { StageExecutor } from "./executor.ts";
import { ProviderLimiter } from "./provider_limiter.ts";
import { buildTask, estimateTokens, maxTokens, pendingWork } from "./candidate_task.ts";
import { type RecordedWork, recordWork } from "./record_work.ts";
import type { TelemetryBus } from "./telemetry.ts";
import type { ProgressTally } from "./progress_tally.ts";
import { GEN_OVERLAY } from "../store/events.ts";

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
  /** Candidates left pending: their provider's circuit opened, or the run was cancelled. */
  skipped: number;
  /** Candidates without a generation when the stage run needs one (transform/evaluate). */
  missingGeneration: number;
  candidates: number;
  /** Cost of this execution's generations, from usage and the price table (0 without prices). */
  cost: number;
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

/** Extra time the main thread gives a task past its attempt timeout before killing it. */
const KILL_GRACE_MS = 1000;

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
    stopped: null,
  };
}

class Scheduler {
  readonly counts = emptyCounts();
  readonly breaker: CircuitBreaker;
  readonly limiter: ProviderLimiter;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(readonly o: ExecutePlanOptions) {
    this.breaker = new CircuitBreaker(o.policy.circuit_breaker_threshold);
    this.limiter = new ProviderLimiter(o.policy.provider_limits);
    this.#sleep = o.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = o.random ?? Math.random;
  }

  // This run's own facts need not be folded back into the state: each candidate is visited
  // once per run, and its parses and scores travel with its task.
  append(event: NewEvent): void {
    this.o.writer.append(event);
  }

  /** The task for a candidate, or undefined when it needs nothing; counts what is done. */
  task(trial: PlannedTrial, candidate: PlannedCandidate): CandidateTask | "missing" | undefined {
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
    return buildTask(trial, candidate, work, {
      policy: this.o.policy,
      hooks: this.o.hooks,
      state,
      runtime: this.o.executor.kind === "inline" ? this.o.runtime : undefined,
    });
  }

  /** Run a task with a hard deadline: a stuck task is stopped (its worker terminated). */
  async runTask(task: CandidateTask): Promise<CandidateResult> {
    const deadlineMs = (task.generation?.timeoutMs ?? this.o.policy.attempt_timeout * 1000) +
      KILL_GRACE_MS;
    try {
      return await this.o.executor.run(task, { signal: this.o.signal, deadlineMs });
    } catch (error) {
      const request = task.generation?.request;
      const where = request
        ? `generation:${request.model.provider}/${request.model.model_id}`
        : "stages";
      const failure = toWorkError(error, where);
      if (task.generation) {
        return { generation: { ok: false, error: failure }, parses: [], scores: [] };
      }
      return {
        parses: task.parses.map((p) => ({ hash: p.hash, error: failure })),
        scores: task.scores.map((s) => ({ hash: s.hash, error: failure })),
      };
    }
  }

  record(
    trial: PlannedTrial,
    candidate: PlannedCandidate,
    result: CandidateResult,
    attempts: number,
    task: CandidateTask,
  ) {
    const events: NewEvent[] = [];
    const recorded: RecordedWork = recordWork(trial, candidate, result, {
      plan: this.o.plan,
      attempts,
      retryableCodes: this.o.policy.retryable_codes,
      append: (event) => events.push(event),
    });
    if (events.length > 0) this.o.writer.appendAll(events);
    const c = this.counts;
    const tally = this.o.tally;
    if (result.generation) {
      tally?.finish("generation", result.generation.ok ? "completed" : "failed");
    }
    if (result.generation && !result.generation.ok) {
      // No text: the parses and scores planned for this candidate cannot run.
      tally?.finish("parse", "skipped", task.parses.length);
      tally?.finish("score", "skipped", task.scores.length);
    } else {
      tally?.finish("parse", "completed", recorded.parsed + recorded.parseInvalid);
      tally?.finish("parse", "failed", recorded.parseFailed);
      tally?.finish("score", "completed", recorded.scored);
      tally?.finish("score", "failed", recorded.scoreFailed);
      tally?.finish("score", "skipped", recorded.scoresSkipped);
      tally?.finish("score", "completed", recorded.scoresInvalid);
    }
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

  async candidate(trial: PlannedTrial, candidate: PlannedCandidate): Promise<void> {
    this.counts.candidates++;
    const task = this.task(trial, candidate);
    if (task === "missing") {
      this.counts.missingGeneration++;
      return;
    }
    if (task === undefined) {
      this.counts.reused++;
      return;
    }
    this.o.tally?.add("parse", "running", task.parses.length);
    this.o.tally?.add("score", "running", task.scores.length);
    if (!task.generation) {
      this.record(trial, candidate, await this.runTask(task), 0, task);
      return;
    }
    this.o.tally?.add("generation", "running");
    const done = await this.generate(trial, candidate, task);
    if (!done) {
      // Left pending (circuit open, budget, cancelled): its items go back to pending.
      this.o.tally?.add("generation", "running", -1);
      this.o.tally?.add("parse", "running", -task.parses.length);
      this.o.tally?.add("score", "running", -task.scores.length);
    }
  }

  /** The cost of a generation from its usage and the price table; 0 without a price. */
  #cost(trial: PlannedTrial, usage?: { prompt_tokens?: number; completion_tokens?: number }) {
    const price = this.o.pricing?.[trial.model.model_id];
    if (!price) return 0;
    const input = usage?.prompt_tokens ?? estimateTokens(trial) - maxTokens(trial);
    const output = usage?.completion_tokens ?? maxTokens(trial);
    return (input * price.input_per_million + output * price.output_per_million) / 1e6;
  }

  #reserved = 0;

  /** Why a generation may not start now, if it may not. */
  #stopReason(provider: string, estimate: number): ExecutionCounts["stopped"] {
    if (this.o.signal?.aborted) return "cancelled";
    if (this.breaker.isOpen(provider)) return "circuit_open";
    const max = this.o.maxCost;
    if (max !== undefined && this.counts.cost + this.#reserved + estimate > max) return "max_cost";
    return null;
  }

  /** Generate with retries; false when the candidate was left pending. */
  async generate(
    trial: PlannedTrial,
    candidate: PlannedCandidate,
    task: CandidateTask,
  ): Promise<boolean> {
    const provider = trial.model.provider;
    const runId = this.o.writer.runId;
    const tel = this.o.telemetry;
    const ids = { runId, trialId: trial.trial, candidateId: candidate.id };
    for (let attempt = 1;; attempt++) {
      const estimate = this.#cost(trial);
      const stop = this.#stopReason(provider, estimate);
      if (stop) {
        if (stop !== "circuit_open" || this.counts.stopped === null) this.counts.stopped = stop;
        this.counts.skipped++;
        return false;
      }
      this.#reserved += estimate;
      const release = await this.limiter.acquire(provider, estimateTokens(trial));
      tel?.emit({ type: "attempt", ...ids, data: { attempt, provider } });
      const result = await this.runTask(task);
      const gen = result.generation!;
      const usage = gen.ok ? gen.output.usage : undefined;
      release(usage ? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0) : undefined);
      this.#reserved -= estimate;
      this.counts.cost += gen.ok ? this.#cost(trial, usage ?? {}) : 0;
      if (gen.ok) {
        this.breaker.success(provider);
        this.counts.generated++;
        this.record(trial, candidate, result, attempt, task);
        return true;
      }
      const retryable = this.o.policy.retryable_codes.includes(gen.error.code);
      if (this.o.signal?.aborted) {
        this.counts.stopped = "cancelled";
        this.counts.skipped++;
        return false;
      }
      tel?.emit({ type: "error", ...ids, data: { code: gen.error.code, attempt } });
      if (retryable && attempt < this.o.policy.max_attempts) {
        const retryAfter = typeof gen.error.details?.retry_after === "number"
          ? gen.error.details.retry_after
          : undefined;
        const delay = backoffDelay(this.o.policy, attempt, this.#random, retryAfter);
        this.append({
          type: "attempt.retried",
          trial: trial.trial,
          cand: candidate.id,
          overlay: GEN_OVERLAY,
          data: {
            attempt,
            error: { ...gen.error, retryable, provider, model: trial.model.model_id },
            delay_ms: Math.round(delay),
          },
        });
        this.counts.retries++;
        tel?.emit({ type: "retry", ...ids, data: { attempt, delay_ms: Math.round(delay) } });
        await this.#sleep(delay);
        continue;
      }
      this.counts.generationFailed++;
      this.record(trial, candidate, result, attempt, task);
      const opened = this.breaker.failure(provider, gen.error.code, gen.error.message);
      if (opened) {
        this.append({ type: "circuit.opened", data: { ...opened } });
        tel?.emit({ type: "circuit.opened", runId, data: { ...opened } });
      }
      return true;
    }
  }
}

/**
 * Walk the plan once, lazily: per candidate one task (generation
 * attempt → pending parses → pending scores) on the executor, with retries, rate limits and a
 * circuit breaker per provider. At most `max_in_flight` candidates are in flight, so memory is
 * bounded by the queue, not by the plan; every fact is appended the moment it is known.
 */
export async function executePlan(options: ExecutePlanOptions): Promise<ExecutionCounts> {
  const scheduler = new Scheduler(options);
  const inFlight = new Set<Promise<void>>();
  const limit = options.policy.max_in_flight;
  const tel = options.telemetry;
  const runId = options.writer.runId;
  let sinceProgress = 0;
  for (const trial of options.plan.iterTrials()) {
    if (options.signal?.aborted) break;
    tel?.emit({ type: "trial.started", runId, trialId: trial.trial });
    let remaining = trial.candidates.length;
    for (const candidate of trial.candidates) {
      const done: Promise<void> = scheduler.candidate(trial, candidate).then(() => {
        if (--remaining === 0) tel?.emit({ type: "trial.finished", runId, trialId: trial.trial });
        if (++sinceProgress >= 64) {
          sinceProgress = 0;
          options.onProgress?.(scheduler.counts);
        }
      }).finally(() => inFlight.delete(done));
      inFlight.add(done);
      while (inFlight.size >= limit) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  options.onProgress?.(scheduler.counts);
  return scheduler.counts;
}
