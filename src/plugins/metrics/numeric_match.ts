import { ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import { parseNumber } from "../extractors/find_numbers.ts";
import { type Metric, PLUGIN_API_VERSION } from "../types.ts";
import { BINARY } from "./metric_range.ts";
import {
  answerText,
  bestOverReferences,
  clip,
  readMetricConfig,
  referencesOf,
} from "./references.ts";

const ID = "numeric_match";

interface Tolerance {
  absTol: number;
  relTol: number;
}

function parseOptions(config: JsonObject): Tolerance {
  const read = readMetricConfig(config, ID);
  read.only(["abs_tol", "rel_tol"]);
  return {
    absTol: read.number("abs_tol", { fallback: 0, min: 0 })!,
    relTol: read.number("rel_tol", { fallback: 0, min: 0 })!,
  };
}

/** A JSON number, or a string holding exactly one number ("1,234", "-3.5e2", "42."). */
function toNumber(value: Json): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string") return parseNumber(value);
  return undefined;
}

/**
 * Python's `math.isclose`: `|a - b| <= max(relTol * max(|a|, |b|), absTol)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isClose } from "./numeric_match.ts";
 * assert.ok(isClose(100, 101, { absTol: 0, relTol: 0.01 }));
 * assert.ok(!isClose(0.1 + 0.2, 0.3, { absTol: 0, relTol: 0 }));
 * ```
 */
export function isClose(a: number, b: number, tolerance: Tolerance): boolean {
  if (a === b) return true;
  const diff = Math.abs(a - b);
  return diff <= Math.max(tolerance.relTol * Math.max(Math.abs(a), Math.abs(b)), tolerance.absTol);
}

/**
 * `numeric_match`: 1 when the prediction is numerically equal to a reference within
 * `math.isclose` tolerances, else 0. Config: `abs_tol` and `rel_tol` (default 0: exact).
 * Numbers may be JSON numbers or strings of one number (`"1,234"`, `"-3.5e2"`). A prediction
 * that is not a number scores 0 (`details.reason`); a reference that is not a number is a data
 * error (`DATASET_INVALID`). Details: `prediction`, `reference`, `abs_diff`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numericMatch } from "./numeric_match.ts";
 * const input = { prediction: "1,234.0", text: "", item: {}, reference: 1234 };
 * assert.ok(numericMatch.score(input, {}).value === 1);
 * ```
 */
export const numericMatch: Metric = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  range: BINARY,
  doc: {
    summary:
      "1 when the prediction is numerically equal to a reference within Python's `math.isclose` tolerances, else 0. A prediction that is not a number scores 0.",
    config: {
      abs_tol: "absolute tolerance (default `0`)",
      rel_tol: "relative tolerance (default `0`: exact)",
    },
    example: 'metrics = [{ id = "numeric_match", config = { abs_tol = 0.01 } }]',
  },
  needsReference: true,
  validateConfig(config) {
    parseOptions(config);
  },
  score(input, config) {
    const tolerance = parseOptions(config);
    const references = referencesOf(input, { metric: ID, config }).map((reference) => {
      const value = toNumber(reference);
      if (value === undefined) {
        throw new ThemisError(
          "DATASET_INVALID",
          `${ID}: the reference ${clip(JSON.stringify(reference), 80)} is not a number`,
        );
      }
      return value;
    });
    const prediction = toNumber(input.prediction);
    if (prediction === undefined) {
      const shown = clip(answerText(input.prediction), 80);
      return { value: 0, details: { reason: `the prediction "${shown}" is not a number` } };
    }
    return bestOverReferences(references, (reference) => ({
      value: isClose(prediction, reference as number, tolerance) ? 1 : 0,
      details: { prediction, abs_diff: Math.abs(prediction - (reference as number)) },
    }));
  },
};
