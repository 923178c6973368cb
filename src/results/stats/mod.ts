/**
 * Pure statistics for themis results: descriptive summaries, bootstrap intervals, proportion
 * intervals and intervals clipped to a metric's range, cluster-robust standard errors, power
 * analysis, paired comparisons, rank and exact tests, p-value adjustments, and the special
 * functions behind them. No I/O, no clock, no ambient randomness: every random draw comes from a seeded
 * xoshiro128** generator. Each function documents the SciPy/NumPy call it reproduces;
 * `scripts/stats_reference.py` generates the reference numbers the tests compare against.
 *
 * @module
 */

export { benjaminiHochberg, holm } from "./adjust_p_values.ts";
export { betaQuantile, type BetaQuantileOptions } from "./beta_quantile.ts";
export { binomialCdf, type BinomialOptions, binomialPmf } from "./binomial.ts";
export { bootstrapCi, type BootstrapInterval, type BootstrapOptions } from "./bootstrap_ci.ts";
export {
  type ClusteredMean,
  clusteredMean,
  type ClusteredMeanOptions,
  clusteredPairedDifference,
  type ClusterInterval,
  type ClusterKey,
} from "./clustered_mean.ts";
export { type IncompleteBetaOptions, regularizedIncompleteBeta } from "./incomplete_beta.ts";
export { logBeta, logGamma } from "./log_gamma.ts";
export { mcnemarExact, type McnemarResult } from "./mcnemar_exact.ts";
export { compensatedSum, mean } from "./mean.ts";
export {
  clipToRange,
  differenceRange,
  type IntervalMethod,
  type MetricInterval,
  metricInterval,
  type MetricIntervalOptions,
} from "./metric_interval.ts";
export {
  detectableNoncentrality,
  type ItemsNeeded,
  itemsToDetect,
  minimumDetectableEffect,
  type PowerOptions,
  type SpreadOptions,
} from "./minimum_detectable_effect.ts";
export { erfc, normalCdf, normalQuantile } from "./normal.ts";
export {
  pairedCompare,
  type PairedCompareOptions,
  type PairedComparison,
} from "./paired_compare.ts";
export { percentile, percentileSorted } from "./percentile.ts";
export {
  clopperPearsonInterval,
  type ProportionInterval,
  proportionInterval,
  type ProportionIntervalOptions,
  type ProportionMethod,
  wilsonInterval,
} from "./proportion_interval.ts";
export { studentTCdf, studentTQuantile, studentTSf } from "./student_t.ts";
export { summarize, type SummarizeOptions, type Summary, type TInterval } from "./summarize.ts";
export {
  WILCOXON_EXACT_MAX_N,
  WILCOXON_PERMUTATION_MAX_N,
  type WilcoxonMethod,
  type WilcoxonResult,
  wilcoxonSignedRank,
} from "./wilcoxon_signed_rank.ts";
export { createXoshiro128, type RandomSource } from "./xoshiro128.ts";
