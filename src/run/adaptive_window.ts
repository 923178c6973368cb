/** A change of an adaptive window's size. */
export interface WindowChange {
  from: number;
  to: number;
}

/**
 * Concurrency that adapts like TCP congestion control (AIMD): a throttled answer (429, an
 * overloaded 503) shrinks the window multiplicatively (to 0.8×) — once per episode, not once per
 * request that was already in flight when the first one came back — and every healthy answer
 * grows it by 1/size, about one request per round trip, up to `max`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AdaptiveWindow } from "./adaptive_window.ts";
 * const window = new AdaptiveWindow(10);
 * const a = await window.acquire();
 * const b = await window.acquire();
 * assert.deepEqual(window.throttled(a), { from: 10, to: 8 });
 * assert.equal(window.throttled(b), undefined, "already in flight: same episode");
 * for (let i = 0; i < 9; i++) window.healthy(); // about one round trip of healthy answers
 * assert.equal(window.size, 9);
 * ```
 */
export class AdaptiveWindow {
  #limit: number;
  #active = 0;
  #epoch = 0;
  readonly #waiters: Array<() => void> = [];

  constructor(readonly max: number, readonly decrease = 0.8) {
    this.#limit = max;
  }

  /** Requests allowed in flight now. */
  get size(): number {
    return Math.max(1, Math.floor(this.#limit));
  }

  get active(): number {
    return this.#active;
  }

  /** Wait for a slot; resolves to the episode the request starts in. */
  async acquire(): Promise<number> {
    while (this.#active >= this.size) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#active++;
    return this.#epoch;
  }

  release(): void {
    this.#active--;
    this.#wake();
  }

  /** A request started in `epoch` was throttled: shrink, unless this episode already did. */
  throttled(epoch: number): WindowChange | undefined {
    if (epoch < this.#epoch) return undefined;
    this.#epoch++;
    const from = this.size;
    this.#limit = Math.max(1, this.#limit * this.decrease);
    return this.size === from ? undefined : { from, to: this.size };
  }

  /** A healthy answer: grow by one request per window's worth of them. */
  healthy(): WindowChange | undefined {
    if (this.#limit >= this.max) return undefined;
    const from = this.size;
    this.#limit = Math.min(this.max, this.#limit + 1 / this.#limit);
    if (this.size === from) return undefined;
    this.#wake();
    return { from, to: this.size };
  }

  #wake(): void {
    let free = this.size - this.#active;
    while (free-- > 0 && this.#waiters.length > 0) this.#waiters.shift()!();
  }
}
