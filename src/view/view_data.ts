/**
 * What the view reads: the store's run directories, and its own analytics cache behind one
 * query lane. `version` counts refreshes, so answers can be cached per version.
 */
import { Analytics, type AnalyticsOptions } from "../analytics/analytics.ts";
import type { Database, Row, SqlParams } from "../analytics/duckdb.ts";
import { ThemisError } from "../core/errors.ts";
import type { RunManifest } from "../plan/manifest.ts";
import { Store } from "../orchestrator/store.ts";
import { parseManifestHead } from "../results/load_result.ts";
import type { ResultScope } from "../results/_scope.ts";
import { storePaths } from "../store/paths.ts";
import { PRIORITY, type Priority, QueryLane } from "./query_lane.ts";
import { prepareViewCache } from "./view_cache.ts";

// A run id names a folder of runs/: nothing that could climb out of it.
const RUN_ID = /^[A-Za-z0-9_-]+$/;

/** What a task on the lane may use: trusted queries, and users' read-only ones. */
export type LaneAnalytics = Pick<Analytics, "all" | "query" | "exportQuery" | "root">;

/** How the view opens a store. */
export interface ViewDataOptions {
  /** DuckDB bounds (the project's `[analytics]`); the cache file is always the view's own. */
  analytics?: AnalyticsOptions;
}

/**
 * The store as the view reads it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ViewData } from "./view_data.ts";
 * const data = await ViewData.open(await Deno.makeTempDir());
 * await data.refresh();
 * assert.equal(data.version, 1);
 * assert.deepEqual(await data.session((a) => a.all("select count(*) as n from runs")), [{ n: 0 }]);
 * await data.close();
 * ```
 */
export class ViewData {
  readonly root: string;
  readonly store: Store;
  readonly lane = new QueryLane();
  readonly seeded: boolean;
  readonly #analytics: Analytics;
  /** Statistics read on a connection of their own, so pages never wait behind them. */
  readonly #background = new QueryLane();
  #backgroundDb?: Promise<Database>;
  readonly #manifests = new Map<string, { stamp: string; manifest: RunManifest }>();
  #version = 0;

  private constructor(store: Store, analytics: Analytics, seeded: boolean) {
    this.root = store.root;
    this.store = store;
    this.#analytics = analytics;
    this.seeded = seeded;
  }

  /** Open the view's cache (seeded from the shared one when possible); no refresh yet. */
  static async open(root: string, options: ViewDataOptions = {}): Promise<ViewData> {
    const { file, seeded } = await prepareViewCache(root);
    const analytics = await Analytics.open(root, {
      ...options.analytics,
      // Its own spill folder too: DuckDB clears its temporary folder when it closes.
      tempDirectory: options.analytics?.tempDirectory ?? `${storePaths.cache(root)}/view-tmp`,
      file,
      refresh: false,
      memoryFallback: false,
    });
    return new ViewData(Store.open(root), analytics, seeded);
  }

  /** Refreshes done so far (0 until the first one finishes). */
  get version(): number {
    return this.#version;
  }

  /** Bring the cache up to date with the run directories (the lane's refresh priority). */
  async refresh(): Promise<void> {
    await this.lane.run(PRIORITY.refresh, () => this.#analytics.refresh());
    this.#version++;
  }

  /** Run `task` with the database to itself: its queries see one state of the store. */
  session<T>(
    task: (analytics: LaneAnalytics) => Promise<T>,
    priority: Priority = PRIORITY.interactive,
  ): Promise<T> {
    return this.lane.run(priority, () => task(this.#analytics));
  }

  /**
   * One trusted query for background statistics (the worker's): on a second connection, one at
   * a time, alongside the pages' queries; it sees the last committed refresh.
   */
  backgroundQuery(sql: string, params: SqlParams): Promise<Row[]> {
    return this.#background.run(PRIORITY.interactive, async () => {
      this.#backgroundDb ??= this.#analytics.db.connect();
      return await (await this.#backgroundDb).all(sql, params);
    });
  }

  /** Run ids of the store, sorted. */
  runIds(): Promise<string[]> {
    return this.store.runs.listRunIds();
  }

  /** A run's manifest without its trial list, read again only when the file changed. */
  async manifest(runId: string): Promise<RunManifest> {
    const path = storePaths.manifest(this.root, runId);
    let stamp: string;
    try {
      if (!RUN_ID.test(runId)) throw new Error("not a run id");
      const info = await Deno.stat(path);
      stamp = `${info.size}@${info.mtime?.getTime()}`;
    } catch {
      throw new ThemisError(
        "RUN_NOT_FOUND",
        `No run "${runId}" in the store at ${this.root}: pick one on the runs page`,
        { runId, root: this.root },
      );
    }
    const known = this.#manifests.get(runId);
    if (known?.stamp === stamp) return known.manifest;
    const manifest = parseManifestHead(await Deno.readTextFile(path), path);
    this.#manifests.set(runId, { stamp, manifest });
    return manifest;
  }

  /** The result scope of a run for results functions, with the lane's analytics. */
  async scope(runId: string, analytics: Pick<Analytics, "all" | "root">): Promise<ResultScope> {
    return { runId, manifest: await this.manifest(runId), analytics };
  }

  /** Stop running queries, refuse waiting ones, release the cache. */
  async close(): Promise<void> {
    const closing = new ThemisError("CANCELLED", "The view is shutting down");
    const drained = Promise.all([this.#background.drain(closing), this.lane.drain(closing)]);
    // A statistics query over a million trials runs for many seconds: do not wait for it.
    (await this.#backgroundDb)?.interrupt();
    this.#analytics.db.interrupt();
    await drained;
    (await this.#backgroundDb)?.close();
    this.#analytics.close();
  }
}
