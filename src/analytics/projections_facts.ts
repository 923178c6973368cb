/**
 * Projections of the facts the stages record: candidates (generations), parses, scores and
 * judge calls. One row per key (scores: per key and metric), the first fact winning; `seq` and
 * `file` say which event that was.
 */
import { type FactProjection, FIRST } from "./_projection.ts";

const WHERE_FROM = [
  ["run", "varchar", "run whose event holds the fact"],
  ["ts", "timestamptz", "when it was recorded"],
  ["seq", "bigint", "sequence number of that event in its run"],
  ["file", "varchar", "segment holding that event (`runs/<run>/events/…`)"],
] as const;

/** One row per successful generation, with its cost where the run recorded prices. */
export const candidates: FactProjection = {
  name: "candidates",
  description: "one row per successful generation (candidate)",
  columns: [
    ["cand", "varchar", "candidate id (trial + sample index)"],
    ["trial", "varchar", "trial id"],
    ["sample", "integer", "sample index, 0 … num_samples − 1"],
    ["model_id", "varchar", "model id"],
    ["text", "varchar", "the model's output"],
    ["finish_reason", "varchar", "why generation stopped (engine's words)"],
    ["tokens_in", "bigint", "prompt tokens (null when the engine did not say)"],
    ["tokens_out", "bigint", "completion tokens (null when the engine did not say)"],
    ["latency_ms", "double", "wall time of the successful attempt"],
    ["attempts", "integer", "attempts it took (1 = first try)"],
    [
      "cost",
      "double",
      "tokens × the model's price in the generating run's manifest, less its `batch_discount` " +
      "(default 0.5) for Batch API generations (null: no price or no token counts)",
    ],
    ["meta", "json", "engine metadata"],
    [
      "source",
      "varchar",
      "`import` for imported generations, `batch` for Batch API ones, else null",
    ],
    ["bundle", "varchar", "the bundle an imported generation came from"],
    ...WHERE_FROM,
  ],
  key: ["cand"],
  unique: ["cand"],
  facts: `
    select g.cand, g.trial, g.data.sample::integer as sample,
      g.data.model as model_id, g.data.text as text,
      g.data.finish_reason as finish_reason, g.data.usage.prompt_tokens as tokens_in,
      g.data.usage.completion_tokens as tokens_out, g.data.latency_ms as latency_ms,
      try_cast(g.data.attempts as integer) as attempts, null::double as cost,
      g.data.meta as meta, g.data.source as source, g.data.bundle as bundle, g.run, g.ts,
      g.seq, g.file
    from ev g where g.type = 'generation.completed'`,
  winner: FIRST,
};

/**
 * Fill what the events alone do not say for the candidates in `scope(cand)` (all when absent):
 * the model of version 1 generations (from the plan), and the cost from the token counts and
 * the prices in the generating run's manifest.
 */
export function candidateCostSql(scope?: string): string {
  const only = scope ? `and c.cand in (select cand from ${scope})` : "";
  return `
    update candidates c set cost = null where true ${only};
    update candidates c set model_id = p.model from plan_trials p
    where c.model_id is null and p.trial = c.trial ${only};
    update candidates c set cost = case
        when c.tokens_in is null and c.tokens_out is null then null
        else (coalesce(c.tokens_in, 0) * p.input_per_million +
          coalesce(c.tokens_out, 0) * p.output_per_million) / 1e6 *
          (case when c.source = 'batch' then 1 - coalesce(p.batch_discount, 0.5) else 1 end)
        end
    from manifest_prices p where p.run = c.run and p.model_id = c.model_id ${only};`;
}

/** One row per (candidate, parse): the final outcome, else the first error. */
export const parses: FactProjection = {
  name: "parses",
  description: "one row per (candidate, parse): its outcome and every extractor it tried",
  columns: [
    ["cand", "varchar", "candidate id"],
    ["trial", "varchar", "trial id"],
    ["parse_hash", "varchar", "parse hash"],
    ["parse_name", "varchar", "parse name"],
    ["status", "varchar", "completed | invalid (no extractor found an answer) | failed (error)"],
    ["answer", "json", "the extracted answer (null unless completed)"],
    ["extractor", "varchar", "the extractor that answered"],
    ["attempts", "json", "every extraction attempt: `[{extractor, ok, error?}]`"],
    ...WHERE_FROM,
  ],
  key: ["cand", "parse_hash"],
  unique: ["cand", "parse_hash"],
  facts: `
    select cand, trial, substr(overlay, 4) as parse_hash, data.name as parse_name,
      case when type = 'parse.completed' then 'completed'
           when data.kind = 'invalid' then 'invalid' else 'failed' end as status,
      data.answer as answer, data.extractor as extractor, data.attempts as attempts,
      run, ts, seq, file
    from ev where type in ('parse.completed', 'parse.failed')`,
  winner: `(status <> 'failed') desc, ${FIRST}`,
};

// Each score of a run once (slices sharing a score definition list it once per slice).
const RUN_SCORES = `(select run, hash, any_value(metrics) as metrics, any_value(ranges) as ranges
  from manifest_stages where stage = 'score' group by run, hash)`;

/**
 * One row per (candidate, score, metric) of the first final score fact: computed values, the
 * failing values of scores whose parse found no answer, and judges without a verdict (value
 * null), with the metric's range from the run's manifest.
 */
export const scores: FactProjection = {
  name: "scores",
  description: "one row per (candidate, score, metric) of every completed or invalid score",
  columns: [
    ["cand", "varchar", "candidate id"],
    ["trial", "varchar", "trial id"],
    ["score_hash", "varchar", "score hash"],
    ["score_name", "varchar", "score name"],
    ["parse_hash", "varchar", "the parse the score read (null: the raw text)"],
    ["metric", "varchar", "metric id"],
    [
      "value",
      "double",
      "the metric's value; for invalid rows the failing value (no answer) or null (no verdict)",
    ],
    [
      "invalid",
      "boolean",
      "true when nothing was scored: the parse found no answer, or the judge gave no verdict " +
      "on its scale (logs written before invalid scores were recorded have no row for the " +
      "first: `work_items` says `skipped`, `no_answer`)",
    ],
    ["details", "json", "the metric's details (prediction, reference, …); the judge's error"],
    ["range_min", "double", "the metric's lowest value (null: unbounded or not recorded)"],
    ["range_max", "double", "the metric's highest value (null: unbounded or not recorded)"],
    [
      "range_binary",
      "boolean",
      "true for 0/1 metrics (null: not recorded in the run's manifest)",
    ],
    ...WHERE_FROM,
  ],
  key: ["cand", "score_hash"],
  unique: ["cand", "score_hash", "metric"],
  facts: `
    with facts as (
      select f.*, rs.metrics as planned, rs.ranges from ev f
      left join ${RUN_SCORES} rs on rs.run = f.run and rs.hash = substr(f.overlay, 4)
      where f.type = 'score.completed' or (f.type = 'score.failed' and f.data.kind = 'invalid')
    ),
    completed as (
      select *, unnest(data.metrics) as m, generate_subscripts(data.metrics, 1) - 1 as i
      from facts where type = 'score.completed'
    ),
    unanswered as (
      select *, unnest(planned::json[]) as p, generate_subscripts(planned::json[], 1) - 1 as i
      from facts where type = 'score.failed'
    ),
    metric_rows as (
      select cand, trial, overlay, data, ranges, run, ts, seq, file, i, m.metric as metric,
        m.value as value, coalesce(data.invalid, false) as invalid, m.details as details
      from completed
      union all
      select cand, trial, overlay, data, ranges, run, ts, seq, file, i, p->>'id', null, true,
        to_json(data.error.details)
      from unanswered
    )
    select cand, trial, substr(overlay, 4) as score_hash, data.name as score_name,
      data.parse as parse_hash, metric, value, invalid, details,
      (r->>'min')::double as range_min, (r->>'max')::double as range_max,
      case when r is null then null
           else coalesce((r->>'binary')::boolean, false) end as range_binary,
      run, ts, seq, file
    from (select *, json_extract(ranges, i::bigint) as r from metric_rows)`,
  winner: FIRST,
};

/** One row per judge call (an LLM judge's request and answer), first fact per call id. */
export const judgeCalls: FactProjection = {
  name: "judge_calls",
  description: "one row per LLM-judge call made while scoring a candidate",
  columns: [
    ["cand", "varchar", "candidate id"],
    ["trial", "varchar", "trial id"],
    ["score_hash", "varchar", "the score that called the judge"],
    ["call_id", "varchar", "judge call id (its identity: model, messages, params)"],
    ["metric", "varchar", "metric id"],
    ["model_id", "varchar", "judge model"],
    ["provider", "varchar", "judge provider"],
    ["messages", "json", "messages sent to the judge"],
    ["params", "json", "judge inference parameters"],
    ["text", "varchar", "the judge's answer"],
    ["tokens_in", "bigint", "prompt tokens"],
    ["tokens_out", "bigint", "completion tokens"],
    ["latency_ms", "double", "wall time of the call"],
    ...WHERE_FROM,
  ],
  key: ["cand", "call_id"],
  unique: ["cand", "call_id"],
  facts: `
    select cand, trial, substr(overlay, 4) as score_hash, data.id as call_id,
      data.metric as metric, data.model_id as model_id, data.provider as provider,
      to_json(data.messages) as messages, data.params as params, data.text as text,
      data.usage.prompt_tokens as tokens_in, data.usage.completion_tokens as tokens_out,
      data.latency_ms as latency_ms, run, ts, seq, file
    from ev where type = 'judge.completed'`,
  winner: FIRST,
};

/** Item payloads and rendered prompts of version 1 logs (their `trial.planned` events). */
export const v1Trials: FactProjection = {
  name: "v1_trials",
  description: "payloads of version 1 run logs' `trial.planned` events (read for `trials`)",
  columns: [
    ["trial", "varchar", "trial id"],
    ["item", "json", "item payload"],
    ["messages", "json", "rendered prompt"],
    ...WHERE_FROM,
  ],
  key: ["trial"],
  unique: ["trial"],
  facts: `select trial, data.item as item, to_json(data.messages) as messages, run, ts, seq,
    file from ev where type = 'trial.planned'`,
  winner: FIRST,
};

/** The fact projections, in the order a refresh fills them. */
export const FACT_PROJECTIONS: ReadonlyArray<FactProjection> = [
  candidates,
  parses,
  scores,
  judgeCalls,
  v1Trials,
];
