/**
 * A candidate's generation with everything around it on the main thread: the cost budget,
 * the endpoint's circuit breaker and admission (adaptive window, rate limits), retries with
 * backoff. Throttled answers (429) are retried without using up an attempt, up to
 * `max_throttled_retries`; they shrink the endpoint's window instead.
 */
import { isThemisError } from "../core/errors.ts";
import type { PlannedCandidate, PlannedTrial } from "../plan/plan_trials.ts";
import type { NewEvent } from "../store/events.ts";
import { GEN_OVERLAY } from "../store/events.ts";
import { backoffDelay } from "./backoff.ts";
import type { GenerationOutcome, GenerationTask } from "./candidate_work.ts";
import { estimateTokens, maxTokens } from "./candidate_task.ts";
import { CircuitBreaker, type OpenCircuit } from "./circuit_breaker.ts";
import { endpointOf, type KeyedEndpoint } from "./endpoint.ts";
import { EndpointLimiter } from "./endpoint_limiter.ts";
import type { EventBuffer } from "./event_buffer.ts";
import type { ExecutePlanOptions, ExecutionCounts } from "./execute_plan.ts";
import type { WorkError } from "./work_error.ts";

/** What came of a candidate's generation. */
export type GenerationEnd =
  | {
    kind: "done";
    outcome: GenerationOutcome;
    attempts: number;
    /** This failure opened its endpoint's circuit (record it after the failure). */
    opened?: OpenCircuit;
  }
  /** Left pending: cancelled, over budget, or its endpoint's circuit is open. */
  | { kind: "pending" };

/** A 429, or an overloaded 503/529: the endpoint asks for less. */
export function isThrottle(error: WorkError): boolean {
  if (error.code === "PROVIDER_RATE_LIMIT") return true;
  const status = error.details?.status;
  return error.code === "PROVIDER_UNAVAILABLE" && (status === 503 || status === 529);
}

/**
 * Runs generations for the scheduler.
 */
export class GenerationLoop {
  readonly breaker: CircuitBreaker;
  readonly limiter: EndpointLimiter;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  #reserved = 0;

  constructor(
    readonly o: ExecutePlanOptions,
    readonly counts: ExecutionCounts,
    readonly events: EventBuffer,
  ) {
    this.breaker = new CircuitBreaker(o.policy.circuit_breaker_threshold);
    this.limiter = new EndpointLimiter({
      limits: o.policy.provider_limits,
      maxInFlight: o.policy.max_in_flight,
      onChange: (change) => {
        const { endpoint, ...rest } = change;
        const data = { ...endpoint, ...rest };
        events.append({ type: "concurrency.changed", data });
        o.telemetry?.emit({ type: "concurrency.changed", runId: o.writer.runId, data });
      },
    });
    this.#sleep = o.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = o.random ?? Math.random;
  }

  /** The cost of a generation from its usage and the price table; 0 without a price. */
  cost(trial: PlannedTrial, usage?: { prompt_tokens?: number; completion_tokens?: number }) {
    const price = this.o.pricing?.[trial.model.model_id];
    if (!price) return 0;
    const input = usage?.prompt_tokens ?? estimateTokens(trial) - maxTokens(trial);
    const output = usage?.completion_tokens ?? maxTokens(trial);
    return (input * price.input_per_million + output * price.output_per_million) / 1e6;
  }

  /** Why a generation may not start now, if it may not. */
  #stopReason(target: KeyedEndpoint, estimate: number): ExecutionCounts["stopped"] {
    if (this.o.signal?.aborted) return "cancelled";
    if (this.breaker.isOpen(target.key)) return "circuit_open";
    const max = this.o.maxCost;
    if (max !== undefined && this.counts.cost + this.#reserved + estimate > max) return "max_cost";
    return null;
  }

  #pending(stop: ExecutionCounts["stopped"]): GenerationEnd {
    if (stop !== "circuit_open" || this.counts.stopped === null) this.counts.stopped = stop;
    this.counts.skipped++;
    return { kind: "pending" };
  }

  /** One attempt, admitted by the endpoint's limiter; undefined when it could not start. */
  async #attempt(
    trial: PlannedTrial,
    task: GenerationTask,
    target: KeyedEndpoint,
    announce: () => void,
  ) {
    const estimate = this.cost(trial);
    const stop = this.#stopReason(target, estimate);
    if (stop) return { stop };
    this.#reserved += estimate;
    const permit = await this.limiter.acquire(target, estimateTokens(trial), trial.model.model_id);
    try {
      // The circuit may have opened while this request waited for a slot.
      const late = this.#stopReason(target, 0);
      if (late) return { stop: late };
      announce();
      const outcome = await this.o.executor.run(task, { signal: this.o.signal });
      const usage = outcome.ok ? outcome.output.usage : undefined;
      permit.done({
        ok: outcome.ok,
        throttled: !outcome.ok && isThrottle(outcome.error)
          ? { code: outcome.error.code }
          : undefined,
        tokensUsed: usage ? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0) : undefined,
      });
      this.counts.cost += outcome.ok ? this.cost(trial, usage ?? {}) : 0;
      return { outcome };
    } catch (error) {
      // The executor rejects only a task cancelled before it was sent; anything else is a bug.
      if (isThemisError(error) && error.code === "CANCELLED") return { stop: "cancelled" as const };
      throw error;
    } finally {
      permit.done({ ok: false });
      this.#reserved -= estimate;
    }
  }

  /** Generate with retries. */
  async generate(
    trial: PlannedTrial,
    candidate: PlannedCandidate,
    task: GenerationTask,
  ): Promise<GenerationEnd> {
    const target = endpointOf(trial.model);
    const provider = trial.model.provider;
    const tel = this.o.telemetry;
    const ids = { runId: this.o.writer.runId, trialId: trial.trial, candidateId: candidate.id };
    const policy = this.o.policy;
    let attempt = 1;
    let throttled = 0;
    while (true) {
      const announce = () => tel?.emit({ type: "attempt", ...ids, data: { attempt, provider } });
      const { outcome, stop } = await this.#attempt(trial, task, target, announce);
      if (stop || outcome === undefined) return this.#pending(stop ?? "cancelled");
      if (outcome.ok) {
        this.breaker.success(target.key);
        this.counts.generated++;
        return { kind: "done", outcome, attempts: attempt };
      }
      if (this.o.signal?.aborted) return this.#pending("cancelled");
      // Exactly `threshold` failures open a circuit: the ones still in flight then stay pending.
      if (this.breaker.isOpen(target.key)) return this.#pending("circuit_open");
      const error = outcome.error;
      tel?.emit({ type: "error", ...ids, data: { code: error.code, attempt } });
      const retryable = policy.retryable_codes.includes(error.code);
      const free = retryable && error.code === "PROVIDER_RATE_LIMIT" &&
        throttled < policy.max_throttled_retries;
      if (retryable && (free || attempt < policy.max_attempts)) {
        const retryAfter = typeof error.details?.retry_after === "number"
          ? error.details.retry_after
          : undefined;
        // A throttled retry waits for the endpoint's (shrunk) window, not for an ever longer
        // backoff: its delay stays at the first step's, or the server's Retry-After.
        const delay = backoffDelay(policy, free ? 1 : attempt, this.#random, retryAfter);
        this.#retried(trial, candidate, { attempt, error, retryable, delay, throttled: free });
        tel?.emit({ type: "retry", ...ids, data: { attempt, delay_ms: Math.round(delay) } });
        await this.#sleep(delay);
        if (free) throttled++;
        else attempt++;
        continue;
      }
      this.counts.generationFailed++;
      const opened = this.breaker.failure(target, error.code, error.message);
      return { kind: "done", outcome, attempts: attempt, ...(opened ? { opened } : {}) };
    }
  }

  #retried(
    trial: PlannedTrial,
    candidate: PlannedCandidate,
    r: { attempt: number; error: WorkError; retryable: boolean; delay: number; throttled: boolean },
  ): void {
    const event: NewEvent = {
      type: "attempt.retried",
      trial: trial.trial,
      cand: candidate.id,
      overlay: GEN_OVERLAY,
      data: {
        attempt: r.attempt,
        error: {
          ...r.error,
          retryable: r.retryable,
          provider: trial.model.provider,
          model: trial.model.model_id,
        },
        delay_ms: Math.round(r.delay),
        ...(r.throttled ? { throttled: true } : {}),
      },
    };
    this.events.append(event);
    this.counts.retries++;
  }
}
