/** The only module that imports DuckDB (DESIGN §4). */
import type { DuckDBConnection, DuckDBInstance } from "npm:@duckdb/node-api@1.5.6-r.1";

// Loaded on first use: commands that never query (run --quiet, resume) skip the native library.
const duckdb = () => import("npm:@duckdb/node-api@1.5.6-r.1");
import { errorMessage, ThemisError } from "../core/errors.ts";

/** A plain row: numbers, strings, booleans, null, arrays and objects of those. */
export type Row = Record<string, unknown>;

function plain(value: unknown): unknown {
  if (typeof value === "bigint") {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    const out: Row = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

/** A value as a plain row holds it (most values need nothing done). */
const plainValue = (value: unknown): unknown =>
  value === null || (typeof value !== "object" && typeof value !== "bigint") ? value : plain(value);

/**
 * Row objects from a result's columns. DuckDB hands values over column by column far faster
 * than row by row (about 15× for a hundred thousand rows), so rows are assembled here.
 */
function rowsOf(names: readonly string[], columns: ReadonlyArray<ReadonlyArray<unknown>>): Row[] {
  const count = columns[0]?.length ?? 0;
  const rows: Row[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const row: Row = {};
    for (let j = 0; j < names.length; j++) row[names[j]] = plainValue(columns[j][i]);
    rows[i] = row;
  }
  return rows;
}

/** File formats `copyTo` writes. */
export type CopyFormat = "csv" | "parquet" | "json" | "jsonl";

/** How a database is opened: DuckDB's memory limit, threads and spill folder. */
export interface DatabaseOptions {
  readOnly?: boolean;
  /** DuckDB's `memory_limit` (`"512MB"`, `"2GB"`). */
  memoryLimit?: string;
  threads?: number;
  /** Where DuckDB spills what does not fit in memory. */
  tempDirectory?: string;
  /** false: results and inserts need not keep their order (less memory; default true). */
  preserveOrder?: boolean;
}

/** A value a query parameter may take. */
export type SqlParam = string | number | boolean | null;

/** Positional (`?`) or named (`$name`) parameters. */
export type SqlParams = SqlParam[] | Record<string, SqlParam>;

const hasParams = (params: SqlParams) =>
  Array.isArray(params) ? params.length > 0 : Object.keys(params).length > 0;

/**
 * A DuckDB database (a file, or `:memory:`) with one connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "./duckdb.ts";
 * const db = await Database.open(":memory:");
 * assert.equal((await db.all("select 1 as x"))[0].x, 1);
 * db.close();
 * ```
 */
export class Database {
  readonly #instance: DuckDBInstance;
  readonly #connection: DuckDBConnection;
  /** False for a `connect()`ed sibling: closing it leaves the database open. */
  readonly #owner: boolean;

  private constructor(instance: DuckDBInstance, connection: DuckDBConnection, owner = true) {
    this.#instance = instance;
    this.#connection = connection;
    this.#owner = owner;
  }

  /**
   * Another connection to the same database: its queries run alongside this one's and see
   * only committed data. Close it before the database it came from.
   */
  async connect(): Promise<Database> {
    return new Database(this.#instance, await this.#instance.connect(), false);
  }

  static async open(path: string, options: DatabaseOptions = {}): Promise<Database> {
    try {
      const { DuckDBInstance } = await duckdb();
      const config: Record<string, string> = {};
      if (options.readOnly) config.access_mode = "READ_ONLY";
      if (options.memoryLimit) config.memory_limit = options.memoryLimit;
      if (options.threads) config.threads = String(options.threads);
      if (options.tempDirectory) config.temp_directory = options.tempDirectory;
      // Order-preserving inserts hold whole results in memory; projections need no order.
      if (options.preserveOrder === false) config.preserve_insertion_order = "false";
      const instance = await DuckDBInstance.create(path, config);
      return new Database(instance, await instance.connect());
    } catch (error) {
      throw new ThemisError(
        "STORE_IO",
        `Cannot open the analytics database "${path}": ${errorMessage(error)}. It is a cache: ` +
          `delete it and it is rebuilt from the events.`,
        { file: path },
        error,
      );
    }
  }

  /** Run statements, discarding results. */
  async run(sql: string, params: SqlParams = []): Promise<void> {
    await this.#connection.run(sql, hasParams(params) ? params : undefined);
  }

  /** Run a query and return plain row objects (safe integers as numbers, times as ISO text). */
  async all(sql: string, params: SqlParams = []): Promise<Row[]> {
    const reader = await this.#connection.runAndReadAll(
      sql,
      hasParams(params) ? params : undefined,
    );
    return rowsOf(reader.deduplicatedColumnNames(), reader.getColumnsJS());
  }

  /**
   * A query's rows in chunks (about 2,048 rows each) as they come: memory holds one chunk at a
   * time, whatever the result's size.
   */
  async *stream(sql: string, params: SqlParams = []): AsyncGenerator<Row[]> {
    const { JSDuckDBValueConverter } = await duckdb();
    const result = await this.#connection.stream(sql, hasParams(params) ? params : undefined);
    const names = result.deduplicatedColumnNames();
    for (let chunk = await result.fetchChunk(); chunk; chunk = await result.fetchChunk()) {
      if (chunk.rowCount === 0) break;
      yield rowsOf(names, chunk.convertColumns(JSDuckDBValueConverter));
    }
  }

  /**
   * A query's rows and its column names and types, for printing. With `maxRows`, only that
   * many rows are read (the result streams) and `truncated` says whether more were left.
   */
  async query(
    sql: string,
    options: { maxRows?: number } = {},
  ): Promise<{ columns: string[]; types: string[]; rows: Row[]; truncated: boolean }> {
    const max = options.maxRows;
    const reader = max === undefined
      ? await this.#connection.runAndReadAll(sql)
      : await this.#connection.streamAndReadUntil(sql, max + 1);
    const rows = rowsOf(reader.deduplicatedColumnNames(), reader.getColumnsJS());
    return {
      columns: reader.columnNames(),
      types: reader.columnTypes().map((t) => t.toString()),
      rows: max === undefined ? rows : rows.slice(0, max),
      truncated: max !== undefined && rows.length > max,
    };
  }

  /** True when every statement of `sql` only reads (SELECT, EXPLAIN; checked without running). */
  async isReadOnly(sql: string): Promise<boolean> {
    const kinds = await this.statementKinds(sql);
    return kinds.length > 0 && kinds.every((k) => k === "select" || k === "explain");
  }

  /** The kind of each statement of `sql` (`select`, `explain`, `other`), without running it. */
  async statementKinds(sql: string): Promise<Array<"select" | "explain" | "other">> {
    const { StatementType } = await duckdb();
    const extracted = await this.#connection.extractStatements(sql);
    const kinds: Array<"select" | "explain" | "other"> = [];
    for (let i = 0; i < extracted.count; i++) {
      const prepared = await extracted.prepare(i);
      const type = prepared.statementType;
      prepared.destroySync();
      kinds.push(
        type === StatementType.SELECT
          ? "select"
          : type === StatementType.EXPLAIN
          ? "explain"
          : "other",
      );
    }
    return kinds;
  }

  /**
   * Write the rows of one SELECT to a file with DuckDB's COPY: `csv` (with a header),
   * `parquet`, `json` (one array) or `jsonl` (one object per line). Returns the row count.
   * The caller checks that `select` only reads.
   */
  async copyTo(select: string, path: string, format: CopyFormat): Promise<number> {
    const options = {
      csv: "FORMAT csv, HEADER true",
      parquet: "FORMAT parquet",
      json: "FORMAT json, ARRAY true",
      jsonl: "FORMAT json",
    }[format];
    const target = path.replaceAll("'", "''");
    const result = await this.#connection.run(`COPY (\n${select}\n) TO '${target}' (${options})`);
    return Number(result.rowsChanged);
  }

  /** Stop the query this connection runs, if any: it fails with DuckDB's "INTERRUPT" error. */
  interrupt(): void {
    this.#connection.interrupt();
  }

  close(): void {
    this.#connection.closeSync();
    if (this.#owner) this.#instance.closeSync();
  }
}
