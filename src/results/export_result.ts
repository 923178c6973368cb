/** A result as one JSON value: plan, summary, aggregate, leaderboard, failures and trials. */
import type { RunManifest } from "../plan/manifest.ts";
import { aggregateResult, type AggregateRow } from "./aggregate.ts";
import type { ResultScope } from "./_scope.ts";
import type { ExecutionSummary } from "./experiment_result.ts";
import { type FailureRecord, iterFailureRecords } from "./failures.ts";
import { type LeaderboardRow, leaderboardRows } from "./leaderboard.ts";
import { iterTrialRecords, type TrialRecord } from "./trial_records.ts";
import { iterTrialSummaries, type TrialSummary } from "./trial_summaries.ts";

/** Options of `exportJson()`. */
export interface ExportJsonOptions {
  /** Trials to include: `summaries` (default), `full` records, or `none`. */
  trials?: "none" | "summaries" | "full";
  /** Bootstrap seed of the leaderboard (default: the project's `global_seed`). */
  seed?: number;
}

/** The exported result. */
export interface ResultExport {
  /** Always `themis.result`. */
  format: "themis.result";
  /** Version of this format. */
  version: 1;
  /** The run. */
  run_id: string;
  /** The overlay the result was a view of (`tf:…`, `ev:…`), or null. */
  view: string | null;
  /** The run's plan, without a version-1 inline trial list. */
  manifest: Omit<RunManifest, "trials">;
  /** What the execution did (null when the result was loaded). */
  summary: ExecutionSummary | null;
  /** The default aggregate. */
  aggregate: AggregateRow[];
  /** The leaderboard. */
  leaderboard: LeaderboardRow[];
  /** Work items still failed. */
  failures: FailureRecord[];
  /** How many parses found no answer. */
  invalid_extractions: number;
  /** The trials, as `trials` asked (absent for `none`). */
  trials?: TrialSummary[] | TrialRecord[];
}

/**
 * Gather a result into one JSON-serializable value.
 */
export async function exportResult(
  scope: ResultScope,
  options: ExportJsonOptions & { summary?: ExecutionSummary },
): Promise<ResultExport> {
  const { trials: _omit, ...manifest } = scope.manifest;
  const failures = await Array.fromAsync(iterFailureRecords(scope));
  const [{ n }] = await scope.analytics.all(
    `select count(*)::integer as n from work_items
     where run = $run and stage = 'parse' and status = 'invalid'`,
    { run: scope.runId },
  );
  const out: ResultExport = {
    format: "themis.result",
    version: 1,
    run_id: scope.runId,
    view: scope.view?.overlay ?? null,
    manifest,
    summary: options.summary ?? null,
    aggregate: await aggregateResult(scope, {}),
    leaderboard: await leaderboardRows(scope, { seed: options.seed }),
    failures,
    invalid_extractions: n as number,
  };
  const trials = options.trials ?? "summaries";
  if (trials === "summaries") out.trials = await Array.fromAsync(iterTrialSummaries(scope));
  if (trials === "full") out.trials = await Array.fromAsync(iterTrialRecords(scope));
  return out;
}
