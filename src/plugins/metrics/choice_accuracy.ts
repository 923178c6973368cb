import { ThemisError } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";
import { type Metric, PLUGIN_API_VERSION } from "../types.ts";
import { BINARY } from "./metric_range.ts";
import {
  answerText,
  bestOverReferences,
  clip,
  readMetricConfig,
  referencesOf,
} from "./references.ts";

const ID = "choice_accuracy";
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** "B", "b", "(B)", "B." → "B"; a 0-based index number → its letter; else undefined. */
function toLetter(value: Json): string | undefined {
  if (typeof value === "number") {
    return Number.isInteger(value) && value >= 0 && value < LETTERS.length
      ? LETTERS[value]
      : undefined;
  }
  // A choice with its formatting is a few characters; this also keeps the regex below linear.
  if (typeof value !== "string" || value.length > 64) return undefined;
  const core = value.trim().replace(/^[\s([*"'`]+|[\s)\].:*"'`]+$/g, "");
  return /^[A-Za-z0-9]$/.test(core) ? core.toUpperCase() : undefined;
}

/**
 * `choice_accuracy`: 1 when the predicted choice equals the reference choice, else 0. Letters
 * compare case-insensitively and may carry light formatting (`(b)`, `B.`); a number is a
 * 0-based index (0 → A). A prediction that is not a choice scores 0 (`details.reason`); a
 * reference that is not one is a data error (`DATASET_INVALID`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { choiceAccuracy } from "./choice_accuracy.ts";
 * const input = { prediction: "c", text: "", item: {}, reference: 2 };
 * assert.ok(choiceAccuracy.score(input, {}).value === 1);
 * ```
 */
export const choiceAccuracy: Metric = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  range: BINARY,
  doc: {
    summary:
      "1 when the predicted choice letter equals the reference choice (a letter, or a 0-based index), else 0.",
    example: 'metrics = [{ id = "choice_accuracy" }]',
  },
  needsReference: true,
  validateConfig(config) {
    readMetricConfig(config, ID).only([]);
  },
  score(input, config) {
    readMetricConfig(config, ID).only([]);
    const references = referencesOf(input, { metric: ID, config }).map((reference) => {
      const letter = toLetter(reference);
      if (letter === undefined) {
        throw new ThemisError(
          "DATASET_INVALID",
          `${ID}: the reference ${clip(JSON.stringify(reference), 80)} is neither a choice ` +
            `letter nor a 0-based index`,
        );
      }
      return letter;
    });
    const prediction = toLetter(input.prediction);
    if (prediction === undefined) {
      const shown = clip(answerText(input.prediction), 80);
      return {
        value: 0,
        details: { reason: `the prediction "${shown}" is not a choice letter` },
      };
    }
    return bestOverReferences(references, (reference) => ({
      value: reference === prediction ? 1 : 0,
      details: { prediction },
    }));
  },
};
