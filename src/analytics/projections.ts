/**
 * The projections over the store's events and plans (DESIGN §6), in build order, and the views
 * computed at query time. Bump PROJECTION_VERSION when any of them (or the base tables) changes
 * shape: caches built by another version rebuild themselves. docs/sql.md documents every table
 * and column.
 */
import type { Projection } from "./_projection.ts";
import { dataStructType } from "./event_columns.ts";
import { candidates, judgeCalls, parses, scores, trials } from "./projections_facts.ts";
import { outcomes, workItems } from "./projections_status.ts";
import { MANIFEST_TABLE_NAMES, MANIFEST_TABLES, PLAN_TABLE_NAMES } from "./manifest_tables.ts";

export { type Column, createTableSql, type Projection } from "./_projection.ts";
export { VIEWS } from "./views.ts";

/** Version of the projection definitions; a cache built by another version is rebuilt. */
export const PROJECTION_VERSION = 4;

/** The raw events (typed), the plans' tables and the bookkeeping of what the cache read. */
export const BASE_TABLES = `
create table if not exists meta (key varchar primary key, value varchar);
create table if not exists sources (
  file varchar primary key, run varchar, kind varchar, bytes bigint, mtime double,
  sha256 varchar
);
create table if not exists events (
  v integer, seq bigint, ts timestamptz, run varchar, type varchar, trial varchar, cand varchar,
  overlay varchar, data ${dataStructType()}, file varchar
);
${MANIFEST_TABLES}`;

/** Tables a version change drops (meta stays: it records the version). */
export const BASE_TABLE_NAMES = [
  "sources",
  "events",
  ...MANIFEST_TABLE_NAMES,
  ...PLAN_TABLE_NAMES,
];

/** The materialized projections, in build order (a projection reads only those before it). */
export const PROJECTIONS: ReadonlyArray<Projection> = [
  trials,
  candidates,
  parses,
  scores,
  judgeCalls,
  outcomes,
  workItems,
];
