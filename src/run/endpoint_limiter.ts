/**
 * Per-endpoint admission: an adaptive concurrency window (AIMD, shrinking on throttled
 * answers), and optional requests- and tokens-per-minute limits spread evenly over the
 * minute (token buckets that hold `burst_seconds` of the rate, never a whole minute's quota).
 */
import type { z } from "npm:zod@4.6.7";
import type { EndpointLimitsSchema } from "../spec/schemas.ts";
import { AdaptiveWindow, type WindowChange } from "./adaptive_window.ts";
import type { Endpoint, KeyedEndpoint } from "./endpoint.ts";

/** Limits of one endpoint, as the project gives them. */
export type EndpointLimits = z.input<typeof EndpointLimitsSchema>;

/** Clock and sleep, injectable for tests. */
export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: LimiterClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

interface Bucket {
  /** Refill per millisecond. */
  rate: number;
  capacity: number;
  level: number;
  updated: number;
}

/** A bucket holding `burstSeconds` of a per-minute rate, at least `floor`; it starts full. */
function bucket(perMinute: number | undefined, burstSeconds: number, floor: number, now: number) {
  if (perMinute === undefined) return undefined;
  const capacity = Math.max(floor, (perMinute / 60) * burstSeconds);
  return { rate: perMinute / 60_000, capacity, level: capacity, updated: now };
}

function refill(b: Bucket, now: number): void {
  b.level = Math.min(b.capacity, b.level + (now - b.updated) * b.rate);
  b.updated = now;
}

/** Milliseconds until the bucket holds `amount` (a request larger than it waits for a full one). */
function waitFor(b: Bucket, amount: number): number {
  const needed = Math.min(amount, b.capacity) - b.level;
  return needed <= 0 ? 0 : Math.ceil(needed / b.rate);
}

interface EndpointState {
  endpoint: Endpoint;
  window: AdaptiveWindow;
  requests?: Bucket;
  tokens?: Bucket;
  /** When growth of the window was last reported, and the size the last report gave. */
  reportedGrowth: number;
  reportedSize: number;
}

/** A window change as the scheduler reports it (`concurrency.changed`). */
export interface ConcurrencyChange extends WindowChange {
  endpoint: Endpoint;
  reason: "throttled" | "recovered";
  code?: string;
}

/** How a request admitted by the limiter ended. */
export interface PermitOutcome {
  /** The endpoint said "too much" (429, an overloaded 503): the window shrinks. */
  throttled?: { code: string };
  ok: boolean;
  /** Tokens the call really used, when the provider reported them. */
  tokensUsed?: number;
}

/** One admitted request; `done` once it has an answer (or was abandoned). */
export interface Permit {
  done(outcome: PermitOutcome): void;
}

/** Options of {@linkcode EndpointLimiter}. */
export interface EndpointLimiterOptions {
  /** Limits by model id or provider name (the model id wins). */
  limits: Record<string, EndpointLimits>;
  /** The window's upper bound when an endpoint sets no `max_concurrency`. */
  maxInFlight: number;
  clock?: LimiterClock;
  /** Called when a window changes (growth at most every `reportEveryMs`, or on reaching max). */
  onChange?: (change: ConcurrencyChange) => void;
  reportEveryMs?: number;
}

/**
 * Admission per endpoint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EndpointLimiter } from "./endpoint_limiter.ts";
 * import { endpointOf } from "./endpoint.ts";
 * const changes: number[] = [];
 * const limiter = new EndpointLimiter({ limits: {}, maxInFlight: 8,
 *   onChange: (c) => changes.push(c.to) });
 * const target = endpointOf({ model_id: "m", provider: "openai" });
 * const permit = await limiter.acquire(target, 100, "m");
 * permit.done({ ok: false, throttled: { code: "PROVIDER_RATE_LIMIT" } });
 * assert.deepEqual(changes, [6]);
 * ```
 */
export class EndpointLimiter {
  readonly #options: EndpointLimiterOptions;
  readonly #clock: LimiterClock;
  readonly #state = new Map<string, EndpointState>();

  constructor(options: EndpointLimiterOptions) {
    this.#options = options;
    this.#clock = options.clock ?? realClock;
  }

  #stateOf(target: KeyedEndpoint, modelId: string): EndpointState {
    let state = this.#state.get(target.key);
    if (state === undefined) {
      const limits = this.#options.limits[modelId] ??
        this.#options.limits[target.endpoint.provider];
      const burst = limits?.burst_seconds ?? 1;
      const now = this.#clock.now();
      const max = Math.min(limits?.max_concurrency ?? Infinity, this.#options.maxInFlight);
      state = {
        endpoint: target.endpoint,
        window: new AdaptiveWindow(max),
        requests: bucket(limits?.requests_per_minute, burst, 1, now),
        tokens: bucket(limits?.tokens_per_minute, burst, 1, now),
        reportedGrowth: now,
        reportedSize: max,
      };
      this.#state.set(target.key, state);
    }
    return state;
  }

  /** Wait until the endpoint may take one more request of about `tokens` tokens. */
  async acquire(target: KeyedEndpoint, tokens: number, modelId: string): Promise<Permit> {
    const state = this.#stateOf(target, modelId);
    const epoch = await state.window.acquire();
    const { requests, tokens: budget } = state;
    while (requests || budget) {
      const now = this.#clock.now();
      if (requests) refill(requests, now);
      if (budget) refill(budget, now);
      const wait = Math.max(
        requests ? waitFor(requests, 1) : 0,
        budget ? waitFor(budget, tokens) : 0,
      );
      if (wait === 0) break;
      await this.#clock.sleep(wait);
    }
    if (requests) requests.level -= 1;
    const reserved = budget ? Math.min(tokens, budget.capacity) : 0;
    if (budget) budget.level -= reserved;
    let settled = false;
    return {
      done: (outcome) => {
        if (settled) return;
        settled = true;
        if (budget && outcome.tokensUsed !== undefined) {
          budget.level -= outcome.tokensUsed - reserved;
        }
        state.window.release();
        this.#adapt(state, epoch, outcome);
      },
    };
  }

  #adapt(state: EndpointState, epoch: number, outcome: PermitOutcome): void {
    const report = this.#options.onChange;
    if (outcome.throttled) {
      const change = state.window.throttled(epoch);
      if (change) {
        state.reportedSize = change.to;
        report?.({
          endpoint: state.endpoint,
          ...change,
          reason: "throttled",
          ...outcome.throttled,
        });
      }
      return;
    }
    if (!outcome.ok) return;
    const change = state.window.healthy();
    if (change === undefined) return;
    const now = this.#clock.now();
    const atMax = change.to >= state.window.max;
    if (!atMax && now - state.reportedGrowth < (this.#options.reportEveryMs ?? 10_000)) return;
    state.reportedGrowth = now;
    const from = state.reportedSize;
    state.reportedSize = change.to;
    report?.({ endpoint: state.endpoint, from, to: change.to, reason: "recovered" });
  }
}
