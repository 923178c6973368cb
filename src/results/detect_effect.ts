/**
 * How many items a comparison needs to detect a difference ("Adding Error Bars to Evals",
 * Miller 2024, §4): from a per-item standard deviation, or from the paired comparisons of an
 * earlier run, whose standard errors (cluster-robust ones included) carry the design effect.
 */
import { ThemisError } from "../core/errors.ts";
import { compareConditions } from "./compare_conditions.ts";
import { primaryMetric } from "./leaderboard.ts";
import type { ResultScope } from "./_scope.ts";
import { itemsToDetect, minimumDetectableEffect, type PowerOptions } from "./stats/mod.ts";

/** One answer: the spread it plans with and the items it needs. */
export interface DetectRow {
  /** What the spread comes from: `sd` (given) or a comparison of the run (`b → t`). */
  source: string;
  /** The score compared (from a run). */
  score: string | null;
  /** The metric compared (from a run). */
  metric: string | null;
  /** Per-item sd of the differences (given, or se·√n of the comparison). */
  sd: number;
  /** The comparison's standard error and pairs (from a run). */
  se: number | null;
  /** The comparison's pairs (from a run). */
  n: number | null;
  /** Its clusters, for a clustered score (from a run). */
  clusters: number | null;
  /** The minimum detectable effect at the comparison's own size (from a run). */
  mde: number | null;
  /** Items (pairs) needed to detect `delta` with the power asked for: ⌈exact⌉. */
  items: number;
  /** The same, before rounding up. */
  exact: number;
  /** With a planned size: its pairs and their minimum detectable effect. */
  planned_items: number | null;
  /** The minimum detectable effect of the planned size. */
  planned_mde: number | null;
}

/** What a detection estimate is about. */
export interface DetectOptions extends PowerOptions {
  /** The true difference to detect (e.g. 0.02 = 2 points of accuracy). */
  delta: number;
  /** Pairs the planned run will compare (e.g. its trials per model), for its MDE. */
  plannedItems?: number;
}

function plannedFields(sd: number, options: DetectOptions) {
  const n = options.plannedItems;
  if (n === undefined || !(n > 0)) return { planned_items: null, planned_mde: null };
  return { planned_items: n, planned_mde: minimumDetectableEffect(sd / Math.sqrt(n), options) };
}

/**
 * Items needed to detect `delta` for a per-item sd of the paired differences (a guess, or a
 * pilot's): n = (λ·sd/δ)², λ = 2.80 at α = 0.05 and 80% power.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectWithSd } from "./detect_effect.ts";
 * const r = detectWithSd(0.5, { delta: 0.03, plannedItems: 400 });
 * assert.equal(r.items, 2181);
 * assert.ok(Math.abs(r.planned_mde! - 0.0700395446753395) < 1e-12);
 * ```
 */
export function detectWithSd(sd: number, options: DetectOptions): DetectRow {
  const needed = itemsToDetect(options.delta, { ...options, sd });
  return {
    source: "sd",
    score: null,
    metric: null,
    sd,
    se: null,
    n: null,
    clusters: null,
    mde: null,
    items: needed.items,
    exact: needed.exact,
    ...plannedFields(sd, options),
  };
}

/**
 * Items needed to detect `delta`, per paired comparison of a run: each model against the
 * first (or each prompt variant against the first when the run has one model), over all its
 * slices, on one score × metric (default: the first). The spread is the comparison's own
 * standard error and n (cluster-robust when the score names a cluster field), so the answer
 * carries the run's design effect. Comparisons whose differences are all equal (se 0) are
 * left out.
 */
export async function detectFromRun(
  scope: ResultScope,
  options: DetectOptions & { metric?: string },
): Promise<DetectRow[]> {
  const metric = options.metric ?? primaryMetric(scope);
  const models = [...new Set(scope.manifest.experiment.models.map((m) => m.model_id))];
  const variants = [
    ...new Set(scope.manifest.experiment.tasks.flatMap((t) => t.prompts.map((p) => p.id))),
  ];
  const factor = models.length > 1 ? "model" : variants.length > 1 ? "prompt_variant" : null;
  if (factor === null || metric === undefined) {
    throw new ThemisError(
      "QUERY_INVALID",
      `Run ${scope.runId} has nothing to compare (one model, one prompt variant${
        metric === undefined ? ", no score" : ""
      }); give the spread with --sd instead`,
    );
  }
  const levels = factor === "model" ? models : variants;
  const out: DetectRow[] = [];
  for (const level of levels.slice(1)) {
    const rows = await compareConditions(scope, {
      baseline: { [factor]: levels[0] },
      treatment: { [factor]: level },
      metric,
      groupBy: [],
      correction: "none",
    });
    for (const r of rows) {
      if (r.se === null || !(r.se > 0)) continue;
      const needed = itemsToDetect(options.delta, { ...options, se: r.se, n: r.n });
      const sd = r.se * Math.sqrt(r.n);
      out.push({
        source: `${levels[0]} → ${level}`,
        score: r.score,
        metric: r.metric,
        sd,
        se: r.se,
        n: r.n,
        clusters: r.clusters,
        mde: minimumDetectableEffect(r.se, options),
        items: needed.items,
        exact: needed.exact,
        ...plannedFields(sd, options),
      });
    }
  }
  return out;
}
