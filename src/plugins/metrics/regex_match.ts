import type { JsonObject } from "../../core/json.ts";
import { type Metric, PLUGIN_API_VERSION } from "../types.ts";
import { BINARY } from "./metric_range.ts";
import { answerText, clip, readMetricConfig } from "./references.ts";

const ID = "regex_match";

function parseOptions(config: JsonObject): RegExp {
  const read = readMetricConfig(config, ID);
  read.only(["pattern", "flags"]);
  const pattern = read.requiredString("pattern");
  const flags = read.string("flags") ?? "";
  try {
    return new RegExp(pattern, flags.replace(/[gy]/g, ""));
  } catch (error) {
    return read.fail("pattern", `with flags "${flags}" is not a valid JavaScript regex: ${error}`);
  }
}

/**
 * `regex_match`: 1 when `pattern` (JavaScript syntax, searched anywhere; anchor it with `^…$`
 * for a full match) matches the prediction, else 0. Needs no reference. Config: `pattern`
 * (required), `flags` (default ""). Details: `match`, the matched text (clipped) or null.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { regexMatch } from "./regex_match.ts";
 * const input = { prediction: "Order #1234 shipped", text: "", item: {}, reference: undefined };
 * assert.ok(regexMatch.score(input, { pattern: "#\\d{4}\\b" }).value === 1);
 * ```
 */
export const regexMatch: Metric = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  range: BINARY,
  doc: {
    summary:
      "1 when `pattern` (JavaScript syntax, searched anywhere; anchor with `^…$`) matches the prediction, else 0. Needs no reference.",
    config: {
      pattern: "the regular expression (required)",
      flags: 'regex flags such as `"i"` (default `""`)',
    },
    example: 'metrics = [{ id = "regex_match", config = { pattern = "^\\\\d+$" } }]',
  },
  validateConfig(config) {
    parseOptions(config);
  },
  score(input, config) {
    const match = parseOptions(config).exec(answerText(input.prediction));
    return { value: match === null ? 0 : 1, details: { match: match && clip(match[0]) } };
  },
};
