/** The shape of a projection definition and the SQL helpers the definitions share. */

/** One column of a projection: name, DuckDB type, what it holds (docs/sql.md). */
export type Column = readonly [name: string, type: string, doc: string];

/**
 * A projection: a table derived from the events (and the plans), rebuilt from scratch or
 * updated for the keys that new (or removed) events touched. Both paths run the same
 * `select`, so the table is identical either way.
 */
export interface Projection {
  name: string;
  description: string;
  columns: ReadonlyArray<Column>;
  /** Columns of the unit of recomputation: every row of a key derives from that key's facts. */
  key: ReadonlyArray<string>;
  /**
   * Key tuples to recompute, from the temp tables `delta` (events added or removed, same
   * columns as `events`) and `changed_runs(run)` (runs whose manifest or plan was read again).
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

/** `create table` of a projection with its explicit column types. */
export function createTableSql(projection: { name: string; columns: ReadonlyArray<Column> }) {
  const columns = projection.columns.map(([name, type]) => `${name} ${type}`).join(", ");
  return `create table ${projection.name} (${columns})`;
}

/**
 * The first fact of a key wins: ordered by time, then run, then sequence, then segment file
 * (two clones that wrote the same run), so the choice is the same however files were read.
 */
export const FIRST = "order by ts, run, seq, file";

/** SQL string literal. */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;
