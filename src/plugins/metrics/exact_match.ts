import type { JsonObject } from "../../core/json.ts";
import { type Metric, PLUGIN_API_VERSION } from "../types.ts";
import { BINARY } from "./metric_range.ts";
import {
  answerText,
  bestOverReferences,
  clip,
  readMetricConfig,
  referencesOf,
} from "./references.ts";

const ID = "exact_match";

function parseOptions(config: JsonObject): { caseSensitive: boolean } {
  const read = readMetricConfig(config, ID);
  read.only(["case_sensitive"]);
  return { caseSensitive: read.boolean("case_sensitive", true) };
}

/**
 * `exact_match`: 1 when the prediction equals a reference after `String()` and trimming, else
 * 0. Config: `case_sensitive` (default true). Details: `prediction` (as compared, clipped) and
 * the best `reference`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exactMatch } from "./exact_match.ts";
 * const input = { prediction: " Paris ", text: "", item: {}, reference: ["London", "Paris"] };
 * assert.ok(exactMatch.score(input, {}).value === 1);
 * ```
 */
export const exactMatch: Metric = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  range: BINARY,
  doc: {
    summary: "1 when the prediction equals a reference after `String()` and trimming, else 0.",
    config: {
      case_sensitive: "compare letter case too (default `true`)",
    },
    example: 'metrics = [{ id = "exact_match", config = { case_sensitive = false } }]',
  },
  needsReference: true,
  validateConfig(config) {
    parseOptions(config);
  },
  score(input, config) {
    const { caseSensitive } = parseOptions(config);
    const fold = (s: string) => caseSensitive ? s.trim() : s.trim().toLowerCase();
    const prediction = fold(answerText(input.prediction));
    return bestOverReferences(referencesOf(input, { metric: ID, config }), (reference) => ({
      value: fold(answerText(reference)) === prediction ? 1 : 0,
      details: { prediction: clip(prediction) },
    }));
  },
};
