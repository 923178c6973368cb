/** The range of a planned score's metric, and the range of a group mixing several. */
import type { PlannedScore } from "../plan/plan_trials.ts";
import { builtinMetrics } from "../plugins/metrics/mod.ts";
import { metricRange, UNBOUNDED } from "../plugins/metrics/metric_range.ts";
import type { MetricRange } from "../plugins/types.ts";

const BUILTIN = new Map(builtinMetrics.map((m) => [m.id, m]));

/**
 * The range of metric `index` of a planned score: the one the manifest recorded when the run
 * was planned, else (manifests written before ranges existed) the built-in metric's with the
 * score's config, else unbounded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rangeOf } from "./metric_ranges.ts";
 * const score = { hash: "h", taskId: "t", name: "acc", parseHash: null, parseName: null,
 *   metrics: [{ id: "exact_match", config: {} }, { id: "mine", config: {} }], reduction: "mean" as const };
 * assert.deepEqual(rangeOf(score, 0), { min: 0, max: 1, binary: true });
 * assert.deepEqual(rangeOf(score, 1), { min: null, max: null });
 * ```
 */
export function rangeOf(score: PlannedScore, index: number): MetricRange {
  const recorded = score.ranges?.[index];
  if (recorded !== undefined) return recorded;
  const ref = score.metrics[index];
  const builtin = ref === undefined ? undefined : BUILTIN.get(ref.id);
  return builtin === undefined ? UNBOUNDED : metricRange(builtin, ref.config);
}

/**
 * The range that holds every range of a group (values of scores with different ranges in
 * one group): the lowest minimum, the highest maximum, binary only when all are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unionRange } from "./metric_ranges.ts";
 * assert.deepEqual(unionRange([{ min: 0, max: 1, binary: true }, { min: 0, max: 1 }]), { min: 0, max: 1 });
 * assert.deepEqual(unionRange([{ min: 0, max: 1 }, { min: 0, max: null }]), { min: 0, max: null });
 * ```
 */
export function unionRange(ranges: ReadonlyArray<MetricRange>): MetricRange {
  if (ranges.length === 0) return UNBOUNDED;
  // A loop, not Math.min(...): a group of a million trials passes a million ranges.
  let min: number | null = Infinity;
  let max: number | null = -Infinity;
  let binary = true;
  for (const r of ranges) {
    min = min === null || r.min === null ? null : Math.min(min, r.min);
    max = max === null || r.max === null ? null : Math.max(max, r.max);
    binary &&= r.binary === true;
  }
  return binary ? { min, max, binary } : { min, max };
}
