/** Everything the store knows about one candidate, with every event that mentions it. */
import type { Row } from "../analytics/duckdb.ts";
import { ThemisError } from "../core/errors.ts";
import type { Json, JsonObject } from "../core/json.ts";
import type { ChatMessage } from "../plugins/types.ts";
import type { ThemisEvent } from "../store/event_catalogue.ts";
import { readCandidateEvents } from "../store/read_segments.ts";
import type { ResultScope } from "./_scope.ts";
import { readCandidates, type TrialCandidate } from "./candidate_records.ts";
import { json, readIdentities } from "./trial_records.ts";

/** Where a candidate comes from. */
export interface Lineage {
  /** The run this view belongs to. */
  run: string;
  /** The run whose event holds the generation (null while pending). */
  generatedIn: string | null;
  /** Set when the generation was reused from another run. */
  reusedFrom: string | null;
  /** Every run whose events reached the trial. */
  plannedIn: string[];
  /** The trial. */
  trial: string;
  /** Its model. */
  model: string;
  /** The model's engine, when known. */
  provider: string | null;
  /** Its slice. */
  slice: string;
  /** Its prompt variant. */
  promptVariant: string;
  /** Index of its inference parameters in the slice's grid. */
  paramsIndex: number;
  /** Those parameters, when known. */
  params: JsonObject | null;
  /** The dataset item. */
  itemId: string;
  /** The slice's dimensions. */
  dimensions: JsonObject;
}

/** One call to an LLM judge while scoring the candidate. */
export interface JudgeCall {
  /** The call's id (a hash of the request: equal calls are answered once). */
  callId: string;
  /** The score it was made for. */
  scoreHash: string;
  /** The metric that made it. */
  metric: string;
  /** The judge model. */
  model: string;
  /** Its engine. */
  provider: string;
  /** The judge's prompt. */
  messages: Json;
  /** The judge's answer, or null when the call failed. */
  text: string | null;
  /** Prompt tokens, when reported. */
  tokensIn: number | null;
  /** Completion tokens, when reported. */
  tokensOut: number | null;
  /** How long the call took. */
  latencyMs: number | null;
  /** The run that made it. */
  run: string;
}

/** One recorded error or retry of the candidate's work. */
export interface TimelineError {
  /** The event type (`generation.failed`, `attempt.retried`, …). */
  type: string;
  /** The overlay it concerns (`gen`, `tf:…`, `ev:…`). */
  overlay: string;
  /** The error code, when recorded. */
  code: string | null;
  /** The error message, when recorded. */
  message: string | null;
  /** The attempt number, when recorded. */
  attempt: number | null;
  /** The run that recorded it. */
  run: string;
  /** When (ISO 8601). */
  ts: string;
}

/** The timeline of one candidate (`viewTimeline`). */
export interface CandidateTimeline {
  /** The candidate id. */
  cand: string;
  /** Its sample index. */
  sample: number;
  /** Where it comes from. */
  lineage: Lineage;
  /** The rendered prompt (null when payloads are kept out of the store). */
  prompt: ChatMessage[] | null;
  /** The dataset item's payload (null when payloads are kept out of the store). */
  item: JsonObject | null;
  /** The generation with its output, parses and scores (with status and origin). */
  candidate: TrialCandidate;
  /** Metric details by score hash and metric (prediction, reference, judge verdict, …). */
  details: Record<string, Record<string, Json>>;
  /** Every call of an LLM judge made while scoring it. */
  judgeCalls: JudgeCall[];
  /** Every recorded error and retry of its work. */
  errors: TimelineError[];
  /** Every event that mentions the candidate (and its trial's `trial.planned`), in time order. */
  events: ThemisEvent[];
}

async function resolveCandidate(
  scope: ResultScope,
  id: string,
): Promise<{ cand: string; trial: string }> {
  const rows = await scope.analytics.all(
    `select cand, trial from work_items where run = $run and stage = 'generation'
       and (cand = $id or (length($id) >= 6 and starts_with(cand, $id))) limit 2`,
    { run: scope.runId, id },
  );
  if (rows.length !== 1) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${rows.length ? "Several candidates start with" : "No candidate"} "${id}" in run ` +
        `${scope.runId}: give a full candidate id (list them with themis sql "select cand from ` +
        `work_items where run = '${scope.runId}' and stage = 'generation'")`,
      { runId: scope.runId },
    );
  }
  return { cand: rows[0].cand as string, trial: rows[0].trial as string };
}

async function readEvents(scope: ResultScope, cand: string, trial: string): Promise<ThemisEvent[]> {
  const files = await scope.analytics.all(
    `select distinct file from events
     where cand = $cand or (type = 'trial.planned' and trial = $trial) order by file`,
    { cand, trial },
  );
  const events = await readCandidateEvents(
    scope.analytics.root,
    files.map((f) => String(f.file)),
    new Set([cand]),
    new Set([trial]),
  );
  return events.sort(byTime);
}

/** Events in the order the projections use: time, run, sequence. */
export const byTime = (a: ThemisEvent, b: ThemisEvent): number =>
  a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.run < b.run ? -1 : a.run > b.run ? 1 : a.seq - b.seq;

function judgeCall(j: Row): JudgeCall {
  return {
    callId: j.call_id as string,
    scoreHash: j.score_hash as string,
    metric: j.metric as string,
    model: j.model_id as string,
    provider: j.provider as string,
    messages: json(j.messages),
    text: (j.text ?? null) as string | null,
    tokensIn: (j.tokens_in ?? null) as number | null,
    tokensOut: (j.tokens_out ?? null) as number | null,
    latencyMs: (j.latency_ms ?? null) as number | null,
    run: j.run as string,
  };
}

function timelineError(e: Row): TimelineError {
  return {
    type: e.type as string,
    overlay: e.overlay as string,
    code: (e.code ?? null) as string | null,
    message: (e.message ?? null) as string | null,
    attempt: (e.attempt ?? null) as number | null,
    run: e.run as string,
    ts: e.ts as string,
  };
}

/**
 * The timeline of one candidate of the run (full id or a unique prefix of ≥ 6 characters):
 * lineage (which runs planned, generated or reused it), prompt, item, output, parses,
 * scores with their details, judge calls, errors, and every event that mentions it.
 */
export async function readTimeline(
  scope: ResultScope,
  candidateId: string,
): Promise<CandidateTimeline> {
  const { cand, trial } = await resolveCandidate(scope, candidateId);
  const { row, ...identity } = (await readIdentities(scope, [trial])).get(trial)!;
  const candidate = (await readCandidates(scope, [trial])).get(trial)!.find((c) =>
    c.cand === cand
  )!;
  const q = (sql: string) => scope.analytics.all(sql, { cand });
  const planned = await scope.analytics.all(
    `select distinct run from run_trials where trial = $trial order by run`,
    { trial },
  );
  const details: Record<string, Record<string, Json>> = {};
  for (const d of await q(`select score_hash, metric, details from scores where cand = $cand`)) {
    (details[d.score_hash as string] ??= {})[d.metric as string] = json(d.details);
  }
  const judges = await q(`select * from judge_calls where cand = $cand order by ts, call_id`);
  const errors = await q(`select * from failures where cand = $cand order by ts, run, seq`);
  return {
    cand,
    sample: candidate.sample,
    lineage: {
      run: scope.runId,
      generatedIn: candidate.run,
      reusedFrom: candidate.reusedFrom,
      plannedIn: planned.map((r) => r.run as string),
      trial,
      model: identity.model,
      provider: (row.provider ?? null) as string | null,
      slice: identity.slice,
      promptVariant: identity.promptVariant,
      paramsIndex: identity.paramsIndex,
      params: json(row.params) as JsonObject | null,
      itemId: identity.itemId,
      dimensions: identity.dimensions,
    },
    prompt: json(row.messages) as ChatMessage[] | null,
    item: json(row.item) as JsonObject | null,
    candidate,
    details,
    judgeCalls: judges.map(judgeCall),
    errors: errors.map(timelineError),
    events: await readEvents(scope, cand, trial),
  };
}
