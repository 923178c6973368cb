/**
 * The analytics cache kept close behind a run while it writes (docs/design/run_directory.md):
 * every little while the new event bytes are read into the cache, on DuckDB's own threads, so
 * the run ends with only its last seconds to read and its first query is fast. Segments read
 * while open are not read again once closed. A refresh that fails is left to the next one, or
 * to the query that follows the run: the cache is derived, the events are the truth.
 */

import { availableParallelism } from "node:os";
import process from "node:process";

/**
 * Whether the run keeps the machine's cores busy: true when this process used more than
 * `share` (default half) of all `cores` since the last call (its workers count: CPU time is per
 * process). A refresh then would only slow the run down, and be read again when it ends. Half,
 * not more: a run bound by its own CPU on two cores uses about 1.4 of them (its scheduler's
 * thread and part of each worker's), while a run waiting on remote models uses a third of one.
 */
export function processBusy(
  options: { share?: number; cores?: number } = {},
): () => boolean {
  const cores = Math.max(1, options.cores ?? availableParallelism());
  const share = options.share ?? 0.5;
  let last = { cpu: process.cpuUsage(), at: performance.now() };
  return () => {
    const now = { cpu: process.cpuUsage(), at: performance.now() };
    const usedMs = (now.cpu.user - last.cpu.user + now.cpu.system - last.cpu.system) / 1000;
    const spanMs = now.at - last.at;
    last = now;
    return spanMs > 0 && usedMs > share * cores * spanMs;
  };
}

/** Refreshes of the cache at a pace its own cost sets, while the machine has room for them. */
export class CacheFollower {
  readonly #refresh: () => Promise<unknown>;
  readonly #minimumMs: number;
  readonly #busy: () => boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  /**
   * `refresh` brings the cache up to date; a refresh starts `minimumMs` (default 5 s) after the
   * last one ended, or after four times the time the last one took when that is longer, so the
   * cache takes at most about a fifth of the machine from the run (a run shorter than
   * `minimumMs` is never interrupted: the query after it reads its few events). When `busy()`
   * says the run keeps the cores busy (default {@linkcode processBusy}), the refresh waits for
   * the next turn: a run bound by its own CPU (local models, fast plugins) has none to spare, and
   * the cache is built once as it ends; a run waiting on remote models is followed.
   */
  constructor(
    refresh: () => Promise<unknown>,
    options: { minimumMs?: number; busy?: () => boolean } = {},
  ) {
    this.#refresh = refresh;
    this.#minimumMs = options.minimumMs ?? 5000;
    this.#busy = options.busy ?? processBusy();
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
      if (this.#busy()) return this.#schedule(this.#minimumMs);
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
