/**
 * Pure pairing and testing of per-trial values: align two conditions item by item within
 * each group, compare them with the stats module (cluster-robust when the items name
 * clusters), give the minimum detectable effect, and correct the p-values across groups.
 */
import type { MetricRange } from "../plugins/types.ts";
import {
  benjaminiHochberg,
  clipToRange,
  clusteredPairedDifference,
  differenceRange,
  holm,
  minimumDetectableEffect,
  pairedCompare,
  summarize,
} from "./stats/mod.ts";
import { unionRange } from "./metric_ranges.ts";

/** A trial's outcome for a score × metric (see `TrialValue.status`). */
export type SideStatus = "scored" | "invalid" | "failed" | "pending";

/** One per-trial value on one side of a comparison. */
export interface SideValue {
  /** Group keys (e.g. `{ slice: "math" }`), score and metric: the comparison it belongs to. */
  group: Record<string, unknown>;
  score: string;
  metric: string;
  /** What makes two values the same item (identity keys outside the compared factor). */
  align: string;
  side: "baseline" | "treatment";
  /** The trial's value; null when it stays out of means (excluded, failed, pending). */
  value: number | null;
  /** Default: `scored` with a value, `failed` without. */
  status?: SideStatus;
  /** The item's cluster label when the score names a cluster field. */
  cluster?: string | null;
  /** The metric's range (default unbounded): intervals of the delta stay in its difference. */
  range?: MetricRange;
}

/** Trials of one side by outcome. */
export interface SideCounts {
  /** Trials of the side. */
  trials: number;
  /** Trials with a score. */
  scored: number;
  /** Trials whose answer was invalid. */
  invalid: number;
  /** Trials whose generation failed. */
  failed: number;
}

/** The aligned values of one comparison. */
export interface PairSet {
  group: Record<string, unknown>;
  score: string;
  metric: string;
  /** Alignment keys of the pairs, sorted (index i of both arrays is the same item). */
  keys: string[];
  baseline: number[];
  treatment: number[];
  /** Values without a partner on the other side (or trials with no value). */
  unpaired: number;
  /** Cluster labels of the pairs (the baseline's item), or null when nothing is clustered. */
  clusters: string[] | null;
  /** The range of the compared metric. */
  range: MetricRange;
  counts: { baseline: SideCounts; treatment: SideCounts };
}

/** Multiple-comparison correction across the groups of one call. */
export type Correction = "holm" | "bh" | "none";

/** Settings of the paired tests. */
export interface PairedTestOptions {
  correction?: Correction;
  confidence?: number;
  seed: number;
  resamples?: number;
}

/**
 * One comparison: treatment − baseline, its interval (inside the range of a difference of the
 * metric), test, corrected p-value, the minimum detectable effect at 80% power and the trial
 * counts of both sides.
 */
export type PairedRow = Record<string, unknown> & {
  score: string;
  metric: string;
  n: number;
  unpaired: number;
  baseline_mean: number | null;
  treatment_mean: number | null;
  delta: number | null;
  /** Standard error of the mean delta: sd of the differences/√n, or cluster-robust. */
  se: number | null;
  ci_low: number | null;
  ci_high: number | null;
  /** `bootstrap` (paired percentile) or `t_cluster` (cluster-robust t, G − 1 df). */
  ci_method: "bootstrap" | "t_cluster" | null;
  /** The smallest true delta a two-sided 5% test detects with 80% power at this se. */
  mde: number | null;
  /** Clusters of the pairs (null without a cluster field). */
  clusters: number | null;
  /** `mcnemar` (exact) when every value is 0 or 1, else `wilcoxon` (signed-rank). */
  test: "mcnemar" | "wilcoxon" | null;
  p_value: number | null;
  p_adjusted: number | null;
  wins: number;
  losses: number;
  ties: number;
  n_trials_baseline: number;
  n_trials_treatment: number;
  n_scored_baseline: number;
  n_scored_treatment: number;
  n_invalid_baseline: number;
  n_invalid_treatment: number;
  n_failed_baseline: number;
  n_failed_treatment: number;
};

const emptyCounts = (): SideCounts => ({ trials: 0, scored: 0, invalid: 0, failed: 0 });

/** A pair set while values are added. */
interface Entry {
  set: Pick<PairSet, "group" | "score" | "metric">;
  baseline: Map<string, SideValue>;
  treatment: Map<string, SideValue>;
  duplicates: number;
  counts: PairSet["counts"];
  ranges: MetricRange[];
}

/**
 * Align values into pair sets: per (group, score, metric), the baseline and treatment values
 * sharing an alignment key (both with a value), ordered by key so resampling is reproducible,
 * with each side's trials counted by outcome.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { alignPairs } from "./paired_groups.ts";
 * const v = (side: "baseline" | "treatment", align: string, value: number | null) =>
 *   ({ group: {}, score: "acc", metric: "em", align, side, value });
 * const [set] = alignPairs([v("baseline", "q1", 0), v("treatment", "q1", 1), v("baseline", "q2", 1),
 *   v("treatment", "q2", null)]);
 * assert.deepEqual([set.baseline, set.unpaired, set.counts.treatment.failed], [[0], 2, 1]);
 * ```
 */
export function alignPairs(values: Iterable<SideValue>): PairSet[] {
  const sets = new Map<string, Entry>();
  for (const v of values) {
    const id = JSON.stringify([v.group, v.score, v.metric]);
    let entry = sets.get(id);
    if (entry === undefined) {
      entry = {
        set: { group: v.group, score: v.score, metric: v.metric },
        baseline: new Map(),
        treatment: new Map(),
        duplicates: 0,
        counts: { baseline: emptyCounts(), treatment: emptyCounts() },
        ranges: [],
      };
      sets.set(id, entry);
    }
    const side = entry[v.side];
    if (side.has(v.align)) {
      entry.duplicates++;
      continue;
    }
    side.set(v.align, v);
    const counts = entry.counts[v.side];
    counts.trials++;
    const status = v.status ?? (v.value === null ? "failed" : "scored");
    if (status !== "pending") counts[status]++;
    if (v.range) entry.ranges.push(v.range);
  }
  return [...sets.values()].map(toPairSet);
}

function toPairSet(entry: Entry): PairSet {
  const { baseline, treatment } = entry;
  const keys = [...baseline.keys()].filter((k) =>
    treatment.has(k) && baseline.get(k)!.value !== null && treatment.get(k)!.value !== null
  ).sort();
  const clustered = keys.some((k) => (baseline.get(k)!.cluster ?? null) !== null);
  return {
    ...entry.set,
    keys,
    baseline: keys.map((k) => baseline.get(k)!.value as number),
    treatment: keys.map((k) => treatment.get(k)!.value as number),
    unpaired: baseline.size + treatment.size - 2 * keys.length + entry.duplicates,
    clusters: clustered ? keys.map((k) => baseline.get(k)!.cluster ?? `\u0000item:${k}`) : null,
    range: unionRange(entry.ranges),
    counts: entry.counts,
  };
}

function countFields(counts: PairSet["counts"]) {
  const { baseline: b, treatment: t } = counts;
  return {
    n_trials_baseline: b.trials,
    n_trials_treatment: t.trials,
    n_scored_baseline: b.scored,
    n_scored_treatment: t.scored,
    n_invalid_baseline: b.invalid,
    n_invalid_treatment: t.invalid,
    n_failed_baseline: b.failed,
    n_failed_treatment: t.failed,
  };
}

/** The interval of the mean delta: paired bootstrap, or cluster-robust t; clipped. */
function deltaInterval(
  set: PairSet,
  bootstrap: { low: number; high: number },
  differences: number[],
  confidence: number,
) {
  const range = differenceRange(set.range);
  if (set.clusters !== null) {
    const c = clusteredPairedDifference(set.baseline, set.treatment, {
      clusters: set.clusters,
      confidence,
    });
    const ci = c.ci ? clipToRange(c.ci, range) : null;
    return { se: c.se, ci, method: ci ? "t_cluster" as const : null, clusters: c.clusters };
  }
  const se = summarize(differences, { confidence }).se;
  return { se, ci: clipToRange(bootstrap, range), method: "bootstrap" as const, clusters: null };
}

function testOne(set: PairSet, options: PairedTestOptions): PairedRow {
  const base = { ...set.group, score: set.score, metric: set.metric, unpaired: set.unpaired };
  const counts = countFields(set.counts);
  if (set.keys.length === 0) {
    return {
      ...base,
      n: 0,
      baseline_mean: null,
      treatment_mean: null,
      delta: null,
      se: null,
      ci_low: null,
      ci_high: null,
      ci_method: null,
      mde: null,
      clusters: null,
      test: null,
      p_value: null,
      p_adjusted: null,
      wins: 0,
      losses: 0,
      ties: 0,
      ...counts,
    };
  }
  const confidence = options.confidence ?? 0.95;
  const r = pairedCompare(set.baseline, set.treatment, {
    seed: options.seed,
    resamples: options.resamples ?? 2000,
    confidence,
  });
  const differences = set.treatment.map((t, i) => t - set.baseline[i]);
  const d = deltaInterval(set, r.ci, differences, confidence);
  return {
    ...base,
    n: r.n,
    baseline_mean: r.meanBaseline,
    treatment_mean: r.meanTreatment,
    delta: r.delta,
    se: d.se,
    ci_low: d.ci?.low ?? null,
    ci_high: d.ci?.high ?? null,
    ci_method: d.method,
    mde: d.se === null ? null : minimumDetectableEffect(d.se),
    clusters: d.clusters,
    test: r.mcnemar ? "mcnemar" : "wilcoxon",
    p_value: r.mcnemar ? r.mcnemar.pValue : r.wilcoxon.pValue,
    p_adjusted: null,
    wins: r.wins,
    losses: r.losses,
    ties: r.ties,
    ...counts,
  };
}

/**
 * Test every pair set (paired bootstrap interval of the mean delta, or the cluster-robust t
 * interval when the pairs name clusters, clipped to the range of a difference; McNemar's
 * exact test for 0/1 values, else Wilcoxon signed-rank; the minimum detectable effect at 80%
 * power for the delta's standard error) and correct the p-values across sets (Holm by
 * default, Benjamini–Hochberg with `bh`). Sets without a p-value stay out of the correction.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { alignPairs, testPairSets } from "./paired_groups.ts";
 * assert.deepEqual(testPairSets(alignPairs([]), { seed: 1 }), []);
 * ```
 */
export function testPairSets(
  sets: ReadonlyArray<PairSet>,
  options: PairedTestOptions,
): PairedRow[] {
  const rows = sets.map((set) => testOne(set, options));
  const tested = rows.filter((r) => r.p_value !== null);
  const p = tested.map((r) => r.p_value as number);
  const correction = options.correction ?? "holm";
  const adjusted = correction === "holm" ? holm(p) : correction === "bh" ? benjaminiHochberg(p) : p;
  tested.forEach((r, i) => (r.p_adjusted = adjusted[i]));
  return rows;
}
