/** The shapes of the cache's tables and views, and the SQL helpers their definitions share. */

/** One column: name, DuckDB type, what it holds (docs/sql.md). */
export type Column = readonly [name: string, type: string, doc: string];

/**
 * A projection of facts: one row per key (or per key and metric), the first fact winning. New
 * events' rows are inserted as they are read (from the temp table `ev`, the events with their
 * typed `data`), then only each touched key's winner is kept.
 */
export interface FactProjection {
  name: string;
  description: string;
  columns: ReadonlyArray<Column>;
  key: ReadonlyArray<string>;
  /** Columns no two kept rows share (the key, plus `metric` for scores). */
  unique: ReadonlyArray<string>;
  /** Rows of the events in `ev` (same columns as the table, in any order: inserted by name). */
  facts: string;
  /** Order of a key's rows: the first wins (all rows of the winning event are kept). */
  winner: string;
}

/**
 * A projection derived from other tables, rebuilt from scratch or recomputed for the keys a
 * refresh touched; both paths run the same `select`, so the table is identical either way.
 */
export interface Projection {
  name: string;
  description: string;
  columns: ReadonlyArray<Column>;
  /** Columns of the unit of recomputation: every row of a key derives from that key's facts. */
  key: ReadonlyArray<string>;
  /**
   * Key tuples to recompute, from the temp tables `ev` (the events read by this refresh) and
   * `changed_runs(run)` (runs whose manifest or plan was read again).
   */
  affected: string;
  /** The rows of the keys in the temp table `scope`, or of every key when absent. */
  select(scope?: string): string;
}

/** A view computed at query time from the tables: always exact, nothing to maintain. */
export interface View {
  name: string;
  description: string;
  columns: ReadonlyArray<Column>;
  select: string;
}

/**
 * `events`, or only the events of the keys in `scope`: `match` names columns both have, or is
 * a join condition between the event `e` and the key row `k`.
 */
export function eventsOf(scope: string | undefined, match: ReadonlyArray<string> | string): string {
  if (!scope) return "events";
  const on = typeof match === "string" ? `on ${match}` : `using (${match.join(", ")})`;
  return `(select e.* from events e semi join ${scope} k ${on})`;
}

/** A table, or only its rows of the keys in `scope`. */
export function rowsOf(
  table: string,
  scope: string | undefined,
  key: ReadonlyArray<string>,
): string {
  return scope ? `(select * from ${table} semi join ${scope} using (${key.join(", ")}))` : table;
}

/** `create table` with explicit column types. */
export function createTableSql(table: { name: string; columns: ReadonlyArray<Column> }): string {
  const columns = table.columns.map(([name, type]) => `${name} ${type}`).join(", ");
  return `create table ${table.name} (${columns})`;
}

/**
 * The first fact of a key wins: ordered by time, then run, then sequence, then segment file
 * (two clones that wrote the same run), so the choice is the same however files were read.
 */
export const FIRST = "ts, run, seq, file";

/** SQL string literal. */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;
