/**
 * Views over the events and plans, computed at query time: which runs reached which trials,
 * every failure, the timeline of every run, and one row per run. They are exact by
 * construction and cost nothing to keep current, however large a run grows.
 */
import type { View } from "./_projection.ts";
import { STAGE_OF_OVERLAY } from "./projections_status.ts";

/** Which runs' plans hold which trials. */
export const runTrials: View = {
  name: "run_trials",
  description: "which runs' plans hold which trials",
  columns: [
    ["run", "varchar", "run id"],
    ["trial", "varchar", "trial id"],
    ["num_samples", "integer", "samples the run planned for the trial"],
  ],
  select: `select run, trial, max(len(candidates))::integer as num_samples from plan_trials
    group by run, trial`,
};

/** Every failure and retry, one row per event. */
export const failures: View = {
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
  select: `
    select run, type, trial, cand, overlay, code, message, retryable,
      case when type in ('generation.failed', 'attempt.retried') then attempt end as attempt,
      ts, seq, ${STAGE_OF_OVERLAY} as stage, delay_ms
    from events
    where type in ('generation.failed', 'score.failed', 'attempt.retried')
       or (type = 'parse.failed' and kind = 'error')`,
};

/** One row per event of every run, with the durations the events tell. */
export const timeline: View = {
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
  select: `
    with e as (
      select *,
        max(case when type = 'run.started' then ts end) over (
          partition by run order by seq, file rows between unbounded preceding and current row)
          as started
      from events
    )
    select run, seq, ts, type,
      case when type in ('run.started', 'run.finished', 'circuit.opened') then 'run'
           when type = 'trial.planned' then 'plan'
           when type in ('generation.completed', 'generation.failed', 'attempt.retried')
             then 'generation'
           when type like 'parse.%' then 'parse' when type like 'score.%' then 'score'
           when type = 'judge.completed' then 'judge' else 'other' end as stage,
      trial, cand, overlay, name,
      case when type = 'run.started' then 'started' when type = 'run.finished' then 'finished'
           when type = 'trial.planned' then 'planned' when type = 'attempt.retried' then 'retried'
           when type = 'circuit.opened' then 'opened'
           when type = 'score.completed' and invalid then 'invalid'
           when type like '%.completed' then 'completed'
           when kind = 'invalid' then 'invalid' else 'failed' end as status,
      case when type in ('generation.completed', 'judge.completed') then latency_ms
           when type = 'run.finished' then (epoch_ms(ts) - epoch_ms(started))::double
      end as duration_ms,
      delay_ms as wait_ms,
      (epoch_ms(ts) - epoch_ms(lag(ts) over (partition by run order by seq, file)))::double
        as since_prev_ms,
      (epoch_ms(ts) - epoch_ms(started))::double as elapsed_ms,
      case when type like 'generation.%' or type = 'attempt.retried' then attempt end as attempt,
      case when type <> 'circuit.opened' then code end as code
    from e`,
};

/** One row per run: its plan (manifest) and what its events say. */
export const runs: View = {
  name: "runs",
  description: "one row per run: its plan (from the manifest) and what its events say",
  columns: [
    ["run", "varchar", "run id"],
    ["started_at", "timestamptz", "first `run.started`"],
    ["finished_at", "timestamptz", "last `run.finished`"],
    ["starts", "bigint", "executions (1 + resumes)"],
    ["status", "varchar", "planned (no events) | interrupted | finished"],
    ["trials", "bigint", "trials in the run's plan"],
    ["generations", "bigint", "generations this run made"],
    ["generation_failures", "bigint", "failed generations this run recorded"],
    ["scores", "bigint", "scores this run computed"],
    ["invalid_scores", "bigint", "scores this run recorded invalid (no answer, no verdict)"],
    ["events", "bigint", "events in the run's log"],
    ["kind", "varchar", "benchmark | experiment"],
    ["benchmark_id", "varchar", "benchmark (or experiment) id"],
    ["project_name", "varchar", "project that planned the run"],
    ["planned_trials", "bigint", "trials in the plan"],
    ["planned_candidates", "bigint", "candidates in the plan"],
    ["planned_parses", "bigint", "parse work items in the plan"],
    ["planned_scores", "bigint", "score work items in the plan"],
  ],
  select: `
    with ev as (
      select run,
        min(ts) filter (where type = 'run.started') as started_at,
        max(ts) filter (where type = 'run.finished') as finished_at,
        count(*) filter (where type = 'run.started') as starts,
        case when max(seq) filter (where type = 'run.finished') >
                  max(seq) filter (where type = 'run.started') then 'finished'
             else 'interrupted' end as status,
        count(*) filter (where type = 'generation.completed') as generations,
        count(*) filter (where type = 'generation.failed') as generation_failures,
        count(*) filter (where type = 'score.completed' and not coalesce(invalid, false))
          as scores,
        count(*) filter (where (type = 'score.completed' and invalid)
          or (type = 'score.failed' and kind = 'invalid')) as invalid_scores,
        count(*) as events
      from events group by run
    ),
    pt as (select run, count(*) as trials from plan_trials group by run)
    select run, ev.started_at, ev.finished_at, coalesce(ev.starts, 0) as starts,
      coalesce(ev.status, 'planned') as status, coalesce(pt.trials, 0) as trials,
      coalesce(ev.generations, 0) as generations,
      coalesce(ev.generation_failures, 0) as generation_failures,
      coalesce(ev.scores, 0) as scores, coalesce(ev.invalid_scores, 0) as invalid_scores,
      coalesce(ev.events, 0) as events,
      m.kind, m.benchmark_id, m.project_name, m.planned_trials, m.planned_candidates,
      m.planned_parses, m.planned_scores
    from ev full outer join manifest_runs m using (run) left join pt using (run)`,
};

// A sample's outcome for one metric: what `reduceSamples` sees (src/results/trial_values.ts).
const SAMPLE_STATUS = `case
  when w.status = 'completed' and coalesce(s.invalid, false) then 'invalid'
  when w.status = 'completed' then 'scored'
  when w.status = 'invalid' or (w.status = 'skipped' and w.skip_reason = 'no_answer')
    then 'invalid'
  when w.status = 'failed' or g.gen_status = 'failed' then 'failed'
  else 'pending' end`;

/** Trials of each run by outcome, per model, slice, prompt variant, params, score and metric. */
export const scoreCounts: View = {
  name: "score_counts",
  description: "trials of each run by outcome per model × slice × prompt variant × params × " +
    "score × metric",
  columns: [
    ["run", "varchar", "run id"],
    ["model_id", "varchar", "model id"],
    ["slice_id", "varchar", "slice (task) id"],
    ["prompt_variant_id", "varchar", "prompt variant id"],
    ["params_index", "integer", "inference parameters index"],
    ["score_name", "varchar", "score name"],
    ["score_hash", "varchar", "score hash"],
    ["metric", "varchar", "metric id"],
    ["n_trials", "bigint", "trials of the run's plan"],
    ["n_scored", "bigint", "trials with at least one scored sample"],
    ["n_invalid", "bigint", "trials whose samples gave no answer (parse or judge)"],
    ["n_failed", "bigint", "trials with no answer and a failed sample (generation or metric)"],
    ["n_pending", "bigint", "trials still waiting for work"],
  ],
  select: `
    with metrics as (
      select distinct run, hash, unnest(metrics::json[])->>'id' as metric
      from manifest_stages where stage = 'score'
    ),
    gens as (select run, cand, status as gen_status from work_items where stage = 'generation'),
    samples as (
      select w.run, w.trial, w.model_id, w.slice_id, w.prompt_variant_id, w.params_index,
        w.name as score_name, w.hash as score_hash, m.metric, ${SAMPLE_STATUS} as status
      from work_items w join metrics m on m.run = w.run and m.hash = w.hash
      left join gens g on g.run = w.run and g.cand = w.cand
      left join scores s on s.cand = w.cand and s.score_hash = w.hash and s.metric = m.metric
      where w.stage = 'score'
    ),
    trial_status as (
      select run, trial, model_id, slice_id, prompt_variant_id, params_index, score_name,
        score_hash, metric,
        case when bool_or(status = 'scored') then 'scored'
             when bool_or(status = 'invalid') then 'invalid'
             when bool_or(status = 'failed') then 'failed' else 'pending' end as status
      from samples group by all
    )
    select run, model_id, slice_id, prompt_variant_id, params_index, score_name, score_hash,
      metric, count(*) as n_trials,
      count(*) filter (where status = 'scored') as n_scored,
      count(*) filter (where status = 'invalid') as n_invalid,
      count(*) filter (where status = 'failed') as n_failed,
      count(*) filter (where status = 'pending') as n_pending
    from trial_status group by all`,
};

/** The views, created after the tables they read. */
export const VIEWS: ReadonlyArray<View> = [runTrials, failures, timeline, runs, scoreCounts];
