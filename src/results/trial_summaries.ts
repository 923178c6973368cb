/** One light row per trial: identity, status and the trial's reduced value of every metric. */
import { readTrialValues } from "./trial_values.ts";
import { type ResultScope, scoreFilter } from "./_scope.ts";
import {
  type IterTrialsOptions,
  readIdentities,
  type TrialIdentity,
  trialPage,
} from "./trial_records.ts";

/** A trial without its candidates: what a per-item table shows. */
export interface TrialSummary extends TrialIdentity {
  /** Candidates (samples) the run planned for the trial. */
  candidates: number;
  /**
   * The trial's value of each `score.metric` (its samples reduced as the score says, an
   * invalid answer scoring the failing value unless the score excludes it); null when the
   * trial stays out of means (excluded, failed or pending).
   */
  values: Record<string, number | null>;
}

/**
 * Every trial of the run as a summary, in trial-id order, a page at a time.
 */
export async function* iterTrialSummaries(
  scope: ResultScope,
  options: IterTrialsOptions = {},
): AsyncGenerator<TrialSummary> {
  const size = options.pageSize ?? 2000;
  let after = "";
  while (true) {
    const page = await trialPage(scope, after, size);
    if (page.length === 0) return;
    yield* await readSummaries(scope, page);
    after = page[page.length - 1];
    if (page.length < size) return;
  }
}

/** Summaries of some trials of the run, in trial-id order. */
export async function readSummaries(
  scope: ResultScope,
  trials: ReadonlyArray<string>,
): Promise<TrialSummary[]> {
  const identities = await readIdentities(scope, trials);
  const values = await readTrialValues(scope, { ...scoreFilter(scope), trials });
  const byTrial = new Map<string, Record<string, number | null>>();
  for (const v of values) {
    const record = byTrial.get(v.trial) ?? {};
    record[`${v.score.name}.${v.metric}`] = v.value;
    byTrial.set(v.trial, record);
  }
  return [...identities.values()].map(({ row, ...identity }) => ({
    ...identity,
    candidates: row.candidates as number,
    values: byTrial.get(identity.trial) ?? {},
  }));
}
