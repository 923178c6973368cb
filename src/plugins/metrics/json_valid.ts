import type { Json } from "../../core/json.ts";
import { readMetricConfig } from "./references.ts";
import { type Metric, type MetricResult, PLUGIN_API_VERSION } from "../types.ts";
import { BINARY } from "./metric_range.ts";

const ID = "json_valid";

/**
 * The prediction as a JSON document: a string (model output, or raw text) must parse as JSON
 * as a whole; any other value already is JSON (an answer from a parse).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePrediction } from "./json_valid.ts";
 * const parsed = parsePrediction('{"a": 1}');
 * assert.ok(parsed.ok && JSON.stringify(parsed.value) === '{"a":1}');
 * assert.ok(!parsePrediction("{a: 1}").ok);
 * ```
 */
export function parsePrediction(
  prediction: Json,
): { ok: true; value: Json } | { ok: false; error: string } {
  if (typeof prediction !== "string") return { ok: true, value: prediction };
  try {
    return { ok: true, value: JSON.parse(prediction) as Json };
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${(error as Error).message.slice(0, 200)}` };
  }
}

/**
 * `json_valid`: 1 when the prediction parses as JSON (the whole string, surrounding whitespace
 * allowed, no markdown fences — parse with the `json` extractor first to accept those), else 0
 * with `details.reason`. A non-string prediction (an answer from a parse) is valid. Needs no
 * reference, no config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonValid } from "./json_valid.ts";
 * const input = { prediction: ' [1, 2] ', text: "", item: {}, reference: undefined };
 * assert.ok(jsonValid.score(input, {}).value === 1);
 * ```
 */
export const jsonValid: Metric = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  range: BINARY,
  doc: {
    summary:
      "1 when the prediction parses as JSON as a whole (an answer from a parse is already JSON), else 0. Needs no reference.",
    example: 'metrics = [{ id = "json_valid" }]',
  },
  validateConfig(config) {
    readMetricConfig(config, ID).only([]);
  },
  score(input, config): MetricResult {
    readMetricConfig(config, ID).only([]);
    const parsed = parsePrediction(input.prediction);
    return parsed.ok ? { value: 1, details: {} } : { value: 0, details: { reason: parsed.error } };
  },
};
