import { join } from "node:path";
import { errorMessage, isThemisError, ThemisError } from "../core/errors.ts";
import { completeLength, iterEvents } from "../store/event_log.ts";
import { storePaths } from "../store/paths.ts";
import { Database, type Row, type SqlParams } from "./duckdb.ts";
import { BASE_TABLES, PROJECTION_VERSION, PROJECTIONS, readEventsSql } from "./projections.ts";

/** What one refresh did. */
export interface RefreshReport {
  rebuilt: boolean;
  filesRead: number;
  bytesRead: number;
}

async function listEventFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(storePaths.runs(root))) {
      if (entry.isDirectory) files.push(join(storePaths.runs(root), entry.name, "events.jsonl"));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return files.sort();
}

async function sliceToTemp(file: string, from: number, to: number, dir: string): Promise<string> {
  const handle = await Deno.open(file, { read: true });
  try {
    await handle.seek(from, Deno.SeekMode.Start);
    const bytes = new Uint8Array(to - from);
    let read = 0;
    while (read < bytes.length) {
      const n = await handle.read(bytes.subarray(read));
      if (n === null) break;
      read += n;
    }
    const tmp = join(dir, `slice-${crypto.randomUUID().slice(0, 8)}.jsonl`);
    await Deno.writeFile(tmp, bytes.subarray(0, read));
    return tmp;
  } finally {
    handle.close();
  }
}

/**
 * The analytics database of a store: DuckDB projections over every run's events, cached in
 * `<store>/.cache/analytics.duckdb` and refreshed incrementally as event files grow.
 * Deleting the cache loses nothing.
 *
 * @example
 * ```ts
 * import { Analytics } from "./analytics.ts";
 * const analytics = await Analytics.open(await Deno.makeTempDir());
 * console.assert(Array.isArray(await analytics.sql("select * from runs")));
 * analytics.close();
 * ```
 */
export class Analytics {
  readonly root: string;
  readonly db: Database;
  readonly #cacheDir: string;

  private constructor(root: string, db: Database, cacheDir: string) {
    this.root = root;
    this.db = db;
    this.#cacheDir = cacheDir;
  }

  /** Open the cache (or an in-memory copy when another process holds it) and refresh it. */
  static async open(root: string, options: { refresh?: boolean } = {}): Promise<Analytics> {
    const cacheDir = storePaths.cache(root);
    await Deno.mkdir(cacheDir, { recursive: true });
    let db: Database;
    try {
      db = await Database.open(storePaths.analytics(root));
    } catch (error) {
      // Another process holds the cache file: build a private copy in memory instead.
      if (!/lock/i.test(errorMessage(error))) throw error;
      db = await Database.open(":memory:");
    }
    const analytics = new Analytics(root, db, cacheDir);
    try {
      await db.run(BASE_TABLES);
      if (options.refresh !== false) await analytics.refresh();
    } catch (error) {
      db.close();
      throw error;
    }
    return analytics;
  }

  async #version(): Promise<number> {
    const rows = await this.db.all(`select value from meta where key = 'projection_version'`);
    return rows.length ? Number(rows[0].value) : -1;
  }

  async #reset(): Promise<void> {
    await this.db.run(`delete from events; delete from sources;`);
    await this.db.run(
      `insert or replace into meta values ('projection_version', '${PROJECTION_VERSION}')`,
    );
  }

  async #load(file: string, from: number, to: number, size: number): Promise<void> {
    const direct = from === 0 && to === size;
    const source = direct ? file : await sliceToTemp(file, from, to, this.#cacheDir);
    try {
      await this.db.run(`insert into events ${readEventsSql(source)}`);
    } catch (error) {
      // Find the exact bad line with our own reader, which names file and line.
      for await (const _ of iterEvents(file)) { /* throws STORE_CORRUPT at the bad line */ }
      throw new ThemisError(
        "STORE_CORRUPT",
        `Cannot load events from "${file}": ${errorMessage(error)}`,
        { file },
        error,
      );
    } finally {
      if (!direct) await Deno.remove(source).catch(() => {});
    }
  }

  /**
   * Bring the projections up to date with the event files: new bytes of grown files are
   * appended; a file that shrank or vanished (a deleted run) or a new projection version
   * rebuilds everything from scratch.
   */
  async refresh(): Promise<RefreshReport> {
    const files = await listEventFiles(this.root);
    const known = new Map(
      (await this.db.all(`select file, bytes from sources`)).map((r) => [
        String(r.file),
        Number(r.bytes),
      ]),
    );
    const sizes = new Map<string, { complete: number; size: number }>();
    for (const file of files) {
      const length = completeLength(file);
      if (length) sizes.set(file, length);
    }
    let rebuilt = false;
    const shrunk = [...known].some(([file, bytes]) => (sizes.get(file)?.complete ?? -1) < bytes);
    if ((await this.#version()) !== PROJECTION_VERSION || shrunk) {
      await this.#reset();
      known.clear();
      rebuilt = true;
    }
    let filesRead = 0;
    let bytesRead = 0;
    for (const [file, { complete, size }] of sizes) {
      const from = known.get(file) ?? 0;
      if (complete <= from) continue;
      await this.#load(file, from, complete, size);
      await this.db.run(`insert or replace into sources values (?, ?)`, [file, complete]);
      filesRead++;
      bytesRead += complete - from;
    }
    if (rebuilt || filesRead > 0 || !(await this.#hasProjections())) {
      for (const [name, sql] of Object.entries(PROJECTIONS)) {
        await this.db.run(`create or replace table ${name} as ${sql}`);
      }
    }
    return { rebuilt, filesRead, bytesRead };
  }

  async #hasProjections(): Promise<boolean> {
    const rows = await this.db.all(
      `select count(*) as n from information_schema.tables where table_name in (${
        Object.keys(PROJECTIONS).map((n) => `'${n}'`).join(",")
      })`,
    );
    return Number(rows[0].n) === Object.keys(PROJECTIONS).length;
  }

  /** Internal queries (trusted SQL, parameters allowed). */
  all(sql: string, params: SqlParams = []): Promise<Row[]> {
    return this.db.all(sql, params);
  }

  /** A user's query: read-only (SELECT/EXPLAIN), rows as plain objects. */
  async sql(query: string): Promise<Row[]> {
    return (await this.query(query)).rows;
  }

  /** A user's query with its column names and types. */
  async query(query: string): Promise<{ columns: string[]; types: string[]; rows: Row[] }> {
    let readOnly: boolean;
    try {
      readOnly = await this.db.isReadOnly(query);
    } catch (error) {
      throw new ThemisError("SQL_INVALID", `Invalid SQL: ${errorMessage(error)}`, { query });
    }
    if (!readOnly) {
      throw new ThemisError(
        "SQL_READ_ONLY",
        "themis sql only reads: use SELECT (or EXPLAIN). The projections are derived from the " +
          "events and rebuilt at will, so writing to them would be lost anyway.",
        { query },
      );
    }
    try {
      return await this.db.query(query);
    } catch (error) {
      if (isThemisError(error)) throw error;
      throw new ThemisError("SQL_INVALID", `Query failed: ${errorMessage(error)}`, { query });
    }
  }

  close(): void {
    this.db.close();
  }
}
