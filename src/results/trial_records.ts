/** The trials of a run as records: identity, candidates, outputs, parses and scores. */
import type { Row } from "../analytics/duckdb.ts";
import type { Json, JsonObject } from "../core/json.ts";
import type { ChatMessage } from "../plugins/types.ts";
import { trialsIn } from "./aggregate_sql.ts";
import type { ResultScope } from "./_scope.ts";
import { readCandidates } from "./candidate_records.ts";
import type { TrialCandidate } from "./candidate_records.ts";

export type { CandidateParse, CandidateScore, TrialCandidate } from "./candidate_records.ts";

/** Where a trial stands: nothing left to do, some work failed, or work still to run. */
export type TrialStatus = "completed" | "failed" | "pending";

/** The identity of a trial, as summaries and records share it. */
export interface TrialIdentity {
  /** The trial id. */
  trial: string;
  /** The model. */
  model: string;
  /** The slice. */
  slice: string;
  /** The prompt variant. */
  promptVariant: string;
  /** Index of the inference parameters in the slice's grid. */
  paramsIndex: number;
  /** The dataset item. */
  itemId: string;
  /** The slice's dimensions. */
  dimensions: JsonObject;
  /** Where the trial stands. */
  status: TrialStatus;
}

/** One trial of a run with everything the store knows about it. */
export interface TrialRecord extends TrialIdentity {
  /** The model's engine, when known. */
  provider: string | null;
  /** The inference parameters, when known. */
  params: JsonObject | null;
  /** The item payload (null when the project keeps payloads out of the store). */
  item: JsonObject | null;
  /** The rendered prompt (null without payloads, or before any run reached the trial). */
  messages: ChatMessage[] | null;
  /** Its candidates, sample 0 first. */
  candidates: TrialCandidate[];
}

/** Options of `iterTrials` and `iterTrialSummaries`. */
export interface IterTrialsOptions {
  /** Trials read per query (default 500). */
  pageSize?: number;
}

/** The trial ids of a run after `after`, in id order, one page. */
export async function trialPage(
  scope: ResultScope,
  after: string,
  limit: number,
): Promise<string[]> {
  const rows = await scope.analytics.all(
    `select distinct trial from work_items
     where run = $run and stage = 'generation' and trial > $after order by trial limit ${limit}`,
    { run: scope.runId, after },
  );
  return rows.map((r) => r.trial as string);
}

/** Identity rows of some trials of the run, with their status over all their work items. */
export async function readIdentities(
  scope: ResultScope,
  trials: ReadonlyArray<string>,
): Promise<Map<string, TrialIdentity & { row: Row }>> {
  const rows = await scope.analytics.all(
    `with w as (
       select trial, any_value(slice_id) as slice_id, any_value(model_id) as model_id,
         any_value(prompt_variant_id) as prompt_variant_id,
         any_value(params_index) as params_index, any_value(item_id) as item_id,
         case when bool_or(status = 'pending') then 'pending'
              when bool_or(status = 'failed') then 'failed' else 'completed' end as status,
         (count(*) filter (where stage = 'generation'))::integer as candidates
       from work_items where run = $run ${trialsIn(trials)} group by trial
     )
     select w.*, t.provider, t.params, t.dimensions, t.item, t.messages
     from w left join trials t using (trial) order by w.trial`,
    { run: scope.runId },
  );
  const dims = new Map(scope.manifest.experiment.tasks.map((t) => [t.task_id, t.dimensions]));
  return new Map(rows.map((r) => [r.trial as string, {
    trial: r.trial as string,
    model: r.model_id as string,
    slice: r.slice_id as string,
    promptVariant: r.prompt_variant_id as string,
    paramsIndex: r.params_index as number,
    itemId: r.item_id as string,
    dimensions: (json(r.dimensions) ?? dims.get(r.slice_id as string) ?? {}) as JsonObject,
    status: r.status as TrialStatus,
    row: r,
  }]));
}

/** A JSON column's value (DuckDB hands JSON over as text). */
export function json(value: unknown): Json | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? JSON.parse(value) : value as Json;
}

/** The records of some trials of the run, in trial-id order. */
export async function readTrialRecords(
  scope: ResultScope,
  trials: ReadonlyArray<string>,
): Promise<TrialRecord[]> {
  const identities = await readIdentities(scope, trials);
  const candidates = await readCandidates(scope, trials);
  return [...identities.values()].map(({ row, ...identity }) => ({
    ...identity,
    provider: (row.provider ?? null) as string | null,
    params: json(row.params) as JsonObject | null,
    item: json(row.item) as JsonObject | null,
    messages: json(row.messages) as ChatMessage[] | null,
    candidates: candidates.get(identity.trial) ?? [],
  }));
}

/**
 * Every trial of the run, in trial-id order, read a page at a time (a run of millions of
 * trials is never held in memory). Each record has the trial's identity, prompt, item, and
 * every candidate with its output, parses and scores (only the overlay's, on an overlay view).
 */
export async function* iterTrialRecords(
  scope: ResultScope,
  options: IterTrialsOptions = {},
): AsyncGenerator<TrialRecord> {
  const size = options.pageSize ?? 500;
  let after = "";
  while (true) {
    const page = await trialPage(scope, after, size);
    if (page.length === 0) return;
    yield* await readTrialRecords(scope, page);
    after = page[page.length - 1];
    if (page.length < size) return;
  }
}

/**
 * One trial of the run by id (or a unique prefix of at least 6 characters); undefined when the
 * run has no such trial.
 */
export async function getTrialRecord(
  scope: ResultScope,
  trialId: string,
): Promise<TrialRecord | undefined> {
  const ids = await scope.analytics.all(
    `select distinct trial from work_items where run = $run and stage = 'generation'
       and (trial = $id or (length($id) >= 6 and starts_with(trial, $id))) limit 2`,
    { run: scope.runId, id: trialId },
  );
  if (ids.length !== 1) return undefined;
  return (await readTrialRecords(scope, [ids[0].trial as string]))[0];
}
