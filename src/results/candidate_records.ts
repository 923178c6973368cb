/** The candidates of some trials of a run: output, parses and scores with their status. */
import type { Row } from "../analytics/duckdb.ts";
import type { Json } from "../core/json.ts";
import { sqlString, trialsIn } from "./aggregate_sql.ts";
import type { ResultScope } from "./_scope.ts";

/** Status of a work item (see the `work_items` projection). */
export type ItemStatus = "completed" | "invalid" | "failed" | "skipped" | "pending";

/** Where a work item's outcome comes from. */
export interface ItemOrigin {
  /** Where the work item stands. */
  status: ItemStatus;
  /** The run whose event decided the status (null while pending or skipped). */
  run: string | null;
  /** The other run whose completed work this run reuses. */
  reusedFrom: string | null;
  /** Why the item was skipped: `no_generation` or `no_answer`. */
  skipReason: string | null;
}

/** One parse of a candidate. */
export interface CandidateParse extends ItemOrigin {
  /** The parse hash. */
  hash: string;
  /** The parse's name. */
  name: string;
  /** The answer found, or null. */
  answer: Json | null;
  /** The extractor that found it, or null. */
  extractor: string | null;
  /** Every extractor tried: `[{extractor, ok, error?}]`. */
  attempts: Json | null;
}

/** One score of a candidate. */
export interface CandidateScore extends ItemOrigin {
  /** The score hash. */
  hash: string;
  /** The score's name. */
  name: string;
  /** The parse it reads, or null for the raw text. */
  parseHash: string | null;
  /** Metric id → value. */
  metrics: Record<string, number>;
}

/** One candidate (sample) of a trial. */
export interface TrialCandidate extends ItemOrigin {
  /** The candidate id. */
  cand: string;
  /** Its sample index. */
  sample: number;
  /** The generated text (null until generated). */
  text: string | null;
  /** Why generation stopped, when reported. */
  finishReason: string | null;
  /** Prompt tokens, when reported. */
  tokensIn: number | null;
  /** Completion tokens, when reported. */
  tokensOut: number | null;
  /** How long the call took. */
  latencyMs: number | null;
  /** Its cost from the project's prices (null without a price). */
  cost: number | null;
  /** Its parses. */
  parses: CandidateParse[];
  /** Its scores. */
  scores: CandidateScore[];
}

function origin(row: Row): ItemOrigin {
  return {
    status: row.status as ItemStatus,
    run: (row.decided_in ?? null) as string | null,
    reusedFrom: (row.reused_from ?? null) as string | null,
    skipReason: (row.skip_reason ?? null) as string | null,
  };
}

const parsed = (value: unknown): Json | null =>
  value === null || value === undefined ? null : JSON.parse(value as string);

function overlayFilter(scope: ResultScope): { parse: string; score: string } {
  const view = scope.view;
  if (view?.kind === "transform") {
    const hash = sqlString(view.hash);
    return { parse: `and w.hash = ${hash}`, score: `and w.parse_hash = ${hash}` };
  }
  if (view?.kind === "evaluation") {
    const score = scope.manifest.scores.find((s) => s.hash === view.hash);
    const parse = score?.parseHash ? `and w.hash = ${sqlString(score.parseHash)}` : "and false";
    return { parse, score: `and w.hash = ${sqlString(view.hash)}` };
  }
  return { parse: "", score: "" };
}

async function stageRows(scope: ResultScope, trials: ReadonlyArray<string>) {
  const filter = overlayFilter(scope);
  const params = { run: scope.runId };
  const where = `w.run = $run ${trialsIn(trials, "w.trial")}`;
  const gens = await scope.analytics.all(
    `select w.trial, w.cand, w.sample, w.status, w.decided_in, w.reused_from, w.skip_reason,
       c.text, c.finish_reason, c.tokens_in, c.tokens_out, c.latency_ms, c.cost
     from work_items w left join candidates c on c.cand = w.cand
     where ${where} and w.stage = 'generation' order by w.trial, w.sample`,
    params,
  );
  const parses = await scope.analytics.all(
    `select w.cand, w.hash, w.name, w.status, w.decided_in, w.reused_from, w.skip_reason,
       p.answer, p.extractor, p.attempts
     from work_items w left join parses p on p.cand = w.cand and p.parse_hash = w.hash
     where ${where} and w.stage = 'parse' ${filter.parse} order by w.cand, w.name, w.hash`,
    params,
  );
  const scores = await scope.analytics.all(
    `select w.cand, w.hash, w.name, w.parse_hash, w.status, w.decided_in, w.reused_from,
       w.skip_reason, list(s.metric order by s.metric) filter (where s.metric is not null)
         as metrics,
       list(s.value order by s.metric) filter (where s.metric is not null) as vals
     from work_items w left join scores s on s.cand = w.cand and s.score_hash = w.hash
     where ${where} and w.stage = 'score' ${filter.score}
     group by all order by w.cand, w.name, w.hash`,
    params,
  );
  return { gens, parses, scores };
}

function group<T>(rows: Row[], map: (row: Row) => T): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const key = row.cand as string;
    const list = out.get(key) ?? [];
    list.push(map(row));
    out.set(key, list);
  }
  return out;
}

/**
 * The candidates of `trials` in this run, grouped by trial and ordered by sample, each with
 * its parses and scores (only the view's overlay when the scope is an overlay view).
 */
export async function readCandidates(
  scope: ResultScope,
  trials: ReadonlyArray<string>,
): Promise<Map<string, TrialCandidate[]>> {
  const rows = await stageRows(scope, trials);
  const parses = group<CandidateParse>(rows.parses, (r) => ({
    hash: r.hash as string,
    name: r.name as string,
    ...origin(r),
    answer: parsed(r.answer),
    extractor: (r.extractor ?? null) as string | null,
    attempts: parsed(r.attempts),
  }));
  const scores = group<CandidateScore>(rows.scores, (r) => {
    const names = (r.metrics ?? []) as string[];
    const values = (r.vals ?? []) as number[];
    return {
      hash: r.hash as string,
      name: r.name as string,
      parseHash: (r.parse_hash ?? null) as string | null,
      ...origin(r),
      metrics: Object.fromEntries(names.map((n, i) => [n, values[i]])),
    };
  });
  const out = new Map<string, TrialCandidate[]>();
  for (const r of rows.gens) {
    const list = out.get(r.trial as string) ?? [];
    list.push({
      cand: r.cand as string,
      sample: r.sample as number,
      ...origin(r),
      text: (r.text ?? null) as string | null,
      finishReason: (r.finish_reason ?? null) as string | null,
      tokensIn: (r.tokens_in ?? null) as number | null,
      tokensOut: (r.tokens_out ?? null) as number | null,
      latencyMs: (r.latency_ms ?? null) as number | null,
      cost: (r.cost ?? null) as number | null,
      parses: parses.get(r.cand as string) ?? [],
      scores: scores.get(r.cand as string) ?? [],
    });
    out.set(r.trial as string, list);
  }
  return out;
}
