/**
 * The projections over the store's events (DESIGN §6). Each is rebuilt from the `events` table;
 * bump PROJECTION_VERSION when any of them changes shape, and caches rebuild themselves.
 */

/** Version of the projection definitions; a cache built by another version is rebuilt. */
export const PROJECTION_VERSION = 1;

/** Explicit column types of an event line, for `read_json`. */
export const EVENT_COLUMNS = `{v: 'INTEGER', seq: 'BIGINT', ts: 'VARCHAR', run: 'VARCHAR', ` +
  `type: 'VARCHAR', trial: 'VARCHAR', cand: 'VARCHAR', overlay: 'VARCHAR', data: 'JSON'}`;

/** The raw events table and the bookkeeping of which bytes of which file it holds. */
export const BASE_TABLES = `
create table if not exists meta (key varchar primary key, value varchar);
create table if not exists sources (file varchar primary key, bytes bigint not null);
create table if not exists events (
  v integer, seq bigint, ts varchar, run varchar, type varchar,
  trial varchar, cand varchar, overlay varchar, data json
);
`;

/** `select` of a file's events with explicit columns. */
export function readEventsSql(path: string): string {
  const quoted = path.replaceAll("'", "''");
  return `select v, seq, ts, run, type, trial, cand, overlay, data from read_json('${quoted}', ` +
    `format = 'newline_delimited', columns = ${EVENT_COLUMNS}, maximum_object_size = 1073741824)`;
}

// The first fact of a key wins: ordered by time, then run, then sequence, so the choice is
// the same however the files were read.
const FIRST = "order by ts, run, seq";

/** The derived projections, in build order. */
export const PROJECTIONS: Record<string, string> = {
  trials: `
    select trial,
      data->>'benchmark_id' as benchmark_id,
      data->>'slice_id' as slice_id,
      data->>'model_id' as model_id,
      data->>'provider' as provider,
      data->>'prompt_variant_id' as prompt_variant_id,
      data->>'item_id' as item_id,
      (data->>'params_index')::integer as params_index,
      data->'params' as params,
      data->'dimensions' as dimensions,
      data->'item' as item,
      data->'messages' as messages,
      run as first_run
    from events where type = 'trial.planned'
    qualify row_number() over (partition by trial ${FIRST}) = 1`,
  run_trials: `
    select run, trial, max((data->>'num_samples')::integer) as num_samples
    from events where type = 'trial.planned' group by run, trial`,
  candidates: `
    select cand, trial,
      (data->>'sample')::integer as sample,
      data->>'text' as text,
      data->>'finish_reason' as finish_reason,
      (data->'usage'->>'prompt_tokens')::bigint as tokens_in,
      (data->'usage'->>'completion_tokens')::bigint as tokens_out,
      (data->>'latency_ms')::double as latency_ms,
      (data->>'attempts')::integer as attempts,
      run, ts::timestamptz as ts
    from events where type = 'generation.completed'
    qualify row_number() over (partition by cand ${FIRST}) = 1`,
  parses: `
    select cand, trial, substr(overlay, 4) as parse_hash, data->>'name' as parse_name,
      case when type = 'parse.completed' then 'completed'
           when (data->>'kind') = 'invalid' then 'invalid' else 'failed' end as status,
      data->'answer' as answer, data->>'extractor' as extractor, data->'attempts' as attempts,
      run, ts::timestamptz as ts
    from events where type in ('parse.completed', 'parse.failed')
    qualify row_number() over (
      partition by cand, overlay
      order by (type = 'parse.completed' or (data->>'kind') = 'invalid') desc, ts, run, seq) = 1`,
  scores: `
    with firsts as (
      select * from events where type = 'score.completed'
      qualify row_number() over (partition by cand, overlay ${FIRST}) = 1
    )
    select f.cand, f.trial, substr(f.overlay, 4) as score_hash, f.data->>'name' as score_name,
      f.data->>'parse' as parse_hash, m.value->>'metric' as metric,
      (m.value->>'value')::double as value, m.value->'details' as details,
      f.run, f.ts::timestamptz as ts
    from firsts f, json_each(f.data->'metrics') as m`,
  failures: `
    select run, type, trial, cand, overlay,
      data->'error'->>'code' as code,
      data->'error'->>'message' as message,
      (data->'error'->>'retryable')::boolean as retryable,
      case type when 'generation.failed' then (data->>'attempts')::integer
                when 'attempt.retried' then (data->>'attempt')::integer end as attempt,
      ts::timestamptz as ts
    from events
    where type in ('generation.failed', 'score.failed', 'attempt.retried')
       or (type = 'parse.failed' and (data->>'kind') = 'error')`,
  runs: `
    select run,
      min(ts) filter (where type = 'run.started')::timestamptz as started_at,
      max(ts) filter (where type = 'run.finished')::timestamptz as finished_at,
      count(*) filter (where type = 'run.started') as starts,
      case when max(seq) filter (where type = 'run.finished') >
                max(seq) filter (where type = 'run.started') then 'finished'
           else 'interrupted' end as status,
      count(*) filter (where type = 'trial.planned') as trials,
      count(*) filter (where type = 'generation.completed') as generations,
      count(*) filter (where type = 'generation.failed') as generation_failures,
      count(*) filter (where type = 'score.completed') as scores,
      count(*) as events
    from events group by run`,
};
