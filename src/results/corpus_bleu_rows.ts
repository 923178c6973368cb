/**
 * Corpus BLEU as an aggregate: the sufficient statistics every `bleu` score keeps in its
 * details, summed over a group's segments and scored once (sacrebleu's `corpus_bleu`), never
 * a mean of sentence BLEUs.
 */
import type { JsonObject } from "../core/json.ts";
import { bleu } from "../plugins/metrics/bleu.ts";
import { corpusBleuFromStats } from "../plugins/metrics/corpus_bleu.ts";
import type { BleuStats } from "../plugins/metrics/sentence_bleu.ts";
import type { AggregateRow } from "./aggregate.ts";
import type { TrialGroup } from "./trial_groups.ts";
import type { SamplePolicyOptions, SampleRow, TrialValue } from "./trial_values.ts";

/** The metric name of corpus BLEU rows. */
export const CORPUS_BLEU = "corpus_bleu";

/** A segment's statistics from a `bleu` score's details, or null when they are missing. */
export function statsOfDetails(details: JsonObject | null): BleuStats | null {
  if (details === null) return null;
  const { counts, totals, sys_len, ref_len } = details;
  const numbers = (v: unknown): v is number[] =>
    Array.isArray(v) && v.every((x) => typeof x === "number");
  if (!numbers(counts) || !numbers(totals)) return null;
  if (typeof sys_len !== "number" || typeof ref_len !== "number") return null;
  return { counts, totals, sysLen: sys_len, refLen: ref_len };
}

/** The statistics of an empty hypothesis against the item's references (an invalid answer). */
function emptyHypothesis(trial: TrialValue): BleuStats | null {
  if (trial.item === null) return null;
  const config = trial.score.metrics[trial.metricIndex].config as JsonObject;
  const field = typeof config.reference === "string" ? config.reference : "answer";
  const input = { prediction: "", text: "", item: trial.item, reference: trial.item[field] };
  return statsOfDetails(bleu.score(input, config).details ?? null);
}

/**
 * The segments a trial contributes: every sample for `reduction = "mean"`, else sample 0.
 * Invalid samples are empty hypotheses under `on_invalid = "zero"` (failed ones too with
 * `count_failed`); undefined when a segment's statistics cannot be had.
 */
function segments(trial: TrialValue, policy: SamplePolicyOptions): BleuStats[] | undefined {
  const samples: SampleRow[] = trial.score.reduction === "mean"
    ? trial.samples
    : trial.samples.filter((s) => s.sample === 0);
  const zeroInvalid = (policy.onInvalid ?? trial.score.onInvalid ?? "zero") === "zero";
  const zeroFailed = policy.countFailed ?? trial.score.countFailed ?? false;
  const out: BleuStats[] = [];
  for (const s of samples) {
    const status = s.outcome.status;
    const empty = (status === "invalid" && zeroInvalid) || (status === "failed" && zeroFailed);
    if (status !== "scored" && !empty) continue;
    const stats = status === "scored" ? statsOfDetails(s.details) : emptyHypothesis(trial);
    if (stats === null) return undefined;
    out.push(stats);
  }
  return out;
}

/**
 * The `corpus_bleu` row of a group of `bleu` values: corpus BLEU / 100 over the group's
 * segments (sacrebleu `corpus_bleu` defaults: exp smoothing, no effective order), with the
 * group's trial counts; `count` is the number of segments. No standard error or interval (a
 * corpus statistic is not a mean). The mean is null when a segment's statistics are missing
 * (an invalid answer counted as zero whose item the run did not store, or a score recorded
 * without details).
 */
export function corpusBleuRows(
  group: TrialGroup,
  policy: SamplePolicyOptions,
): AggregateRow[] {
  if (group.metric !== "bleu") return [];
  const all: BleuStats[] = [];
  let complete = true;
  for (const trial of group.trials) {
    const s = segments(trial, policy);
    if (s === undefined) complete = false;
    else all.push(...s);
  }
  const count = (status: string) => group.trials.filter((t) => t.status === status).length;
  return [{
    ...group.keys,
    score: group.score,
    metric: CORPUS_BLEU,
    mean: complete && all.length > 0 ? corpusBleuFromStats(all).score / 100 : null,
    stderr: null,
    ci_low: null,
    ci_high: null,
    ci_method: null,
    count: complete ? all.length : 0,
    n_trials: group.trials.length,
    n_scored: count("scored"),
    n_invalid: count("invalid"),
    n_failed: count("failed"),
    clusters: null,
  }];
}
