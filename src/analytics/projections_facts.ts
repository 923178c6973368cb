/**
 * Projections of the facts the stages record: trials, which runs reached them, candidates
 * (generations), parses, scores and judge calls. One row per key, the first fact winning.
 */
import { eventsOf, FIRST, type Projection } from "./_projection.ts";

const TRIAL_KEY = ["trial"];

/** One row per trial, from its first `trial.planned` event. */
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
    ["first_run", "varchar", "run whose `trial.planned` event came first"],
  ],
  key: TRIAL_KEY,
  affected: `select distinct trial from delta where type = 'trial.planned'`,
  select: (scope) => `
    select trial,
      data->>'benchmark_id' as benchmark_id, data->>'slice_id' as slice_id,
      data->>'model_id' as model_id, data->>'provider' as provider,
      data->>'prompt_variant_id' as prompt_variant_id, data->>'item_id' as item_id,
      (data->>'params_index')::integer as params_index, data->'params' as params,
      data->'dimensions' as dimensions, data->'item' as item, data->'messages' as messages,
      run as first_run
    from ${eventsOf(scope, TRIAL_KEY)} where type = 'trial.planned'
    qualify row_number() over (partition by trial ${FIRST}) = 1`,
};

/** Which runs reached which trials (their `trial.planned` events). */
export const runTrials: Projection = {
  name: "run_trials",
  description: "which runs reached which trials (each run's `trial.planned` events)",
  columns: [
    ["run", "varchar", "run id"],
    ["trial", "varchar", "trial id"],
    ["num_samples", "integer", "samples the run planned for the trial"],
  ],
  key: ["run", "trial"],
  affected: `select distinct run, trial from delta where type = 'trial.planned'`,
  select: (scope) => `
    select run, trial, max((data->>'num_samples')::integer) as num_samples
    from ${eventsOf(scope, ["run", "trial"])} where type = 'trial.planned' group by run, trial`,
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
    union select c.cand from candidates c semi join changed_runs using (run)
    union select c.cand from candidates c where c.trial in (
      select trial from delta where type = 'trial.planned' and trial not in (select trial from trials))`,
  select: (scope) => `
    with g as (
      select * from ${eventsOf(scope, CAND_KEY)} where type = 'generation.completed'
      qualify row_number() over (partition by cand ${FIRST}) = 1
    )
    select g.cand, g.trial, (g.data->>'sample')::integer as sample, g.data->>'text' as text,
      g.data->>'finish_reason' as finish_reason,
      (g.data->'usage'->>'prompt_tokens')::bigint as tokens_in,
      (g.data->'usage'->>'completion_tokens')::bigint as tokens_out,
      (g.data->>'latency_ms')::double as latency_ms, (g.data->>'attempts')::integer as attempts,
      g.run, g.ts::timestamptz as ts,
      case when (g.data->'usage'->>'prompt_tokens') is not null
             or (g.data->'usage'->>'completion_tokens') is not null then
        (coalesce((g.data->'usage'->>'prompt_tokens')::double, 0) * p.input_per_million +
         coalesce((g.data->'usage'->>'completion_tokens')::double, 0) * p.output_per_million)
        / 1e6 end as cost,
      g.data->'meta' as meta
    from g left join trials t on t.trial = g.trial
    left join manifest_prices p on p.run = g.run and p.model_id = t.model_id`,
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
    select cand, trial, substr(overlay, 4) as parse_hash, data->>'name' as parse_name,
      case when type = 'parse.completed' then 'completed'
           when (data->>'kind') = 'invalid' then 'invalid' else 'failed' end as status,
      data->'answer' as answer, data->>'extractor' as extractor, data->'attempts' as attempts,
      run, ts::timestamptz as ts
    from ${eventsOf(scope, PARSE_MATCH)} where type in ('parse.completed', 'parse.failed')
    qualify row_number() over (
      partition by cand, overlay
      order by (type = 'parse.completed' or (data->>'kind') = 'invalid') desc, ts, run, seq) = 1`,
};

/** One row per (candidate, score, metric) of the first completed score. */
export const scores: Projection = {
  name: "scores",
  description: "one row per (candidate, score, metric) of every completed score",
  columns: [
    ["cand", "varchar", "candidate id"],
    ["trial", "varchar", "trial id"],
    ["score_hash", "varchar", "score hash"],
    ["score_name", "varchar", "score name"],
    ["parse_hash", "varchar", "the parse the score read (null: the raw text)"],
    ["metric", "varchar", "metric id"],
    ["value", "double", "the metric's value"],
    ["details", "json", "the metric's details (prediction, reference, …)"],
    ["run", "varchar", "run whose event holds the score"],
    ["ts", "timestamptz", "when it was recorded"],
  ],
  key: ["cand", "score_hash"],
  affected: `select distinct cand, substr(overlay, 4) as score_hash from delta
    where type = 'score.completed'`,
  select: (scope) => `
    with firsts as (
      select * from ${eventsOf(scope, SCORE_MATCH)} where type = 'score.completed'
      qualify row_number() over (partition by cand, overlay ${FIRST}) = 1
    )
    select f.cand, f.trial, substr(f.overlay, 4) as score_hash, f.data->>'name' as score_name,
      f.data->>'parse' as parse_hash, m.value->>'metric' as metric,
      (m.value->>'value')::double as value, m.value->'details' as details,
      f.run, f.ts::timestamptz as ts
    from firsts f, json_each(f.data->'metrics') as m`,
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
    select cand, trial, substr(overlay, 4) as score_hash, data->>'id' as call_id,
      data->>'metric' as metric, data->>'model_id' as model_id, data->>'provider' as provider,
      data->'messages' as messages, data->'params' as params, data->>'text' as text,
      (data->'usage'->>'prompt_tokens')::bigint as tokens_in,
      (data->'usage'->>'completion_tokens')::bigint as tokens_out,
      (data->>'latency_ms')::double as latency_ms, run, ts::timestamptz as ts
    from ${eventsOf(scope, CAND_KEY)} where type = 'judge.completed'
    qualify row_number() over (partition by cand, data->>'id' ${FIRST}) = 1`,
};
