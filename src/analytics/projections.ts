/**
 * The tables and views of the analytics cache (DESIGN §6). Bump PROJECTION_VERSION when any of
 * them changes shape: caches built by another version rebuild themselves. docs/sql.md
 * documents every table and column.
 */
import { type Column, createTableSql, type Projection } from "./_projection.ts";
import { FACT_PROJECTIONS } from "./projections_facts.ts";
import { outcomes, trials, workItems } from "./projections_status.ts";
import { MANIFEST_TABLE_NAMES, MANIFEST_TABLES, PLAN_TABLE_NAMES } from "./manifest_tables.ts";

export { type Column, createTableSql, type Projection } from "./_projection.ts";
import { VIEWS } from "./views.ts";
export { VIEWS };
export { FACT_PROJECTIONS } from "./projections_facts.ts";

/** Version of the cache's definitions; a cache built by another version is rebuilt. */
export const PROJECTION_VERSION = 5;

/** Every event of every run, with the fields the views read (the facts are in their tables). */
export const eventsTable: { name: string; description: string; columns: ReadonlyArray<Column> } = {
  name: "events",
  description: "one row per event of every run (envelope and the fields views read)",
  columns: [
    ["v", "integer", "event version"],
    ["seq", "bigint", "sequence number in the run"],
    ["ts", "timestamptz", "when it was recorded"],
    ["run", "varchar", "run id"],
    ["type", "varchar", "event type (docs/events.md)"],
    ["trial", "varchar", "trial id (stage events)"],
    ["cand", "varchar", "candidate id (stage events)"],
    ["overlay", "varchar", "`gen`, `tf:<parse hash>` or `ev:<score hash>`"],
    ["file", "varchar", "segment holding the event (`runs/<run>/events/…`)"],
    ["name", "varchar", "parse or score name; metric of a judge call"],
    ["kind", "varchar", "`invalid` or `error` (failed parses and scores)"],
    ["code", "varchar", "error code (failures, retries, circuits)"],
    ["message", "varchar", "error message"],
    ["retryable", "boolean", "whether the policy retries the error"],
    ["attempt", "integer", "attempt number (generations and retries)"],
    ["latency_ms", "double", "wall time of a generation or judge call"],
    ["delay_ms", "double", "backoff before the next attempt (retries)"],
    ["executor", "varchar", "`pool`, `inline` or `import` (run.started)"],
    ["source", "varchar", "`import` for imported facts"],
    ["bundle", "varchar", "the bundle imported facts came from"],
    ["invalid", "boolean", "a score recorded with nothing to score (its parse found no answer)"],
  ],
};

/** The narrow `events` rows of the events in the temp table `ev`. */
export const EVENTS_FROM_EV = `
  select v, seq, ts, run, type, trial, cand, overlay, file,
    coalesce(data.name, data.metric) as name, data.kind as kind,
    coalesce(data.error.code, data.code) as code,
    coalesce(data.error.message, data.message) as message, data.error.retryable as retryable,
    case when type like 'generation.%' then try_cast(data.attempts as integer)
         when type = 'attempt.retried' then data.attempt::integer end as attempt,
    data.latency_ms as latency_ms, data.delay_ms as delay_ms, data.executor as executor,
    data.source as source, data.bundle as bundle, data.invalid as invalid
  from ev`;

/** Bookkeeping: the version, and exactly what was read of each file. */
export const BASE_TABLES = `
create table if not exists meta (key varchar primary key, value varchar);
create table if not exists sources (
  file varchar primary key, run varchar, kind varchar, bytes bigint, mtime double,
  sha256 varchar
);
${MANIFEST_TABLES}`;

/** The derived projections, in build order (a projection reads only those before it). */
export const PROJECTIONS: ReadonlyArray<Projection> = [trials, outcomes, workItems];

/** Tables a rebuild drops and creates again. */
export const REBUILT_TABLES = [
  "sources",
  "events",
  ...MANIFEST_TABLE_NAMES,
  ...PLAN_TABLE_NAMES,
  ...FACT_PROJECTIONS.map((p) => p.name),
  ...PROJECTIONS.map((p) => p.name),
];

/** Every table and view `docs/sql.md` documents, with its columns. */
export const DOCUMENTED: ReadonlyArray<
  { name: string; description: string; columns: ReadonlyArray<Column>; view?: boolean }
> = [
  eventsTable,
  ...FACT_PROJECTIONS.filter((p) => p.name !== "v1_trials"),
  ...PROJECTIONS,
  ...VIEWS.map((v) => ({ ...v, view: true })),
];

/** `create table` of every table but the base ones. */
export function createDataTablesSql(): string {
  return [eventsTable, ...FACT_PROJECTIONS, ...PROJECTIONS].map(createTableSql).join(";\n");
}
