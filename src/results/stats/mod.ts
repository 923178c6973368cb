/**
 * Pure statistics for themis results: descriptive summaries, bootstrap intervals, paired
 * comparisons, rank and exact tests, p-value adjustments, and the special functions behind
 * them. No I/O, no clock, no ambient randomness: every random draw comes from a seeded
 * xoshiro128** generator. Each function documents the SciPy/NumPy call it reproduces;
 * `scripts/stats_reference.py` generates the reference numbers the tests compare against.
 *
 * @module
 */

export { benjaminiHochberg, holm } from "./adjust_p_values.ts";
export { binomialCdf, type BinomialOptions, binomialPmf } from "./binomial.ts";
export { bootstrapCi, type BootstrapInterval, type BootstrapOptions } from "./bootstrap_ci.ts";
export { type IncompleteBetaOptions, regularizedIncompleteBeta } from "./incomplete_beta.ts";
export { logBeta, logGamma } from "./log_gamma.ts";
export { mcnemarExact, type McnemarResult } from "./mcnemar_exact.ts";
export { compensatedSum, mean } from "./mean.ts";
export { erfc, normalCdf, normalQuantile } from "./normal.ts";
export {
  pairedCompare,
  type PairedCompareOptions,
  type PairedComparison,
} from "./paired_compare.ts";
export { percentile, percentileSorted } from "./percentile.ts";
export { studentTCdf, studentTQuantile, studentTSf } from "./student_t.ts";
export { summarize, type SummarizeOptions, type Summary, type TInterval } from "./summarize.ts";
export {
  WILCOXON_EXACT_MAX_N,
  type WilcoxonResult,
  wilcoxonSignedRank,
} from "./wilcoxon_signed_rank.ts";
export { createXoshiro128, type RandomSource } from "./xoshiro128.ts";
