/**
 * Derived projections: trials (from the runs' plans), the outcome of every overlay, and every
 * run's work items with the status the events of the whole store give them.
 */
import { eventsOf, type Projection, rowsOf } from "./_projection.ts";

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
    union select distinct trial from ev where type = 'trial.planned'
    union select distinct trial from trials semi join changed_runs c on c.run = first_run`,
  select: (scope) => `
    with p as (select * from ${rowsOf("plan_trials", scope, TRIAL_KEY)}),
    firsts as (
      -- Only the columns used below: the window would otherwise carry every payload and prompt.
      select p.trial, p.run, p.task, p.model, p.prompt, p.item, p.params
      from p left join ${RUN_STARTS} s using (run)
      qualify row_number() over (partition by trial order by s.started nulls last, run) = 1
    ),
    payloads as (
      select run, task, item, any_value(payload) as payload from plan_trials
      where payload is not null and run in (select run from firsts) group by all
    ),
    rendered as (
      select run, task, prompt, item, any_value(messages) as messages from plan_trials
      where messages is not null and run in (select run from firsts) group by all
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
    left join v1_trials v1 on v1.trial = f.trial`,
};

const OVERLAY_KEY = ["cand", "overlay"];

/** Stage of an overlay name. */
export const STAGE_OF_OVERLAY = `case when overlay = 'gen' then 'generation'
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
  affected: `select distinct cand, overlay from ev where type in ('generation.completed',
    'generation.failed', 'parse.completed', 'parse.failed', 'score.completed', 'score.failed')`,
  select: (scope) => `
    with facts as (
      select cand, trial, overlay, run, seq, ts, file,
        case when type = 'score.completed' and invalid then 'invalid'
             when type like '%.completed' then 'completed'
             when kind = 'invalid' then 'invalid' else 'failed' end as status
      from ${eventsOf(scope, OVERLAY_KEY)}
      where type in ('generation.completed', 'generation.failed', 'parse.completed',
        'parse.failed', 'score.completed', 'score.failed')
    )
    select cand, trial, overlay, ${STAGE_OF_OVERLAY} as stage,
      case when overlay = 'gen' then null else substr(overlay, 4) end as hash,
      status, run, ts,
      (count(*) filter (where status = 'failed') over (partition by cand, overlay))::integer
        as failures
    from facts
    qualify row_number() over (
      partition by cand, overlay
      order by (status <> 'failed') desc,
        case when status <> 'failed' then ts end, case when status <> 'failed' then run end,
        case when status <> 'failed' then seq end, case when status <> 'failed' then file end,
        ts desc, run desc, seq desc, file desc) = 1`,
};

const WORK_KEY = ["run", "cand", "overlay"];

// The items whose status a new fact can change: its own item in every run that plans it, and,
// for a generation or a parse, the items that were skipped or unblocked by it.
const WORK_AFFECTED = `
  with facts as (
    select distinct cand, overlay from ev where type in ('generation.completed',
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
      -- Only parses' outcomes can match: a build side of a third of them (at 1M trials the
      -- projection took 6.4–7.1 s with all of them there, 4.9 s with these).
      left join (from facts where overlay like 'tf:%') p
        on p.cand = i.cand and p.overlay = 'tf:' || i.parse_hash
    ),
    decided as (
      select *,
        case when own in ('completed', 'invalid') then own
             when stage <> 'generation' and ((gen is not null and gen <> 'completed')
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
