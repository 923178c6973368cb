import { type Metric, PLUGIN_API_VERSION } from "../types.ts";
import { BINARY } from "./metric_range.ts";
import { normalizeAnswer } from "./normalize_answer.ts";
import {
  answerText,
  bestOverReferences,
  clip,
  readMetricConfig,
  referencesOf,
} from "./references.ts";

const ID = "normalized_exact_match";

/**
 * `normalized_exact_match`: SQuAD v1.1 exact match — 1 when the prediction and a reference
 * are equal after `normalizeAnswer` (lowercase, no ASCII punctuation, no a/an/the, single
 * spaces). Details: both normalised strings (clipped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizedExactMatch } from "./normalized_exact_match.ts";
 * const input = { prediction: "the Eiffel Tower.", text: "", item: {}, reference: "Eiffel tower" };
 * assert.ok(normalizedExactMatch.score(input, {}).value === 1);
 * ```
 */
export const normalizedExactMatch: Metric = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  range: BINARY,
  doc: {
    summary:
      "SQuAD v1.1 exact match: 1 when the prediction and a reference are equal after SQuAD's `normalize_answer` (lowercase, no ASCII punctuation, no a/an/the, Python whitespace), else 0.",
    example: 'metrics = [{ id = "normalized_exact_match" }]',
  },
  needsReference: true,
  validateConfig(config) {
    readMetricConfig(config, ID).only([]);
  },
  score(input, config) {
    readMetricConfig(config, ID).only([]);
    const prediction = normalizeAnswer(answerText(input.prediction));
    return bestOverReferences(referencesOf(input, { metric: ID, config }), (reference) => {
      const normalized = normalizeAnswer(answerText(reference));
      return {
        value: normalized === prediction ? 1 : 0,
        details: { prediction: clip(prediction), normalized_reference: clip(normalized) },
      };
    });
  },
};
