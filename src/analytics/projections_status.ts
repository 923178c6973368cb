/**
 * Projections of status and time: the outcome of every overlay, failures, the timeline of
 * stage events, runs, and every run's work items with the status the events give them.
 */
import { eventsOf, type Projection, rowsOf } from "./_projection.ts";

const OVERLAY_KEY = ["cand", "overlay"];
const RUN_KEY = ["run"];

const STAGE_OF_OVERLAY = `case when overlay = 'gen' then 'generation'
  when overlay like 'tf:%' then 'parse' else 'score' end`;

/** The outcome of each overlay of each candidate: the first final fact, else the last error. */
export const outcomes: Projection = {
  name: "outcomes",
  description: "one row per (candidate, overlay): the status the store's events give it",
  columns: [
    ["cand", "varchar", "candidate id"],
    ["trial", "varchar", "trial id"],
    ["overlay", "varchar", "`gen`, `tf:<parse hash>` or `ev:<score hash>`"],
    ["stage", "varchar", "generation | parse | score"],
    ["hash", "varchar", "parse or score hash (null for generation)"],
    ["status", "varchar", "completed | invalid (final, no answer) | failed (retried on resume)"],
    ["run", "varchar", "run whose event decided the status"],
    ["ts", "timestamptz", "when that event was recorded"],
    ["failures", "integer", "failed attempts recorded for this overlay across all runs"],
  ],
  key: OVERLAY_KEY,
  affected: `select distinct cand, overlay from delta where type in ('generation.completed',
    'generation.failed', 'parse.completed', 'parse.failed', 'score.completed', 'score.failed')`,
  select: (scope) => `
    with facts as (
      select cand, trial, overlay, run, seq, ts,
        case when type like '%.completed' then 'completed'
             when (data->>'kind') = 'invalid' then 'invalid' else 'failed' end as status
      from ${eventsOf(scope, OVERLAY_KEY)}
      where type in ('generation.completed', 'generation.failed', 'parse.completed',
        'parse.failed', 'score.completed', 'score.failed')
    )
    select cand, trial, overlay, ${STAGE_OF_OVERLAY} as stage,
      case when overlay = 'gen' then null else substr(overlay, 4) end as hash,
      status, run, ts::timestamptz as ts,
      (count(*) filter (where status = 'failed') over (partition by cand, overlay))::integer
        as failures
    from facts
    qualify row_number() over (
      partition by cand, overlay
      order by (status <> 'failed') desc,
        case when status <> 'failed' then ts end, case when status <> 'failed' then run end,
        case when status <> 'failed' then seq end, ts desc, run desc, seq desc) = 1`,
};

/** Every failure and retry, one row per event. */
export const failures: Projection = {
  name: "failures",
  description: "every failure and retry, one row per event",
  columns: [
    ["run", "varchar", "run id"],
    ["type", "varchar", "generation.failed | attempt.retried | parse.failed | score.failed"],
    ["trial", "varchar", "trial id"],
    ["cand", "varchar", "candidate id"],
    ["overlay", "varchar", "overlay of the failed work"],
    ["code", "varchar", "error code (`PROVIDER_TIMEOUT`, `JUDGE_UNPARSEABLE`, …)"],
    ["message", "varchar", "error message"],
    ["retryable", "boolean", "whether the policy retries this code"],
    ["attempt", "integer", "attempt number (generation failures and retries)"],
    ["ts", "timestamptz", "when it was recorded"],
    ["seq", "bigint", "sequence number of the event in its run"],
    ["stage", "varchar", "generation | parse | score"],
    ["delay_ms", "double", "backoff before the next attempt (retries)"],
  ],
  key: RUN_KEY,
  affected: `select distinct run from delta`,
  select: (scope) => `
    select run, type, trial, cand, overlay,
      data->'error'->>'code' as code, data->'error'->>'message' as message,
      (data->'error'->>'retryable')::boolean as retryable,
      case type when 'generation.failed' then (data->>'attempts')::integer
                when 'attempt.retried' then (data->>'attempt')::integer end as attempt,
      ts::timestamptz as ts, seq, ${STAGE_OF_OVERLAY} as stage,
      (data->>'delay_ms')::double as delay_ms
    from ${eventsOf(scope, RUN_KEY)}
    where type in ('generation.failed', 'score.failed', 'attempt.retried')
       or (type = 'parse.failed' and (data->>'kind') = 'error')`,
};

/** One row per event of every run, with the durations the events tell. */
export const timeline: Projection = {
  name: "timeline",
  description: "one row per event of every run, in order, with durations",
  columns: [
    ["run", "varchar", "run id"],
    ["seq", "bigint", "sequence number in the run"],
    ["ts", "timestamptz", "when it was recorded"],
    ["type", "varchar", "event type"],
    ["stage", "varchar", "run | plan | generation | parse | score | judge"],
    ["trial", "varchar", "trial id (stage events)"],
    ["cand", "varchar", "candidate id (stage events)"],
    ["overlay", "varchar", "overlay (stage events)"],
    ["name", "varchar", "parse or score name; metric of a judge call"],
    [
      "status",
      "varchar",
      "started | finished | planned | completed | invalid | failed | retried | opened",
    ],
    ["duration_ms", "double", "work time: generation and judge latency; run span for run.finished"],
    ["wait_ms", "double", "backoff before the next attempt (retries)"],
    ["since_prev_ms", "double", "time since the previous event of the same run"],
    ["elapsed_ms", "double", "time since the run (last) started"],
    ["attempt", "integer", "attempt number (generations and retries)"],
    ["code", "varchar", "error code of failures"],
  ],
  key: RUN_KEY,
  affected: `select distinct run from delta`,
  select: (scope) => `
    with e as (
      select *, ts::timestamptz as t,
        max(case when type = 'run.started' then ts::timestamptz end) over (
          partition by run order by seq rows between unbounded preceding and current row)
          as started
      from ${eventsOf(scope, RUN_KEY)}
    )
    select run, seq, t as ts, type,
      case when type in ('run.started', 'run.finished', 'circuit.opened') then 'run'
           when type = 'trial.planned' then 'plan'
           when type in ('generation.completed', 'generation.failed', 'attempt.retried')
             then 'generation'
           when type like 'parse.%' then 'parse' when type like 'score.%' then 'score'
           when type = 'judge.completed' then 'judge' else 'other' end as stage,
      trial, cand, overlay, coalesce(data->>'name', data->>'metric') as name,
      case when type = 'run.started' then 'started' when type = 'run.finished' then 'finished'
           when type = 'trial.planned' then 'planned' when type = 'attempt.retried' then 'retried'
           when type = 'circuit.opened' then 'opened'
           when type like '%.completed' then 'completed'
           when (data->>'kind') = 'invalid' then 'invalid' else 'failed' end as status,
      case when type in ('generation.completed', 'judge.completed')
             then (data->>'latency_ms')::double
           when type = 'run.finished' then (epoch_ms(t) - epoch_ms(started))::double
      end as duration_ms,
      (data->>'delay_ms')::double as wait_ms,
      (epoch_ms(t) - epoch_ms(lag(t) over (partition by run order by seq)))::double
        as since_prev_ms,
      (epoch_ms(t) - epoch_ms(started))::double as elapsed_ms,
      case when type like 'generation.%' then (data->>'attempts')::integer
           when type = 'attempt.retried' then (data->>'attempt')::integer end as attempt,
      data->'error'->>'code' as code
    from e`,
};

/** One row per run: its plan (manifest) and what its events say. */
export const runs: Projection = {
  name: "runs",
  description: "one row per run: its plan (from the manifest) and what its events say",
  columns: [
    ["run", "varchar", "run id"],
    ["started_at", "timestamptz", "first `run.started`"],
    ["finished_at", "timestamptz", "last `run.finished`"],
    ["starts", "bigint", "executions (1 + resumes)"],
    ["status", "varchar", "planned (no events) | interrupted | finished"],
    ["trials", "bigint", "trials the run reached (`trial.planned` events)"],
    ["generations", "bigint", "generations this run made"],
    ["generation_failures", "bigint", "failed generations this run recorded"],
    ["scores", "bigint", "scores this run computed"],
    ["events", "bigint", "events in the run's log"],
    ["kind", "varchar", "benchmark | experiment"],
    ["benchmark_id", "varchar", "benchmark (or experiment) id"],
    ["project_name", "varchar", "project that planned the run"],
    ["planned_trials", "bigint", "trials in the plan"],
    ["planned_candidates", "bigint", "candidates in the plan"],
    ["planned_parses", "bigint", "parse work items in the plan"],
    ["planned_scores", "bigint", "score work items in the plan"],
  ],
  key: RUN_KEY,
  affected: `select distinct run from delta union select run from changed_runs`,
  select: (scope) => `
    with ev as (
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
      from ${eventsOf(scope, RUN_KEY)} group by run
    )
    select run, ev.started_at, ev.finished_at, coalesce(ev.starts, 0) as starts,
      coalesce(ev.status, 'planned') as status, coalesce(ev.trials, 0) as trials,
      coalesce(ev.generations, 0) as generations,
      coalesce(ev.generation_failures, 0) as generation_failures,
      coalesce(ev.scores, 0) as scores, coalesce(ev.events, 0) as events,
      m.kind, m.benchmark_id, m.project_name, m.planned_trials, m.planned_candidates,
      m.planned_parses, m.planned_scores
    from ev full outer join ${rowsOf("manifest_runs", scope, RUN_KEY)} m using (run)`,
};

const WORK_KEY = ["run", "cand", "overlay"];

// The items whose status a new fact can change: its own item in every run that plans it, and,
// for a generation or a parse, the items that were skipped or unblocked by it.
const WORK_AFFECTED = `
  with facts as (
    select distinct cand, overlay from delta where type in ('generation.completed',
      'generation.failed', 'parse.completed', 'parse.failed', 'score.completed', 'score.failed')
  )
  select w.run, w.cand, w.overlay from work_items w join facts f on f.cand = w.cand
  where f.overlay = w.overlay or f.overlay = 'gen' or f.overlay = 'tf:' || w.parse_hash
  union
  select mc.run, mc.cand, 'gen' from manifest_candidates mc semi join changed_runs using (run)
  union
  select mc.run, mc.cand, case s.stage when 'parse' then 'tf:' else 'ev:' end || s.hash
  from manifest_candidates mc semi join changed_runs using (run)
  join manifest_stages s on s.run = mc.run and s.task = mc.task
  union
  select run, cand, overlay from work_items semi join changed_runs using (run)`;

/**
 * Every work item of every run's plan (generation per candidate, parse per candidate × parse
 * of its slice, score per candidate × score), with the status the events of the whole store
 * give it — the same rules as `themis status` (src/plan/work_status.ts).
 */
export const workItems: Projection = {
  name: "work_items",
  description: "every work item of every run's plan, with its status derived from the events",
  columns: [
    ["run", "varchar", "run whose plan holds the item"],
    ["stage", "varchar", "generation | parse | score"],
    ["trial", "varchar", "trial id"],
    ["cand", "varchar", "candidate id"],
    ["sample", "integer", "sample index"],
    ["slice_id", "varchar", "slice (task) id"],
    ["model_id", "varchar", "model id"],
    ["prompt_variant_id", "varchar", "prompt variant id"],
    ["params_index", "integer", "inference parameters index"],
    ["item_id", "varchar", "dataset item id"],
    ["overlay", "varchar", "`gen`, `tf:<parse hash>` or `ev:<score hash>`"],
    ["hash", "varchar", "parse or score hash (null for generation)"],
    ["name", "varchar", "parse or score name (null for generation)"],
    ["parse_hash", "varchar", "the parse a score reads (null: raw text)"],
    ["status", "varchar", "completed | invalid | failed | skipped | pending"],
    ["decided_in", "varchar", "run whose event gave the status (null when pending or skipped)"],
    ["reused_from", "varchar", "the other run whose completed work this item reuses"],
    ["skip_reason", "varchar", "no_generation | no_answer (skipped items)"],
  ],
  key: WORK_KEY,
  affected: WORK_AFFECTED,
  select: (scope) => `
    with mc as (select * from ${rowsOf("manifest_candidates", scope, ["run", "cand"])}),
    all_items as (
      select mc.*, 'generation' as stage, 'gen' as overlay, null as hash, null as name,
        null as parse_hash
      from mc
      union all
      select mc.*, s.stage,
        case s.stage when 'parse' then 'tf:' else 'ev:' end || s.hash, s.hash, s.name,
        s.parse_hash
      from mc join manifest_stages s on s.run = mc.run and s.task = mc.task
    ),
    items as (select * from ${rowsOf("all_items", scope, WORK_KEY)}),
    facts as (${scope ? "select * from outcomes semi join mc using (cand)" : "from outcomes"}),
    joined as (
      select i.*, o.status as own, o.run as own_run, g.status as gen,
        p.status as parsed
      from items i
      left join facts o on o.cand = i.cand and o.overlay = i.overlay
      left join facts g on g.cand = i.cand and g.overlay = 'gen'
      left join facts p on p.cand = i.cand and p.overlay = 'tf:' || i.parse_hash
    ),
    decided as (
      select *,
        case when own in ('completed', 'invalid') then own
             when stage <> 'generation' and (gen is distinct from 'completed'
               or (stage = 'score' and parsed = 'invalid')) then 'skipped'
             when own = 'failed' then 'failed' else 'pending' end as status
      from joined
    )
    select run, stage, trial, cand, sample, task as slice_id, model as model_id,
      prompt as prompt_variant_id, params as params_index, item as item_id, overlay, hash,
      name, parse_hash, status,
      case when status in ('completed', 'invalid', 'failed') then own_run end as decided_in,
      case when status in ('completed', 'invalid') and own_run <> run then own_run end
        as reused_from,
      case when status <> 'skipped' then null
           when gen is distinct from 'completed' then 'no_generation' else 'no_answer' end
        as skip_reason
    from decided`,
};
