import { ThemisError } from "../../core/errors.ts";
import type { JsonObject } from "../../core/json.ts";
import { type Metric, type MetricResult, PLUGIN_API_VERSION } from "../types.ts";
import { BINARY } from "./metric_range.ts";
import { answerText, bestOverReferences, readMetricConfig, referencesOf } from "./references.ts";

const ID = "contains";

function parseOptions(config: JsonObject): { caseSensitive: boolean } {
  const read = readMetricConfig(config, ID);
  read.only(["case_sensitive"]);
  return { caseSensitive: read.boolean("case_sensitive", false) };
}

/**
 * `contains`: 1 when a reference occurs inside the prediction (the raw text when the score
 * reads no parse), else 0. Config: `case_sensitive` (default false). An empty reference is a
 * data error (`DATASET_INVALID`): every text would contain it. Details: the best `reference`
 * and, on a match, its UTF-16 offset `at`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contains } from "./contains.ts";
 * const input = { prediction: "I think it's PARIS.", text: "", item: {}, reference: "Paris" };
 * assert.ok(contains.score(input, {}).value === 1);
 * ```
 */
export const contains: Metric = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  range: BINARY,
  doc: {
    summary:
      "1 when a reference occurs inside the prediction (the raw text when the score reads no parse), else 0. An empty reference is a data error.",
    config: {
      case_sensitive: "compare letter case too (default `false`)",
    },
    example: 'metrics = [{ id = "contains" }]',
  },
  needsReference: true,
  validateConfig(config) {
    parseOptions(config);
  },
  score(input, config) {
    const { caseSensitive } = parseOptions(config);
    const fold = (s: string) => caseSensitive ? s : s.toLowerCase();
    const haystack = fold(answerText(input.prediction));
    return bestOverReferences(
      referencesOf(input, { metric: ID, config }),
      (reference): MetricResult => {
        const needle = fold(answerText(reference));
        if (needle.trim() === "") {
          throw new ThemisError(
            "DATASET_INVALID",
            `${ID}: a reference is empty, and every text contains the empty string; fix the item`,
          );
        }
        const at = haystack.indexOf(needle);
        return at === -1 ? { value: 0, details: {} } : { value: 1, details: { at } };
      },
    );
  },
};
