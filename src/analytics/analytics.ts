import { errorMessage, isThemisError, ThemisError } from "../core/errors.ts";
import { storePaths } from "../store/paths.ts";
import { extname, join, resolve } from "node:path";
import { type CopyFormat, Database, type Row, type SqlParams } from "./duckdb.ts";
import { BASE_TABLES } from "./projections.ts";
import { refreshCache, type RefreshReport } from "./refresh.ts";

export type { RefreshReport } from "./refresh.ts";

/** DuckDB's memory bound unless the project sets one: the cache stays bounded at any size. */
export const DEFAULT_MEMORY_LIMIT = "512MB";

/** How the analytics database may use the machine (the project's `[analytics]`). */
export interface AnalyticsOptions {
  /** DuckDB `memory_limit` (default 512MB); what does not fit spills to `tempDirectory`. */
  memoryLimit?: string;
  /** DuckDB threads (default: the machine's cores). */
  threads?: number;
  /** Spill folder (default `<store>/.cache/duckdb-tmp`). */
  tempDirectory?: string;
  /** The cache file (default `<store>/.cache/analytics.duckdb`; `themis view` keeps its own). */
  file?: string;
}

const COPY_FORMATS: Record<string, CopyFormat> = {
  ".csv": "csv",
  ".parquet": "parquet",
  ".json": "json",
  ".jsonl": "jsonl",
};

/**
 * The analytics database of a store: DuckDB projections over every run's events, cached in
 * `<store>/.cache/analytics.duckdb` and refreshed incrementally as event files grow.
 * Deleting the cache loses nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Analytics } from "./analytics.ts";
 * const analytics = await Analytics.open(await Deno.makeTempDir());
 * assert.ok(Array.isArray(await analytics.sql("select * from runs")));
 * analytics.close();
 * ```
 */
export class Analytics {
  readonly root: string;
  readonly db: Database;
  readonly #cacheDir: string;
  /** The project's DuckDB threads, if it set them. */
  readonly #threads: number | undefined;

  private constructor(root: string, db: Database, cacheDir: string, threads?: number) {
    this.root = root;
    this.db = db;
    this.#cacheDir = cacheDir;
    this.#threads = threads;
  }

  /**
   * Open the cache and refresh it. When another process holds the cache file, build a copy in
   * memory instead, or with `memoryFallback: false` fail with `STORE_LOCKED`.
   */
  static async open(
    storeRoot: string,
    options: AnalyticsOptions & {
      refresh?: boolean;
      memoryFallback?: boolean;
      profile?: (step: string, ms: number) => void;
    } = {},
  ): Promise<Analytics> {
    const analytics = await Analytics.#open(storeRoot, options, false);
    return analytics!;
  }

  /**
   * Bring the cache file up to date when no other process holds it (a run does this as it
   * ends, so the first query after it is fast); false when the file was busy.
   */
  static async warm(storeRoot: string, options: AnalyticsOptions = {}): Promise<boolean> {
    const analytics = await Analytics.#open(storeRoot, options, true);
    analytics?.close();
    return analytics !== undefined;
  }

  static async #open(
    storeRoot: string,
    options: AnalyticsOptions & {
      refresh?: boolean;
      memoryFallback?: boolean;
      profile?: (step: string, ms: number) => void;
    },
    onlyIfFree: boolean,
  ): Promise<Analytics | undefined> {
    const root = resolve(storeRoot);
    const cacheDir = storePaths.cache(root);
    await Deno.mkdir(cacheDir, { recursive: true });
    const settings = {
      memoryLimit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
      threads: options.threads,
      tempDirectory: options.tempDirectory ?? join(cacheDir, "duckdb-tmp"),
      preserveOrder: false,
    };
    const file = options.file ?? storePaths.analytics(root);
    let db: Database;
    try {
      db = await Database.open(file, settings);
    } catch (error) {
      // Another process holds the cache file: build a private copy in memory instead.
      if (!/lock/i.test(errorMessage(error))) throw error;
      if (onlyIfFree) return undefined;
      if (options.memoryFallback === false) {
        throw new ThemisError(
          "STORE_LOCKED",
          `Another process holds the analytics cache "${file}": stop that process first`,
          { file, cause: errorMessage(error) },
          error,
        );
      }
      db = await Database.open(":memory:", settings);
    }
    const analytics = new Analytics(root, db, cacheDir, options.threads);
    try {
      await db.run(BASE_TABLES);
      if (options.refresh !== false) await analytics.refresh({ profile: options.profile });
    } catch (error) {
      db.close();
      throw error;
    }
    return analytics;
  }

  /**
   * Bring the projections up to date with the run directories (see `refreshCache`): grown
   * event files and new manifests update the keys they touch; a shrunk or deleted file or a
   * new projection version rebuilds from scratch.
   */
  async refresh(
    options: { profile?: (step: string, ms: number) => void } = {},
  ): Promise<RefreshReport> {
    const refresh = () =>
      refreshCache(this.db, { root: this.root, cacheDir: this.#cacheDir, ...options });
    try {
      return await refresh();
    } catch (error) {
      // DuckDB's joins and windows hold a share of the memory bound per thread: a build that
      // does not fit (a million trials in 512 MB) is rolled back and done again on one thread,
      // slower but within the bound, rather than failing the command.
      if (!/out of memory/i.test(errorMessage(error))) throw error;
      await this.db.run("set threads = 1");
      try {
        return await refresh();
      } finally {
        await this.db.run("reset threads");
        if (this.#threads !== undefined) await this.db.run(`set threads = ${this.#threads}`);
      }
    }
  }

  /** Internal queries (trusted SQL, parameters allowed). */
  all(sql: string, params: SqlParams = []): Promise<Row[]> {
    return this.db.all(sql, params);
  }

  /** Internal queries whose rows come in chunks of about 2,048 as DuckDB produces them. */
  stream(sql: string, params: SqlParams = []): AsyncGenerator<Row[]> {
    return this.db.stream(sql, params);
  }

  /** A user's query: read-only (SELECT/EXPLAIN), rows as plain objects. */
  async sql(query: string): Promise<Row[]> {
    return (await this.query(query)).rows;
  }

  async #checkReadOnly(query: string): Promise<Array<"select" | "explain" | "other">> {
    let kinds: Array<"select" | "explain" | "other">;
    try {
      kinds = await this.db.statementKinds(query);
    } catch (error) {
      const reason = errorMessage(error).replace(/^Failed to extract statements: /, "");
      throw new ThemisError("SQL_INVALID", `Invalid SQL: ${reason}`, { query });
    }
    if (kinds.length === 0) {
      throw new ThemisError("SQL_INVALID", "The query is empty: write a SELECT", { query });
    }
    if (kinds.some((k) => k === "other")) {
      throw new ThemisError(
        "SQL_READ_ONLY",
        "themis sql only reads: use SELECT (or EXPLAIN). The projections are derived from the " +
          "events and rebuilt at will, so writing to them would be lost anyway; to save rows " +
          "to a file, use --out (csv, parquet, json).",
        { query },
      );
    }
    return kinds;
  }

  /**
   * Write the rows of one read-only SELECT to `path` (`.csv`, `.parquet`, `.json` or
   * `.jsonl`, by its extension) with DuckDB's COPY; returns the number of rows written.
   */
  async exportQuery(query: string, path: string): Promise<number> {
    const format = COPY_FORMATS[extname(path).toLowerCase()];
    if (format === undefined) {
      throw new ThemisError(
        "USAGE",
        `Cannot write "${path}": the file must end in ${Object.keys(COPY_FORMATS).join(", ")}`,
        { file: path },
      );
    }
    const kinds = await this.#checkReadOnly(query);
    if (kinds.length !== 1 || kinds[0] !== "select") {
      throw new ThemisError(
        "SQL_INVALID",
        "Only one SELECT can be written to a file: remove the other statements",
        { query },
      );
    }
    try {
      return await this.db.copyTo(query.trim().replace(/;+\s*$/, ""), path, format);
    } catch (error) {
      throw new ThemisError("SQL_INVALID", `Query failed: ${errorMessage(error)}`, { query });
    }
  }

  /** A user's query with its column names and types (at most `maxRows` rows when given). */
  async query(
    query: string,
    options: { maxRows?: number } = {},
  ): Promise<{ columns: string[]; types: string[]; rows: Row[]; truncated: boolean }> {
    await this.#checkReadOnly(query);
    try {
      return await this.db.query(query, options);
    } catch (error) {
      if (isThemisError(error)) throw error;
      throw new ThemisError("SQL_INVALID", `Query failed: ${errorMessage(error)}`, { query });
    }
  }

  close(): void {
    this.db.close();
  }
}
