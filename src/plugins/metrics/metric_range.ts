import type { JsonObject } from "../../core/json.ts";
import type { Metric, MetricRange } from "../types.ts";

/** The range of a metric that declares none: no bounds, nothing is clipped. */
export const UNBOUNDED: MetricRange = { min: null, max: null };

/** 0/1 metrics: proportion intervals, failing value 0. */
export const BINARY: MetricRange = { min: 0, max: 1, binary: true };

/** Scores in [0, 1] that take values in between (F1, BLEU/100, ROUGE). */
export const UNIT_INTERVAL: MetricRange = { min: 0, max: 1 };

/**
 * The range of `metric` with `config`: its `rangeFor(config)` when the range depends on the
 * config (a judge's scale), else its declared `range`, else {@link UNBOUNDED}. Aggregates pick
 * interval methods and clip intervals with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricRange } from "./metric_range.ts";
 * import { exactMatch } from "./exact_match.ts";
 * import { llmJudge } from "./llm_judge.ts";
 * assert.deepEqual(metricRange(exactMatch, {}), { min: 0, max: 1, binary: true });
 * assert.deepEqual(metricRange(llmJudge, { provider: "mock", rubric: "x", scale: [1, 5] }), { min: 0, max: 1 });
 * ```
 */
export function metricRange(metric: Metric, config: JsonObject): MetricRange {
  return metric.rangeFor?.(config) ?? metric.range ?? UNBOUNDED;
}

/**
 * The value an invalid answer scores under `on_invalid = "zero"`: the range's minimum (the
 * metric's worst value), or 0 when the metric has no lower bound.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failingValue } from "./metric_range.ts";
 * assert.equal(failingValue({ min: 0, max: 1, binary: true }), 0);
 * assert.equal(failingValue({ min: -1, max: 1 }), -1);
 * assert.equal(failingValue({ min: null, max: null }), 0);
 * ```
 */
export function failingValue(range: MetricRange): number {
  return range.min ?? 0;
}
