/** The per-item table of a report, and the candidate timelines it opens. */
import { readCandidateEvents } from "../../store/read_segments.ts";
import { byTime } from "../candidate_timeline.ts";
import type { Json } from "../../core/json.ts";
import type { ChatMessage } from "../../plugins/types.ts";
import { trialsIn } from "../aggregate_sql.ts";
import type { ResultScope } from "../_scope.ts";
import { readTrialRecords } from "../trial_records.ts";
import { readSummaries } from "../trial_summaries.ts";

/** One row of the per-item table. */
export interface ReportItemRow {
  trial: string;
  model: string;
  slice: string;
  promptVariant: string;
  itemId: string;
  status: string;
  /** The trial's value of the report's metric. */
  value: number | null;
  /** Candidate ids, by sample. */
  cands: string[];
}

/** A candidate's timeline as the HTML report shows it. */
export interface CompactTimeline {
  cand: string;
  trial: string;
  sample: number;
  model: string;
  slice: string;
  promptVariant: string;
  itemId: string;
  status: string;
  generatedIn: string | null;
  reusedFrom: string | null;
  prompt: ChatMessage[] | null;
  text: string | null;
  tokensIn: number | null;
  tokensOut: number | null;
  latencyMs: number | null;
  parses: Array<{ name: string; status: string; answer: Json | null; extractor: string | null }>;
  scores: Array<{ name: string; status: string; metrics: Record<string, number> }>;
  events: Array<{ ts: string; run: string; type: string; overlay: string | null; data: string }>;
}

/** The per-item table: the first `limit` trials by slice, item, model and prompt variant. */
export interface ReportItems {
  total: number;
  rows: ReportItemRow[];
  timelines: Record<string, CompactTimeline>;
}

/** The value of `metric` among a trial's `score.metric` values. */
export function pickValue(
  values: Record<string, number | null>,
  metric: string | null,
): number | null {
  if (metric === null) return null;
  const key = Object.keys(values).find((k) =>
    k === metric || k.startsWith(`${metric}.`) || k.endsWith(`.${metric}`)
  );
  return key === undefined ? null : values[key];
}

const clip = (text: string, n: number) => (text.length > n ? `${text.slice(0, n)}…` : text);

async function readTimelines(
  scope: ResultScope,
  trials: ReadonlyArray<string>,
): Promise<Record<string, CompactTimeline>> {
  const out: Record<string, CompactTimeline> = {};
  const records = await readTrialRecords(scope, trials);
  const page = await scope.analytics.all(
    `select distinct cand from work_items where run = $run and stage = 'generation'
       ${trialsIn(trials)}`,
    { run: scope.runId },
  );
  const cands = new Set(page.map((r) => String(r.cand)));
  const files = await scope.analytics.all(
    `select distinct file from events semi join (select unnest(from_json($cands, '["VARCHAR"]')) as cand)
       using (cand) order by file`,
    { cands: JSON.stringify([...cands]) },
  );
  const events = (await readCandidateEvents(
    scope.analytics.root,
    files.map((f) => String(f.file)),
    cands,
  )).sort(byTime);
  for (const t of records) {
    for (const c of t.candidates) {
      out[c.cand] = {
        cand: c.cand,
        trial: t.trial,
        sample: c.sample,
        model: t.model,
        slice: t.slice,
        promptVariant: t.promptVariant,
        itemId: t.itemId,
        status: c.status,
        generatedIn: c.run,
        reusedFrom: c.reusedFrom,
        prompt: t.messages,
        text: c.text,
        tokensIn: c.tokensIn,
        tokensOut: c.tokensOut,
        latencyMs: c.latencyMs,
        parses: c.parses.map((p) => ({
          name: p.name,
          status: p.status,
          answer: p.answer,
          extractor: p.extractor,
        })),
        scores: c.scores.map((s) => ({ name: s.name, status: s.status, metrics: s.metrics })),
        events: [],
      };
    }
  }
  for (const e of events) {
    out[e.cand!]?.events.push({
      ts: e.ts,
      run: e.run,
      type: e.type,
      overlay: e.overlay ?? null,
      data: clip(JSON.stringify(e.data), 400),
    });
  }
  return out;
}

/**
 * The first `limit` trials of the run (by slice, item, model, prompt variant, params), each
 * with its status, value of `metric` and candidate ids; with `timelines`, every candidate's
 * compact timeline too.
 */
export async function readReportItems(
  scope: ResultScope,
  options: { metric: string | null; limit: number; timelines: boolean },
): Promise<ReportItems> {
  const params = { run: scope.runId };
  const [{ n }] = await scope.analytics.all(
    `select count(distinct trial)::integer as n from work_items where run = $run`,
    params,
  );
  if (options.limit <= 0) return { total: n as number, rows: [], timelines: {} };
  const page = await scope.analytics.all(
    `select trial, list(cand order by sample) as cands from work_items
     where run = $run and stage = 'generation'
     group by trial, slice_id, item_id, model_id, prompt_variant_id, params_index
     order by slice_id, item_id, model_id, prompt_variant_id, params_index, trial
     limit ${Math.floor(options.limit)}`,
    params,
  );
  const trials = page.map((r) => r.trial as string);
  const summaries = new Map((await readSummaries(scope, trials)).map((s) => [s.trial, s]));
  const rows = page.map((r): ReportItemRow => {
    const s = summaries.get(r.trial as string)!;
    return {
      trial: s.trial,
      model: s.model,
      slice: s.slice,
      promptVariant: s.promptVariant,
      itemId: s.itemId,
      status: s.status,
      value: pickValue(s.values, options.metric),
      cands: r.cands as string[],
    };
  });
  const timelines = options.timelines ? await readTimelines(scope, trials) : {};
  return { total: n as number, rows, timelines };
}
