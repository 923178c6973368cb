/**
 * Cluster-robust standard errors of a mean and of a paired mean difference ("Adding Error
 * Bars to Evals", Miller 2024, §2.2): items that share a passage, a prompt template or a
 * source document are not independent, and the plain sd/√n understates the error.
 *
 * @module
 */

import { ThemisError } from "../../core/errors.ts";
import { assertConfidence, assertFiniteValues } from "./_validate.ts";
import { compensatedSum, mean } from "./mean.ts";
import { studentTQuantile } from "./student_t.ts";

/** A cluster label: items with equal labels (by `===`) form one cluster. */
export type ClusterKey = string | number;

/** Options of {@link clusteredMean}. */
export interface ClusteredMeanOptions {
  /** One label per value, aligned by index. */
  clusters: readonly ClusterKey[];
  /** Two-sided confidence level, strictly between 0 and 1 (default 0.95). */
  confidence?: number;
}

/** A t interval with G − 1 degrees of freedom (G clusters). */
export interface ClusterInterval {
  low: number;
  high: number;
  method: "t_cluster";
  df: number;
  confidence: number;
}

/** A mean with its cluster-robust standard error; null fields need at least two clusters. */
export interface ClusteredMean {
  n: number;
  /** G, the number of distinct clusters. */
  clusters: number;
  mean: number;
  /** CR1 standard error: √(G/(G − 1) · Σ_g (Σ_{i∈g} (x_i − x̄))²) / n. */
  se: number | null;
  ci: ClusterInterval | null;
}

function checkClusters(length: number, clusters: readonly ClusterKey[], fn: string): void {
  if (!Array.isArray(clusters) || clusters.length !== length) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: clusters must hold one label per value (${length}), got ` +
        `${Array.isArray(clusters) ? clusters.length : typeof clusters}`,
      { path: "clusters" },
    );
  }
  const bad = clusters.findIndex((c) =>
    !(typeof c === "string" || (typeof c === "number" && Number.isFinite(c)))
  );
  if (bad !== -1) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: clusters[${bad}] is ${String(clusters[bad])}; a cluster label must be a string ` +
        `or a finite number (give items without a cluster a label of their own)`,
      { path: `clusters[${bad}]` },
    );
  }
}

/** Σ_g (Σ_{i∈g} (x_i − m))², the "meat" of the sandwich for an intercept-only model. */
function clusterScoreSquares(
  values: readonly number[],
  m: number,
  clusters: readonly ClusterKey[],
) {
  const groups = new Map<ClusterKey, number[]>();
  values.forEach((v, i) => {
    const residuals = groups.get(clusters[i]);
    if (residuals === undefined) groups.set(clusters[i], [v - m]);
    else residuals.push(v - m);
  });
  const squares: number[] = [];
  for (const residuals of groups.values()) squares.push(compensatedSum(residuals) ** 2);
  return { groups: groups.size, meat: compensatedSum(squares) };
}

/**
 * The mean of `values` with its cluster-robust standard error, equal to statsmodels'
 * `OLS(values, ones).fit(cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True)`
 * (`bse[0]` and `conf_int()`): the CR1 sandwich with statsmodels' default small-sample
 * correction G/(G − 1)·(n − 1)/(n − k), which for the mean (k = 1) is G/(G − 1), and a t
 * interval with G − 1 degrees of freedom (statsmodels' `df_correction`). With every item its
 * own cluster the SE is the ordinary sd/√n. Fewer than two clusters leave `se` and `ci` null.
 * Throws `QUERY_INVALID` for no values, non-finite values or misaligned labels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clusteredMean } from "./clustered_mean.ts";
 * // Two passages, two questions each: the answers within a passage move together.
 * const r = clusteredMean([1, 1, 0, 0], { clusters: ["p1", "p1", "p2", "p2"] });
 * assert.equal(r.mean, 0.5);
 * assert.equal(r.se, 0.5); // √(2/1 · (1² + 1²)) / 4; the iid SE would be 0.289
 * ```
 */
export function clusteredMean(
  values: readonly number[],
  { clusters, confidence = 0.95 }: ClusteredMeanOptions,
): ClusteredMean {
  const fn = "clusteredMean()";
  assertFiniteValues(values, { name: "values", fn });
  assertConfidence(confidence, { fn });
  checkClusters(values.length, clusters, fn);
  const n = values.length;
  if (n === 0) {
    throw new ThemisError("QUERY_INVALID", `${fn}: values is empty; nothing to average`, {
      path: "values",
    });
  }
  const m = mean(values);
  const { groups, meat } = clusterScoreSquares(values, m, clusters);
  if (groups < 2) return { n, clusters: groups, mean: m, se: null, ci: null };
  const se = Math.sqrt((groups / (groups - 1)) * meat) / n;
  const df = groups - 1;
  const t = studentTQuantile((1 + confidence) / 2, df);
  return {
    n,
    clusters: groups,
    mean: m,
    se,
    ci: { low: m - t * se, high: m + t * se, method: "t_cluster", df, confidence },
  };
}

/**
 * The paired mean difference treatment − baseline with a cluster-robust standard error: the
 * {@link clusteredMean} of the per-item differences (statsmodels: OLS of the differences on a
 * constant, `cov_type="cluster"`). Items are aligned by index and `clusters` labels them.
 * Throws `QUERY_INVALID` when the arrays differ in length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clusteredPairedDifference } from "./clustered_mean.ts";
 * const r = clusteredPairedDifference([0, 1, 0, 1], [1, 1, 1, 1], { clusters: [1, 1, 2, 2] });
 * assert.equal(r.mean, 0.5);
 * assert.equal(r.clusters, 2);
 * ```
 */
export function clusteredPairedDifference(
  baseline: readonly number[],
  treatment: readonly number[],
  options: ClusteredMeanOptions,
): ClusteredMean {
  const fn = "clusteredPairedDifference()";
  assertFiniteValues(baseline, { name: "baseline", fn });
  assertFiniteValues(treatment, { name: "treatment", fn });
  if (baseline.length !== treatment.length) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: baseline has ${baseline.length} scores but treatment has ${treatment.length}; ` +
        `align both by item id before comparing`,
      { path: "treatment" },
    );
  }
  return clusteredMean(treatment.map((t, i) => t - baseline[i]), options);
}
