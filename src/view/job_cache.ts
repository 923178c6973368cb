/**
 * Answers of slow jobs per data version, served stale while a fresh one is computed: a page
 * never waits for statistics it has already seen once, and hears (`onReady`) when fresher
 * numbers are there.
 */

interface Entry {
  version: number;
  html?: string;
  error?: Error;
}

/** What `get` found: the HTML, and whether it is for the version asked about. */
export interface CachedAnswer {
  html: string;
  fresh: boolean;
}

/**
 * One computation per key at a time; the latest answer per key is kept (the oldest keys are
 * forgotten past `max`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JobCache } from "./job_cache.ts";
 * const ready: string[] = [];
 * const cache = new JobCache((key) => ready.push(key));
 * assert.deepEqual(await cache.get("k", 1, async () => "v1"), { html: "v1", fresh: true });
 * // Version 2: the version 1 answer at once, marked stale, while version 2 is computed.
 * assert.deepEqual(await cache.get("k", 2, async () => "v2"), { html: "v1", fresh: false });
 * await cache.settled("k");
 * assert.deepEqual(await cache.get("k", 2, async () => "again"), { html: "v2", fresh: true });
 * assert.deepEqual(ready, ["k", "k"]);
 * ```
 */
export class JobCache {
  readonly #entries = new Map<string, Entry>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #onReady: (key: string) => void;
  readonly #max: number;

  constructor(onReady: (key: string) => void, max = 64) {
    this.#onReady = onReady;
    this.#max = max;
  }

  /**
   * The answer for `key` at `version`: cached when fresh; else the last answer (stale) while
   * `compute` runs, or, the first time, the computed one. A failed computation is an answer
   * too (rethrown) until the version moves on.
   */
  async get(key: string, version: number, compute: () => Promise<string>): Promise<CachedAnswer> {
    const known = this.#entries.get(key);
    if (known === undefined || known.version !== version) {
      const running = this.#start(key, version, compute);
      if (known === undefined) await running;
    }
    const entry = this.#entries.get(key)!;
    if (entry.error) throw entry.error;
    return { html: entry.html!, fresh: entry.version === version };
  }

  /** Resolves once no computation of `key` runs. */
  async settled(key: string): Promise<void> {
    while (this.#running.has(key)) await this.#running.get(key);
  }

  #start(key: string, version: number, compute: () => Promise<string>): Promise<void> {
    const running = this.#running.get(key);
    if (running) return running;
    const done = compute().then(
      (html) => this.#store(key, { version, html }),
      (error) => this.#store(key, { version, error }),
    ).finally(() => {
      this.#running.delete(key);
      this.#onReady(key);
    });
    this.#running.set(key, done);
    return done;
  }

  #store(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    for (const old of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(old);
    }
  }
}
