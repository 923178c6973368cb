/**
 * Projections of the facts: trials (from the runs' plans), candidates (generations), parses,
 * scores and judge calls. One row per key, the first fact winning.
 */
import { eventsOf, FIRST, type Projection, rowsOf } from "./_projection.ts";

const TRIAL_KEY = ["trial"];

/** The earliest start of each run (runs never started sort last). */
const RUN_STARTS = `(select run, min(ts) as started from events where type = 'run.started'
  group by run)`;

/** One row per trial, from the plan of the first run that planned it. */
export const trials: Projection = {
  name: "trials",
  description: "one row per trial of the store (however many runs planned it)",
  columns: [
    ["trial", "varchar", "trial id (content hash)"],
    ["benchmark_id", "varchar", "benchmark (or experiment) id"],
    ["slice_id", "varchar", "slice (task) id"],
    ["model_id", "varchar", "model id"],
    ["provider", "varchar", "model provider"],
    ["prompt_variant_id", "varchar", "prompt variant id"],
    ["item_id", "varchar", "dataset item id"],
    ["params_index", "integer", "index of the inference parameters in the grid"],
    ["params", "json", "inference parameters"],
    ["dimensions", "json", "the slice's dimensions"],
    ["item", "json", "item payload (null when `store_item_payloads = false`)"],
    ["messages", "json", "rendered prompt messages (null without payloads)"],
    ["first_run", "varchar", "the first run (by its first start, then id) whose plan lists it"],
  ],
  key: TRIAL_KEY,
  affected: `select distinct p.trial from plan_trials p semi join changed_runs using (run)
    union select distinct trial from delta where type = 'trial.planned'
    union select distinct trial from trials semi join changed_runs c on c.run = first_run`,
  select: (scope) => `
    with p as (select * from ${rowsOf("plan_trials", scope, TRIAL_KEY)}),
    firsts as (
      select p.* from p left join ${RUN_STARTS} s using (run)
      qualify row_number() over (
        partition by trial order by s.started nulls last, run) = 1
    ),
    payloads as (
      select run, task, item, any_value(payload) as payload from plan_trials
      where payload is not null and run in (select run from firsts) group by all
    ),
    rendered as (
      select run, task, prompt, item, any_value(messages) as messages from plan_trials
      where messages is not null and run in (select run from firsts) group by all
    ),
    v1 as (
      select trial, data.item as item, to_json(data.messages) as messages
      from ${eventsOf(scope, TRIAL_KEY)} where type = 'trial.planned'
      qualify row_number() over (partition by trial ${FIRST}) = 1
    )
    select f.trial, m.benchmark_id, f.task as slice_id, f.model as model_id, mm.provider,
      f.prompt as prompt_variant_id, f.item as item_id, f.params as params_index,
      mt.params, mt.dimensions, coalesce(pl.payload, v1.item) as item,
      coalesce(to_json(r.messages), v1.messages) as messages, f.run as first_run
    from firsts f
    left join manifest_runs m on m.run = f.run
    left join manifest_models mm on mm.run = f.run and mm.model_id = f.model
    left join manifest_tasks mt on mt.run = f.run and mt.task = f.task
      and mt.params_index = f.params
    left join payloads pl on pl.run = f.run and pl.task = f.task and pl.item = f.item
    left join rendered r on r.run = f.run and r.task = f.task and r.prompt = f.prompt
      and r.item = f.item
    left join v1 on v1.trial = f.trial`,
};

const CAND_KEY = ["cand"];

/** One row per successful generation, with its cost where the run recorded prices. */
export const candidates: Projection = {
  name: "candidates",
  description: "one row per successful generation (candidate)",
  columns: [
    ["cand", "varchar", "candidate id (trial + sample index)"],
    ["trial", "varchar", "trial id"],
    ["sample", "integer", "sample index, 0 … num_samples − 1"],
    ["text", "varchar", "the model's output"],
    ["finish_reason", "varchar", "why generation stopped (engine's words)"],
    ["tokens_in", "bigint", "prompt tokens (null when the engine did not say)"],
    ["tokens_out", "bigint", "completion tokens (null when the engine did not say)"],
    ["latency_ms", "double", "wall time of the successful attempt"],
    ["attempts", "integer", "attempts it took (1 = first try)"],
    ["run", "varchar", "run whose event holds the generation"],
    ["ts", "timestamptz", "when it was recorded"],
    [
      "cost",
      "double",
      "tokens × the model's price in the generating run's manifest (null: no price or no token counts)",
    ],
    ["meta", "json", "engine metadata (`source: import` for imported generations, …)"],
  ],
  key: CAND_KEY,
  affected: `
    select cand from delta where type = 'generation.completed'
    union select c.cand from candidates c semi join changed_runs using (run)`,
  select: (scope) => `
    with g as (
      select * from ${eventsOf(scope, CAND_KEY)} where type = 'generation.completed'
      qualify row_number() over (partition by cand ${FIRST}) = 1
    ),
    models as (
      select g.cand, coalesce(g.data.model, (select any_value(p.model) from plan_trials p
        where p.trial = g.trial)) as model
      from g
    )
    select g.cand, g.trial, g.data.sample::integer as sample, g.data.text as text,
      g.data.finish_reason as finish_reason, g.data.usage.prompt_tokens as tokens_in,
      g.data.usage.completion_tokens as tokens_out, g.data.latency_ms as latency_ms,
      g.data.attempts::integer as attempts, g.run, g.ts,
      case when g.data.usage.prompt_tokens is not null
             or g.data.usage.completion_tokens is not null then
        (coalesce(g.data.usage.prompt_tokens, 0) * p.input_per_million +
         coalesce(g.data.usage.completion_tokens, 0) * p.output_per_million) / 1e6 end as cost,
      g.data.meta as meta
    from g join models using (cand)
    left join manifest_prices p on p.run = g.run and p.model_id = models.model`,
};

const PARSE_MATCH = "e.cand = k.cand and e.overlay = 'tf:' || k.parse_hash";
const SCORE_MATCH = "e.cand = k.cand and e.overlay = 'ev:' || k.score_hash";

/** One row per (candidate, parse): the final outcome, else the first error. */
export const parses: Projection = {
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
    ["run", "varchar", "run whose event holds the outcome"],
    ["ts", "timestamptz", "when it was recorded"],
  ],
  key: ["cand", "parse_hash"],
  affected: `select distinct cand, substr(overlay, 4) as parse_hash from delta
    where type in ('parse.completed', 'parse.failed')`,
  select: (scope) => `
    select cand, trial, substr(overlay, 4) as parse_hash, data.name as parse_name,
      case when type = 'parse.completed' then 'completed'
           when data.kind = 'invalid' then 'invalid' else 'failed' end as status,
      data.answer as answer, data.extractor as extractor, data.attempts as attempts,
      run, ts
    from ${eventsOf(scope, PARSE_MATCH)} where type in ('parse.completed', 'parse.failed')
    qualify row_number() over (
      partition by cand, overlay
      order by (type = 'parse.completed' or data.kind = 'invalid') desc, ts, run, seq,
        file) = 1`,
};

// Each score of a run once (slices sharing a score definition list it once per slice).
const RUN_SCORES = `(select run, hash, any_value(metrics) as metrics, any_value(ranges) as ranges
  from manifest_stages where stage = 'score' group by run, hash)`;

/**
 * One row per (candidate, score, metric) of the first final score fact: computed values, the
 * failing values of scores whose parse found no answer, and judges without a verdict (value
 * null), with the metric's range from the run's manifest.
 */
export const scores: Projection = {
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
    ["run", "varchar", "run whose event holds the score"],
    ["ts", "timestamptz", "when it was recorded"],
  ],
  key: ["cand", "score_hash"],
  affected: `select distinct cand, substr(overlay, 4) as score_hash from delta
    where type in ('score.completed', 'score.failed')
    union select cand, score_hash from scores semi join changed_runs using (run)`,
  select: (scope) => `
    with firsts as (
      select * from ${eventsOf(scope, SCORE_MATCH)}
      where type = 'score.completed' or (type = 'score.failed' and data.kind = 'invalid')
      qualify row_number() over (partition by cand, overlay ${FIRST}) = 1
    ),
    facts as (
      select f.*, rs.metrics as planned, rs.ranges from firsts f
      left join ${RUN_SCORES} rs on rs.run = f.run and rs.hash = substr(f.overlay, 4)
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
      select cand, trial, overlay, data, ranges, run, ts, i, m.metric as metric, m.value as value,
        coalesce(data.invalid, false) as invalid, m.details as details
      from completed
      union all
      select cand, trial, overlay, data, ranges, run, ts, i, p->>'id', null, true,
        to_json(data.error.details)
      from unanswered
    )
    select cand, trial, substr(overlay, 4) as score_hash, data.name as score_name,
      data.parse as parse_hash, metric, value, invalid, details,
      (r->>'min')::double as range_min, (r->>'max')::double as range_max,
      case when r is null then null
           else coalesce((r->>'binary')::boolean, false) end as range_binary,
      run, ts
    from (select *, json_extract(ranges, i::bigint) as r from metric_rows)`,
};

/** One row per judge call (an LLM judge's request and answer), first fact per call id. */
export const judgeCalls: Projection = {
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
    ["run", "varchar", "run whose event holds the call"],
    ["ts", "timestamptz", "when it was recorded"],
  ],
  key: CAND_KEY,
  affected: `select distinct cand from delta where type = 'judge.completed'`,
  select: (scope) => `
    select cand, trial, substr(overlay, 4) as score_hash, data.id as call_id,
      data.metric as metric, data.model_id as model_id, data.provider as provider,
      to_json(data.messages) as messages, data.params as params, data.text as text,
      data.usage.prompt_tokens as tokens_in, data.usage.completion_tokens as tokens_out,
      data.latency_ms as latency_ms, run, ts
    from ${eventsOf(scope, CAND_KEY)} where type = 'judge.completed'
    qualify row_number() over (partition by cand, data.id ${FIRST}) = 1`,
};
