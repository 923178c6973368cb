/** Limits of one provider. */
export interface ProviderLimits {
  max_concurrency?: number;
  requests_per_minute?: number;
  tokens_per_minute?: number;
}

interface Bucket {
  capacity: number;
  level: number;
  updated: number;
}

interface ProviderState {
  active: number;
  waiters: Array<() => void>;
  requests?: Bucket;
  tokens?: Bucket;
}

/** A granted slot: give back the tokens the call really used (or the estimate). */
export type Release = (tokensUsed?: number) => void;

/** Clock and sleep, injectable for tests. */
export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: LimiterClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

function refill(bucket: Bucket, now: number): void {
  const rate = bucket.capacity / 60_000;
  bucket.level = Math.min(bucket.capacity, bucket.level + (now - bucket.updated) * rate);
  bucket.updated = now;
}

function waitFor(bucket: Bucket, amount: number): number {
  const needed = Math.min(amount, bucket.capacity) - bucket.level;
  return needed <= 0 ? 0 : Math.ceil(needed / (bucket.capacity / 60_000));
}

/**
 * Per-provider concurrency, requests-per-minute and tokens-per-minute limits (token buckets
 * that refill continuously and start full). Providers without limits pass straight through.
 *
 * @example
 * ```ts
 * import { ProviderLimiter } from "./provider_limiter.ts";
 * const limiter = new ProviderLimiter({ openai: { max_concurrency: 2 } });
 * const release = await limiter.acquire("openai", 100);
 * release(80);
 * ```
 */
export class ProviderLimiter {
  readonly #limits: Record<string, ProviderLimits>;
  readonly #state = new Map<string, ProviderState>();
  readonly #clock: LimiterClock;

  constructor(limits: Record<string, ProviderLimits>, clock: LimiterClock = realClock) {
    this.#limits = limits;
    this.#clock = clock;
  }

  #stateOf(provider: string): ProviderState {
    let state = this.#state.get(provider);
    if (state === undefined) {
      const limits = this.#limits[provider] ?? {};
      const now = this.#clock.now();
      const bucket = (capacity?: number) =>
        capacity === undefined ? undefined : { capacity, level: capacity, updated: now };
      state = {
        active: 0,
        waiters: [],
        requests: bucket(limits.requests_per_minute),
        tokens: bucket(limits.tokens_per_minute),
      };
      this.#state.set(provider, state);
    }
    return state;
  }

  /** Wait until the provider may take one more request of about `tokens` tokens. */
  async acquire(provider: string, tokens: number): Promise<Release> {
    const limits = this.#limits[provider];
    if (limits === undefined) return () => {};
    const state = this.#stateOf(provider);
    const max = limits.max_concurrency ?? Infinity;
    while (state.active >= max) await new Promise<void>((resolve) => state.waiters.push(resolve));
    state.active++;
    while (true) {
      const now = this.#clock.now();
      if (state.requests) refill(state.requests, now);
      if (state.tokens) refill(state.tokens, now);
      const wait = Math.max(
        state.requests ? waitFor(state.requests, 1) : 0,
        state.tokens ? waitFor(state.tokens, tokens) : 0,
      );
      if (wait === 0) break;
      await this.#clock.sleep(wait);
    }
    if (state.requests) state.requests.level -= 1;
    if (state.tokens) state.tokens.level -= Math.min(tokens, state.tokens.capacity);
    let released = false;
    return (used?: number) => {
      if (released) return;
      released = true;
      if (state.tokens && used !== undefined) {
        state.tokens.level -= used - Math.min(tokens, state.tokens.capacity);
      }
      state.active--;
      state.waiters.shift()?.();
    };
  }
}
