/**
 * Pure pairing and testing of per-trial values: align two conditions item by item within
 * each group, compare them with the stats module, and correct the p-values across groups.
 */
import { benjaminiHochberg, holm, pairedCompare } from "./stats/mod.ts";

/** One per-trial value on one side of a comparison. */
export interface SideValue {
  /** Group keys (e.g. `{ slice: "math" }`), score and metric: the comparison it belongs to. */
  group: Record<string, unknown>;
  score: string;
  metric: string;
  /** What makes two values the same item (identity keys outside the compared factor). */
  align: string;
  side: "baseline" | "treatment";
  value: number;
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
  /** Values without a partner on the other side. */
  unpaired: number;
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

/** One comparison: treatment − baseline, its interval, test, corrected p-value and counts. */
export type PairedRow = Record<string, unknown> & {
  score: string;
  metric: string;
  n: number;
  unpaired: number;
  baseline_mean: number | null;
  treatment_mean: number | null;
  delta: number | null;
  ci_low: number | null;
  ci_high: number | null;
  /** `mcnemar` (exact) when every value is 0 or 1, else `wilcoxon` (signed-rank). */
  test: "mcnemar" | "wilcoxon" | null;
  p_value: number | null;
  p_adjusted: number | null;
  wins: number;
  losses: number;
  ties: number;
};

/**
 * Align values into pair sets: per (group, score, metric), the baseline and treatment values
 * sharing an alignment key, ordered by key so resampling is reproducible.
 *
 * @example
 * ```ts
 * import { alignPairs } from "./paired_groups.ts";
 * const v = (side: "baseline" | "treatment", align: string, value: number) =>
 *   ({ group: {}, score: "acc", metric: "em", align, side, value });
 * const [set] = alignPairs([v("baseline", "q1", 0), v("treatment", "q1", 1), v("baseline", "q2", 1)]);
 * console.assert(set.baseline.length === 1 && set.unpaired === 1);
 * ```
 */
export function alignPairs(values: Iterable<SideValue>): PairSet[] {
  const sets = new Map<string, {
    set: Omit<PairSet, "keys" | "baseline" | "treatment" | "unpaired">;
    baseline: Map<string, number>;
    treatment: Map<string, number>;
    duplicates: number;
  }>();
  for (const v of values) {
    const id = JSON.stringify([v.group, v.score, v.metric]);
    let entry = sets.get(id);
    if (entry === undefined) {
      entry = {
        set: { group: v.group, score: v.score, metric: v.metric },
        baseline: new Map(),
        treatment: new Map(),
        duplicates: 0,
      };
      sets.set(id, entry);
    }
    const side = entry[v.side];
    if (side.has(v.align)) entry.duplicates++;
    else side.set(v.align, v.value);
  }
  return [...sets.values()].map(({ set, baseline, treatment, duplicates }) => {
    const keys = [...baseline.keys()].filter((k) => treatment.has(k)).sort();
    return {
      ...set,
      keys,
      baseline: keys.map((k) => baseline.get(k)!),
      treatment: keys.map((k) => treatment.get(k)!),
      unpaired: baseline.size + treatment.size - 2 * keys.length + duplicates,
    };
  });
}

function testOne(set: PairSet, options: PairedTestOptions): PairedRow {
  const base = { ...set.group, score: set.score, metric: set.metric, unpaired: set.unpaired };
  if (set.keys.length === 0) {
    return {
      ...base,
      n: 0,
      baseline_mean: null,
      treatment_mean: null,
      delta: null,
      ci_low: null,
      ci_high: null,
      test: null,
      p_value: null,
      p_adjusted: null,
      wins: 0,
      losses: 0,
      ties: 0,
    };
  }
  const r = pairedCompare(set.baseline, set.treatment, {
    seed: options.seed,
    resamples: options.resamples ?? 2000,
    confidence: options.confidence ?? 0.95,
  });
  return {
    ...base,
    n: r.n,
    baseline_mean: r.meanBaseline,
    treatment_mean: r.meanTreatment,
    delta: r.delta,
    ci_low: r.ci.low,
    ci_high: r.ci.high,
    test: r.mcnemar ? "mcnemar" : "wilcoxon",
    p_value: r.mcnemar ? r.mcnemar.pValue : r.wilcoxon.pValue,
    p_adjusted: null,
    wins: r.wins,
    losses: r.losses,
    ties: r.ties,
  };
}

/**
 * Test every pair set (paired bootstrap interval of the mean delta; McNemar's exact test for
 * 0/1 values, else Wilcoxon signed-rank) and correct the p-values across sets (Holm by
 * default, Benjamini–Hochberg with `bh`). Sets without a p-value stay out of the correction.
 *
 * @example
 * ```ts
 * import { alignPairs, testPairSets } from "./paired_groups.ts";
 * const rows = testPairSets(alignPairs([]), { seed: 1 });
 * console.assert(rows.length === 0);
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
