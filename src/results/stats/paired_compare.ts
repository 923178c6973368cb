/**
 * Paired comparison of two conditions scored on the same items (baseline vs treatment).
 *
 * @module
 */

import { ThemisError } from "../../core/errors.ts";
import { assertFiniteValues } from "./_validate.ts";
import { bootstrapCi, type BootstrapInterval } from "./bootstrap_ci.ts";
import { mcnemarExact, type McnemarResult } from "./mcnemar_exact.ts";
import { mean } from "./mean.ts";
import { type WilcoxonResult, wilcoxonSignedRank } from "./wilcoxon_signed_rank.ts";

/** Options of {@link pairedCompare}. */
export interface PairedCompareOptions {
  /** Seed of the paired bootstrap; the same seed always gives the same interval. */
  seed: number;
  /** Number of bootstrap resamples, an integer >= 1. */
  resamples?: number;
  /** Two-sided confidence level of the interval, strictly between 0 and 1. */
  confidence?: number;
}

/** Everything a paired comparison reports; `delta` and `ci` are treatment − baseline. */
export interface PairedComparison {
  n: number;
  meanBaseline: number;
  meanTreatment: number;
  /** Mean of the per-item differences treatment − baseline. */
  delta: number;
  /** Paired percentile bootstrap interval of `delta` (items are resampled as pairs). */
  ci: BootstrapInterval;
  /** Wilcoxon signed-rank test of treatment − baseline. */
  wilcoxon: WilcoxonResult;
  /**
   * Exact McNemar test when every score is 0 or 1, else null. b counts items only the
   * baseline got right, c items only the treatment got right.
   */
  mcnemar: McnemarResult | null;
  /** Items where treatment > baseline, treatment < baseline, and equal. */
  wins: number;
  losses: number;
  ties: number;
}

function isBinary(values: readonly number[]): boolean {
  return values.every((v) => v === 0 || v === 1);
}

/**
 * Compares `treatment` with `baseline`, two score arrays the caller has aligned by item
 * (index i of both is the same item). Reports both means, the mean difference with a paired
 * bootstrap interval ({@link bootstrapCi} of the differences), the Wilcoxon signed-rank test,
 * McNemar's exact test for 0/1 scores, and win/loss/tie counts. Throws a `QUERY_INVALID`
 * ThemisError when the arrays differ in length, are empty, or hold non-finite values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairedCompare } from "./paired_compare.ts";
 * const r = pairedCompare([0, 1, 0, 1, 0], [1, 1, 1, 1, 0], { seed: 1, resamples: 500 });
 * assert.ok(r.delta === 0.4 && r.wins === 2 && r.mcnemar?.c === 2);
 * ```
 */
export function pairedCompare(
  baseline: readonly number[],
  treatment: readonly number[],
  { seed, resamples = 10_000, confidence = 0.95 }: PairedCompareOptions,
): PairedComparison {
  const fn = "pairedCompare()";
  assertFiniteValues(baseline, { name: "baseline", fn });
  assertFiniteValues(treatment, { name: "treatment", fn });
  if (baseline.length !== treatment.length) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: baseline has ${baseline.length} scores but treatment has ${treatment.length}; ` +
        `align both by item id (drop items missing from either side) before comparing`,
      { path: "treatment" },
    );
  }
  if (baseline.length === 0) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: no items to compare; baseline and treatment are empty`,
      { path: "baseline" },
    );
  }
  const differences = treatment.map((t, i) => t - baseline[i]);
  let wins = 0;
  let losses = 0;
  for (let i = 0; i < baseline.length; i++) {
    if (treatment[i] > baseline[i]) wins++;
    else if (treatment[i] < baseline[i]) losses++;
  }
  let mcnemar: McnemarResult | null = null;
  if (isBinary(baseline) && isBinary(treatment)) mcnemar = mcnemarExact(losses, wins);
  return {
    n: baseline.length,
    meanBaseline: mean(baseline),
    meanTreatment: mean(treatment),
    delta: mean(differences),
    ci: bootstrapCi(differences, { seed, resamples, confidence }),
    wilcoxon: wilcoxonSignedRank(treatment, baseline),
    mcnemar,
    wins,
    losses,
    ties: baseline.length - wins - losses,
  };
}
