import type { JsonObject } from "../../core/json.ts";
import { type Metric, PLUGIN_API_VERSION } from "../types.ts";
import { pythonSplit } from "./python_text.ts";
import { answerText, readMetricConfig } from "./references.ts";

const ID = "length";
const UNITS = ["chars", "words"] as const;

function parseUnit(config: JsonObject): typeof UNITS[number] {
  const read = readMetricConfig(config, ID);
  read.only(["unit"]);
  return read.oneOf("unit", UNITS, "chars");
}

/**
 * Length of `text` in Unicode code points (`chars`, so an emoji counts 1) or in words
 * separated by whitespace as Python's `str.split()` defines it (`words`), like the other
 * text metrics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measureLength } from "./length.ts";
 * assert.equal(measureLength("héllo 👋", "chars"), 7);
 * assert.equal(measureLength("  two   words ", "words"), 2);
 * ```
 */
export function measureLength(text: string, unit: "chars" | "words"): number {
  if (unit === "words") return pythonSplit(text).length;
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * `length`: the prediction's length (not a score in [0, 1]). Config: `unit` = `"chars"`
 * (default, Unicode code points) | `"words"` (whitespace-separated). Needs no reference.
 * Details: `unit`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { length } from "./length.ts";
 * const input = { prediction: "one two three", text: "", item: {}, reference: undefined };
 * assert.ok(length.score(input, { unit: "words" }).value === 3);
 * ```
 */
export const length: Metric = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  range: { min: 0, max: null },
  doc: {
    summary:
      "The prediction's length: Unicode code points, or words split as Python's `str.split()` does. Not a score in [0, 1].",
    config: {
      unit: '`"chars"` (default) or `"words"`',
    },
    example: 'metrics = [{ id = "length", config = { unit = "words" } }]',
  },
  validateConfig(config) {
    parseUnit(config);
  },
  score(input, config) {
    const unit = parseUnit(config);
    return { value: measureLength(answerText(input.prediction), unit), details: { unit } };
  },
};
