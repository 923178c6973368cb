/**
 * The projections over the store's events and manifests (DESIGN §6), in build order. Bump
 * PROJECTION_VERSION when any of them (or the base tables) changes shape: caches built by
 * another version rebuild themselves. docs/sql.md documents every table and column.
 */
import type { Projection } from "./_projection.ts";
import { candidates, judgeCalls, parses, runTrials, scores, trials } from "./projections_facts.ts";
import { failures, outcomes, runs, timeline, workItems } from "./projections_status.ts";
import { MANIFEST_TABLE_NAMES, MANIFEST_TABLES } from "./manifest_tables.ts";

export { type Column, createTableSql, type Projection } from "./_projection.ts";

/** Version of the projection definitions; a cache built by another version is rebuilt. */
export const PROJECTION_VERSION = 2;

/** Explicit column types of an event line, for `read_json`. */
export const EVENT_COLUMNS = `{v: 'INTEGER', seq: 'BIGINT', ts: 'VARCHAR', run: 'VARCHAR', ` +
  `type: 'VARCHAR', trial: 'VARCHAR', cand: 'VARCHAR', overlay: 'VARCHAR', data: 'JSON'}`;

/** The raw events, the manifests' tables and the bookkeeping of what the cache holds. */
export const BASE_TABLES = `
create table if not exists meta (key varchar primary key, value varchar);
create table if not exists sources (file varchar primary key, bytes bigint not null);
create table if not exists events (
  v integer, seq bigint, ts varchar, run varchar, type varchar,
  trial varchar, cand varchar, overlay varchar, data json
);
${MANIFEST_TABLES}`;

/** Tables a version change drops (meta stays: it records the version). */
export const BASE_TABLE_NAMES = ["sources", "events", ...MANIFEST_TABLE_NAMES];

/** `select` of a file's events with explicit columns. */
export function readEventsSql(path: string): string {
  const quoted = path.replaceAll("'", "''");
  return `select v, seq, ts, run, type, trial, cand, overlay, data from read_json('${quoted}', ` +
    `format = 'newline_delimited', columns = ${EVENT_COLUMNS}, maximum_object_size = 1073741824)`;
}

/** The projections, in build order (a projection reads only those before it). */
export const PROJECTIONS: ReadonlyArray<Projection> = [
  trials,
  runTrials,
  candidates,
  parses,
  scores,
  judgeCalls,
  outcomes,
  failures,
  timeline,
  runs,
  workItems,
];
