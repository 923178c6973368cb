/**
 * The analytics cache kept close behind a run while it writes (docs/design/run_directory.md):
 * every little while the new event bytes are read into the cache, on DuckDB's own threads, so
 * the run ends with only its last seconds to read and its first query is fast. Segments read
 * while open are not read again once closed. A refresh that fails is left to the next one, or
 * to the query that follows the run: the cache is derived, the events are the truth.
 */

/** Refreshes of the cache at a pace its own cost sets. */
export class CacheFollower {
  readonly #refresh: () => Promise<unknown>;
  readonly #minimumMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  /**
   * `refresh` brings the cache up to date; a refresh starts `minimumMs` (default 5 s) after the
   * last one ended, or after four times the time the last one took when that is longer, so the
   * cache takes at most about a fifth of the machine from the run (a run shorter than
   * `minimumMs` is never interrupted: the query after it reads its few events).
   */
  constructor(refresh: () => Promise<unknown>, options: { minimumMs?: number } = {}) {
    this.#refresh = refresh;
    this.#minimumMs = options.minimumMs ?? 5000;
  }

  /** Start following (the first refresh after `minimumMs`). */
  start(): this {
    this.#schedule(this.#minimumMs);
    return this;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const started = performance.now();
      this.#running = this.#refresh().then(
        () => {},
        () => {}, // the next refresh, or the query after the run, tries again and says why
      ).finally(() => {
        this.#running = undefined;
        this.#schedule(Math.max(this.#minimumMs, 4 * (performance.now() - started)));
      });
    }, ms);
  }

  /** Stop following: no refresh starts after this, and the one under way has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
