import { Analytics, type AnalyticsOptions } from "../analytics/analytics.ts";
import { collectGarbage } from "../core/collect_garbage.ts";
import type { Row } from "../analytics/duckdb.ts";
import { RunStore } from "../store/run_store.ts";

/** How a store is opened: segment size and the analytics database's bounds. */
export interface StoreOptions {
  /** Close an event segment once it holds this many bytes (default 32 MiB). */
  segmentBytes?: number;
  /** Bounds of the analytics database (DuckDB memory, threads, spill folder). */
  analytics?: AnalyticsOptions;
}

/**
 * The active store: its run directories and its analytics database (opened on first use,
 * refreshed before every read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Store } from "./store.ts";
 * const store = Store.open(await Deno.makeTempDir());
 * assert.equal((await store.sql("select count(*) as n from trials"))[0].n, 0);
 * store.close();
 * ```
 */
export class Store {
  /** The store root: `runs/<run id>/` below it, the analytics cache in `.cache/`. */
  readonly root: string;
  /**
   * The run directories (events, manifests, locks).
   *
   * @internal
   */
  readonly runs: RunStore;
  readonly #options: StoreOptions;
  #analytics?: Analytics;
  #pending: Promise<unknown> = Promise.resolve();

  private constructor(runs: RunStore, options: StoreOptions) {
    this.runs = runs;
    this.root = runs.root;
    this.#options = options;
  }

  /** Open the store at `root` (nothing is written until a run is planned). */
  static open(root: string, options: StoreOptions = {}): Store {
    return new Store(new RunStore(root, { segmentBytes: options.segmentBytes }), options);
  }

  /**
   * How the analytics database is bounded (the project's `[analytics]`).
   *
   * @internal
   */
  get analyticsOptions(): AnalyticsOptions {
    return { ...this.#options.analytics };
  }

  /**
   * The analytics database, brought up to date with the event files.
   *
   * @internal
   */
  analytics(): Promise<Analytics> {
    // One open and one refresh at a time: callers that ask together share them.
    const next = this.#pending.then(async () => {
      if (this.#analytics === undefined) {
        // What ran before in this process (a run's execution: hundreds of MB at a million
        // trials) is mostly garbage V8 collects only when JavaScript allocates, and a build
        // allocates in DuckDB: collected first, it is not held through the build.
        collectGarbage();
        this.#analytics = await Analytics.open(this.root, this.#options.analytics);
      } else {
        await this.#analytics.refresh();
      }
      return this.#analytics;
    });
    this.#pending = next.catch(() => undefined);
    return next;
  }

  /**
   * Bring the analytics cache up to date unless another process holds it (then the next query
   * does); a run calls this as it ends (with `collect`: its memory is garbage by then, collected
   * before the build as in analytics()) and while it writes. Returns false when the cache was
   * busy.
   *
   * @internal
   */
  warmAnalytics(options: { collect?: boolean } = {}): Promise<boolean> {
    // In line with analytics(): one open or refresh at a time in this process.
    const next = this.#pending.then(async () => {
      if (options.collect) collectGarbage();
      if (this.#analytics !== undefined) {
        await this.#analytics.refresh();
        return true;
      }
      return await Analytics.warm(this.root, this.#options.analytics);
    });
    this.#pending = next.catch(() => undefined);
    return next;
  }

  /** Answer a read-only SQL query over the projections; rows as plain objects. */
  async sql(query: string): Promise<Row[]> {
    return await (await this.analytics()).sql(query);
  }

  /** Release the analytics database (its file lock). */
  close(): void {
    this.#analytics?.close();
    this.#analytics = undefined;
  }
}
