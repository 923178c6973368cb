/**
 * The plans of the store's runs, read from each `manifest.json` into tables the projections
 * join: runs, the parses and scores of each slice, every planned candidate, and the price
 * table when the manifest records one.
 */
import { join } from "node:path";
import { errorMessage, ThemisError } from "../core/errors.ts";
import { storePaths } from "../store/paths.ts";
import type { Database } from "./duckdb.ts";
import { sqlString } from "./_projection.ts";

/** Tables filled from manifests (created with the base tables). */
export const MANIFEST_TABLES = `
create table if not exists manifest_sources (
  run varchar primary key, size bigint not null, mtime double not null
);
create table if not exists manifest_runs (
  run varchar, kind varchar, benchmark_id varchar, project_name varchar, global_seed bigint,
  planned_trials bigint, planned_candidates bigint, planned_parses bigint, planned_scores bigint
);
create table if not exists manifest_stages (
  run varchar, task varchar, stage varchar, hash varchar, name varchar, parse_hash varchar,
  reduction varchar, k integer, metrics json
);
create table if not exists manifest_candidates (
  run varchar, trial varchar, task varchar, model varchar, prompt varchar, params integer,
  item varchar, cand varchar, sample integer
);
create table if not exists manifest_prices (
  run varchar, model_id varchar, input_per_million double, output_per_million double
);
`;

/** Names of the manifest tables, for resets. */
export const MANIFEST_TABLE_NAMES = [
  "manifest_sources",
  "manifest_runs",
  "manifest_stages",
  "manifest_candidates",
  "manifest_prices",
];

/** A manifest file as found on disk. */
export interface ManifestFile {
  run: string;
  path: string;
  size: number;
  mtime: number;
}

/** Every run directory's manifest, sorted by run id. */
export async function listManifests(root: string): Promise<ManifestFile[]> {
  const out: ManifestFile[] = [];
  let entries: Deno.DirEntry[] = [];
  try {
    entries = await Array.fromAsync(Deno.readDir(storePaths.runs(root)));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  for (const entry of entries) {
    if (!entry.isDirectory) continue;
    const path = join(storePaths.runs(root), entry.name, "manifest.json");
    try {
      const stat = await Deno.stat(path);
      out.push({ run: entry.name, path, size: stat.size, mtime: stat.mtime?.getTime() ?? 0 });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return out.sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : 0));
}

const TRIAL_TYPE = "STRUCT(trial VARCHAR, task VARCHAR, model VARCHAR, prompt VARCHAR, " +
  "params INTEGER, item VARCHAR, candidates VARCHAR[])[]";

function readManifestSql(file: ManifestFile): string {
  return `read_json(${sqlString(file.path)}, format = 'unstructured', records = true,
    maximum_object_size = ${Math.max(file.size + 1024, 16 << 20)},
    columns = {project: 'JSON', source: 'JSON', experiment: 'JSON', parses: 'JSON',
      scores: 'JSON', counts: 'JSON', trials: '${TRIAL_TYPE}'})`;
}

/** Remove a run's manifest rows (its manifest changed or vanished). */
export async function forgetManifest(db: Database, run: string): Promise<void> {
  for (const table of MANIFEST_TABLE_NAMES) {
    await db.run(`delete from ${table} where run = ?`, [run]);
  }
}

/**
 * Read one manifest into the manifest tables (replacing the run's earlier rows).
 *
 * @example
 * ```ts
 * // for (const m of await listManifests(root)) await loadManifest(db, m);
 * ```
 */
export async function loadManifest(db: Database, file: ManifestFile): Promise<void> {
  await forgetManifest(db, file.run);
  const run = sqlString(file.run);
  try {
    await db.run(`create or replace temp table m as select * from ${readManifestSql(file)}`);
  } catch (error) {
    throw new ThemisError(
      "STORE_CORRUPT",
      `Cannot read the manifest "${file.path}": ${errorMessage(error)}. Restore it from git, ` +
        `or delete the run directory to plan the run again.`,
      { file: file.path },
      error,
    );
  }
  await db.run(`
    insert into manifest_runs select ${run}, source->>'kind',
      coalesce(experiment->>'benchmark_id', experiment->>'experiment_id'),
      project->>'project_name', (project->>'global_seed')::bigint,
      (counts->>'trials')::bigint, (counts->>'candidates')::bigint,
      (counts->>'parses')::bigint, (counts->>'scores')::bigint
    from m;
    insert into manifest_stages
      select ${run}, p->>'taskId', 'parse', p->>'hash', p->>'name', null, null, null, null
      from (select unnest(parses::json[]) as p from m)
      union all
      select ${run}, s->>'taskId', 'score', s->>'hash', s->>'name', s->>'parseHash',
        s->>'reduction', (s->>'k')::integer, s->'metrics'
      from (select unnest(scores::json[]) as s from m);
    insert into manifest_candidates
      select ${run}, t.trial, t.task, t.model, t.prompt, t.params, t.item,
        unnest(t.candidates), unnest(range(len(t.candidates)))::integer
      from (select unnest(trials) as t from m);
    insert into manifest_prices
      select ${run}, p.key, (p.value->>'input_per_million')::double,
        (p.value->>'output_per_million')::double
      from m, json_each(m.project->'pricing') as p;
    drop table m;
  `);
  await db.run(`insert or replace into manifest_sources values (?, ?, ?)`, [
    file.run,
    file.size,
    file.mtime,
  ]);
}
