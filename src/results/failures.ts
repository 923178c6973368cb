/** What went wrong in a run: failed work items with their errors, and answers not found. */
import type { Row } from "../analytics/duckdb.ts";
import type { Json } from "../core/json.ts";
import { sqlString } from "./aggregate_sql.ts";
import type { ResultScope } from "./_scope.ts";

/** Where a work item sits in the run. */
export interface ItemLocation {
  /** Which stage the work item belongs to. */
  stage: "generation" | "parse" | "score";
  /** The trial. */
  trial: string;
  /** The candidate. */
  cand: string;
  /** `gen`, `tf:<parse hash>` or `ev:<score hash>`. */
  overlay: string;
  /** Parse or score name (null for generations). */
  name: string | null;
  /** The model. */
  model: string;
  /** The slice. */
  slice: string;
  /** The prompt variant. */
  promptVariant: string;
  /** The dataset item. */
  itemId: string;
}

/** One failure: the work item and its error. */
export interface FailureRecord extends ItemLocation {
  /** `generation.failed`, `parse.failed`, `score.failed` or `attempt.retried`. */
  type: string;
  /** The error code (`PROVIDER_TIMEOUT`, `PLUGIN_ERROR`, …). */
  code: string | null;
  /** The error message. */
  message: string | null;
  /** Whether the policy retries this code. */
  retryable: boolean | null;
  /** The attempt number, when recorded. */
  attempt: number | null;
  /** The run that recorded the failure. */
  run: string;
  /** When (ISO 8601). */
  ts: string;
  /** The item's status now (`failed`, or `completed` once a retry or resume succeeded). */
  status: string;
}

/** Options of `iterFailures()`. */
export interface FailureOptions {
  /**
   * Every failure event on the run's work (retries, and failures later resolved by a retry
   * or a resume) instead of only the items still failed, each with its last error.
   */
  includeResolved?: boolean;
}

/** A candidate whose parse found no answer. */
export interface InvalidExtraction extends ItemLocation {
  /** The parse hash. */
  hash: string;
  /** The output no extractor could read. */
  text: string | null;
  /** What each extractor said: `[{extractor, ok, error?}]`. */
  attempts: Json | null;
  /** The run whose event holds the outcome. */
  run: string | null;
}

function location(r: Row): ItemLocation {
  return {
    stage: r.stage as ItemLocation["stage"],
    trial: r.trial as string,
    cand: r.cand as string,
    overlay: r.overlay as string,
    name: (r.name ?? null) as string | null,
    model: r.model_id as string,
    slice: r.slice_id as string,
    promptVariant: r.prompt_variant_id as string,
    itemId: r.item_id as string,
  };
}

function viewFilter(scope: ResultScope): string {
  const view = scope.view;
  if (view === undefined) return "";
  if (view.kind === "transform") {
    return `and (w.stage = 'generation' or w.hash = ${sqlString(view.hash)} or ` +
      `w.parse_hash = ${sqlString(view.hash)})`;
  }
  const score = scope.manifest.scores.find((s) => s.hash === view.hash);
  return `and (w.stage = 'generation' or w.hash = ${sqlString(view.hash)} or ` +
    `w.hash = ${sqlString(score?.parseHash ?? "")})`;
}

/**
 * The failures of a run's work items, ordered by stage, trial and candidate: by default the
 * items still failed (what a resume would retry) with their last error; with
 * `includeResolved`, every failure and retry event on the run's work.
 */
export async function* iterFailureRecords(
  scope: ResultScope,
  options: FailureOptions = {},
): AsyncGenerator<FailureRecord> {
  const last = options.includeResolved
    ? "failures"
    : `(select * from failures where type <> 'attempt.retried' qualify row_number() over (
         partition by cand, overlay order by ts desc, run desc, seq desc) = 1)`;
  const rows = await scope.analytics.all(
    `select w.*, f.type, f.code, f.message, f.retryable, f.attempt, f.run as failed_in,
       f.ts as failed_at
     from work_items w join ${last} f on f.cand = w.cand and f.overlay = w.overlay
     where w.run = $run ${options.includeResolved ? "" : "and w.status = 'failed'"}
       ${viewFilter(scope)}
     order by case w.stage when 'generation' then 0 when 'parse' then 1 else 2 end,
       w.trial, w.cand, w.overlay, f.ts, f.seq`,
    { run: scope.runId },
  );
  for (const r of rows) {
    yield {
      ...location(r),
      type: r.type as string,
      code: (r.code ?? null) as string | null,
      message: (r.message ?? null) as string | null,
      retryable: (r.retryable ?? null) as boolean | null,
      attempt: (r.attempt ?? null) as number | null,
      run: r.failed_in as string,
      ts: r.failed_at as string,
      status: r.status as string,
    };
  }
}

/**
 * The run's parses that found no answer (`invalid`), with the output and each extractor's
 * complaint, ordered by parse, trial and candidate.
 */
export async function* iterInvalidExtractionRecords(
  scope: ResultScope,
): AsyncGenerator<InvalidExtraction> {
  const rows = await scope.analytics.all(
    `select w.*, c.text, p.attempts
     from work_items w
     left join parses p on p.cand = w.cand and p.parse_hash = w.hash
     left join candidates c on c.cand = w.cand
     where w.run = $run and w.stage = 'parse' and w.status = 'invalid' ${viewFilter(scope)}
     order by w.name, w.hash, w.trial, w.cand`,
    { run: scope.runId },
  );
  for (const r of rows) {
    yield {
      ...location(r),
      hash: r.hash as string,
      text: (r.text ?? null) as string | null,
      attempts: r.attempts === null || r.attempts === undefined
        ? null
        : JSON.parse(r.attempts as string),
      run: (r.decided_in ?? null) as string | null,
    };
  }
}
