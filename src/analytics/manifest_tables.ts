/**
 * The plans of the store's runs, read into tables the projections join: from each
 * `manifest.json` the run, its models, slices, parameter grids, parses, scores and prices; from
 * its plan segments (or a version 1 manifest's inline list) every planned trial.
 */
import { errorMessage, ThemisError } from "../core/errors.ts";
import type { Database } from "./duckdb.ts";
import { sqlString } from "./_projection.ts";

/** Tables filled from manifests and plans (created with the base tables). */
export const MANIFEST_TABLES = `
create table if not exists manifest_runs (
  run varchar, kind varchar, benchmark_id varchar, project_name varchar, global_seed bigint,
  planned_trials bigint, planned_candidates bigint, planned_parses bigint, planned_scores bigint
);
create table if not exists manifest_models (run varchar, model_id varchar, provider varchar);
create table if not exists manifest_tasks (
  run varchar, task varchar, dimensions json, params_index integer, params json
);
create table if not exists manifest_stages (
  run varchar, task varchar, stage varchar, hash varchar, name varchar, parse_hash varchar,
  reduction varchar, k integer, metrics json, ranges json
);
create table if not exists manifest_prices (
  run varchar, model_id varchar, input_per_million double, output_per_million double,
  batch_discount double
);
create table if not exists plan_trials (
  run varchar, trial varchar, task varchar, model varchar, prompt varchar, params integer,
  item varchar, candidates varchar[], payload json,
  messages struct(role varchar, content varchar)[], file varchar
);
create table if not exists manifest_candidates (
  run varchar, trial varchar, task varchar, model varchar, prompt varchar, params integer,
  item varchar, cand varchar, sample integer
);
`;

/** Names of the tables a run's manifest fills, for resets. */
export const MANIFEST_TABLE_NAMES = [
  "manifest_runs",
  "manifest_models",
  "manifest_tasks",
  "manifest_stages",
  "manifest_prices",
];

/** Names of the tables a run's plan fills. */
export const PLAN_TABLE_NAMES = ["plan_trials", "manifest_candidates"];

const PLAN_COLUMNS = `{trial: 'VARCHAR', task: 'VARCHAR', model: 'VARCHAR', prompt: 'VARCHAR', ` +
  `params: 'INTEGER', item: 'VARCHAR', candidates: 'VARCHAR[]', payload: 'JSON', ` +
  `messages: 'STRUCT(role VARCHAR, content VARCHAR)[]'}`;

const TRIAL_TYPE = "STRUCT(trial VARCHAR, task VARCHAR, model VARCHAR, prompt VARCHAR, " +
  "params INTEGER, item VARCHAR, candidates VARCHAR[])[]";

function readManifestSql(path: string, size: number, withTrials: boolean): string {
  return `read_json(${sqlString(path)}, format = 'unstructured', records = true,
    maximum_object_size = ${Math.max(size + 1024, 16 << 20)},
    columns = {project: 'JSON', source: 'JSON', experiment: 'JSON', parses: 'JSON',
      scores: 'JSON', counts: 'JSON'${withTrials ? `, trials: '${TRIAL_TYPE}'` : ""}})`;
}

/** Remove a run's manifest rows (its manifest changed or vanished). */
export async function forgetManifest(db: Database, run: string): Promise<void> {
  for (const table of MANIFEST_TABLE_NAMES) {
    await db.run(`delete from ${table} where run = ?`, [run]);
  }
}

/** Remove a run's plan rows. */
export async function forgetPlan(db: Database, run: string): Promise<void> {
  for (const table of PLAN_TABLE_NAMES) await db.run(`delete from ${table} where run = ?`, [run]);
}

/**
 * Read one manifest into the manifest tables (replacing the run's earlier rows). A version 1
 * manifest also lists the run's trials: those go to the plan tables.
 */
export async function loadManifest(
  db: Database,
  file: { run: string; path: string; size: number; v1Trials: boolean },
): Promise<void> {
  await forgetManifest(db, file.run);
  const run = sqlString(file.run);
  try {
    await db.run(
      `create or replace temp table m as select * from ${
        readManifestSql(file.path, file.size, file.v1Trials)
      }`,
    );
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
    insert into manifest_models
      select ${run}, x->>'model_id', x->>'provider'
      from (select unnest((experiment->'models')::json[]) as x from m);
    insert into manifest_tasks
      select ${run}, t->>'task_id', t->'dimensions', (g.i - 1)::integer, g.p
      from (select unnest((experiment->'tasks')::json[]) as t from m),
        unnest((t->'inference')::json[]) with ordinality as g(p, i);
    insert into manifest_stages
      select ${run}, p->>'taskId', 'parse', p->>'hash', p->>'name', null, null, null, null,
        null
      from (select unnest(parses::json[]) as p from m)
      union all
      select ${run}, s->>'taskId', 'score', s->>'hash', s->>'name', s->>'parseHash',
        s->>'reduction', (s->>'k')::integer, s->'metrics', s->'ranges'
      from (select unnest(scores::json[]) as s from m);
    insert into manifest_prices
      select ${run}, p.key, (p.value->>'input_per_million')::double,
        (p.value->>'output_per_million')::double, (p.value->>'batch_discount')::double
      from m, json_each(m.project->'pricing') as p;
  `);
  if (file.v1Trials) {
    await forgetPlan(db, file.run);
    await db.run(`
      insert into plan_trials
        select ${run}, t.trial, t.task, t.model, t.prompt, t.params, t.item, t.candidates,
          null, null, ${sqlString(file.path)}
        from (select unnest(trials) as t from m);
    `);
    await fillCandidates(db, file.run);
  }
  await db.run(`drop table m`);
}

/** Read a run's plan segments into the plan tables (replacing the run's earlier rows). */
export async function loadPlan(
  db: Database,
  run: string,
  o: { files: string[]; root: string },
): Promise<void> {
  const files = o.files;
  await forgetPlan(db, run);
  if (files.length === 0) return;
  const list = `[${files.map(sqlString).join(", ")}]`;
  try {
    await db.run(`
      insert into plan_trials
        select ${sqlString(run)}, trial, task, model, prompt, params, item, candidates, payload,
          messages, replace(filename, ${sqlString(o.root + "/")}, '')
        from read_json(${list}, format = 'newline_delimited', columns = ${PLAN_COLUMNS},
          filename = true, maximum_object_size = 33554432)`);
  } catch (error) {
    throw new ThemisError(
      "STORE_CORRUPT",
      `Cannot read the plan of run ${run}: ${errorMessage(error)}. Restore the run's plan/ ` +
        `folder from git, or delete the run directory to plan the run again.`,
      { run },
      error,
    );
  }
  await fillCandidates(db, run);
}

async function fillCandidates(db: Database, run: string): Promise<void> {
  // Two unnests in one select list go in step (the lists have the same length); a lateral
  // `unnest … with ordinality` gives the same rows 10–30 times slower (1 s for 100k trials).
  await db.run(
    `insert into manifest_candidates
      select run, trial, task, model, prompt, params, item, unnest(candidates),
        unnest(range(len(candidates)))::integer
      from plan_trials
      where run = ?`,
    [run],
  );
}
