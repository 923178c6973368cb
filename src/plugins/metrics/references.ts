import { ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import { type ConfigReader, readConfig } from "../extractors/read_config.ts";
import type { MetricInput, MetricResult } from "../types.ts";

const CLIP = 200;

/**
 * A JSON value as text for comparison: strings as they are, numbers and booleans through
 * `String()`, `null` as "", objects and arrays as compact JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { answerText } from "./references.ts";
 * assert.ok(answerText(42) === "42" && answerText(null) === "" && answerText([1]) === "[1]");
 * ```
 */
export function answerText(value: Json): string {
  if (typeof value === "string") return value;
  if (value === null) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Cuts a string to `max` characters (with an ellipsis) so details stay small.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clip } from "./references.ts";
 * assert.ok(clip("abcdef", 3) === "abc…");
 * ```
 */
export function clip(text: string, max = CLIP): string {
  return text.length > max ? text.slice(0, max) + "…" : text;
}

/** Options of {@linkcode referencesOf}. */
export interface ReferencesOptions {
  /** The metric id, for messages. */
  metric: string;
  /** The metric config; its `reference` names the item field (default "answer"). */
  config: JsonObject;
}

const REFERENCE_KEY = ["reference"];

/**
 * A config reader for a metric: like `readConfig`, but `only()` always allows the `reference`
 * key (the item field the caller reads the reference from), which must be a string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMetricConfig } from "./references.ts";
 * const read = readMetricConfig({ reference: "label", unit: "words" }, "length");
 * read.only(["unit"]);
 * assert.ok(read.string("unit") === "words");
 * ```
 */
export function readMetricConfig(config: JsonObject, metricId: string): ConfigReader {
  const read = readConfig(config, metricId, { allow: REFERENCE_KEY });
  read.string("reference");
  return read;
}

/**
 * The accepted references of one candidate: `input.reference`, or each element when it is an
 * array. Throws `DATASET_INVALID` naming the field when the item has none (a missing reference
 * is a data error, not a wrong answer).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { referencesOf } from "./references.ts";
 * const input = { prediction: "x", text: "x", item: {}, reference: ["a", "b"] };
 * assert.ok(referencesOf(input, { metric: "exact_match", config: {} }).length === 2);
 * ```
 */
export function referencesOf(input: MetricInput, options: ReferencesOptions): Json[] {
  const { metric: metricId, config } = options;
  const field = typeof config?.reference === "string" ? config.reference : "answer";
  const { reference } = input;
  if (reference === undefined || reference === null) {
    const hint = `add "${field}" to every item, or set reference = "<field>" in the ` +
      `${metricId} config to read another field`;
    throw new ThemisError(
      "DATASET_INVALID",
      `${metricId} needs a reference answer, but the item has no "${field}" field; ${hint}`,
      { path: field, suggestion: hint },
    );
  }
  if (Array.isArray(reference)) {
    if (reference.length === 0) {
      throw new ThemisError(
        "DATASET_INVALID",
        `${metricId} needs a reference answer, but the item's "${field}" is an empty list`,
        { path: field },
      );
    }
    return reference;
  }
  return [reference];
}

/**
 * Scores every reference with `score` and keeps the best (the first on a tie), adding the
 * winning `reference` (clipped) and, for several, `references` = their count to its details.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bestOverReferences } from "./references.ts";
 * const best = bestOverReferences(["a", "b"], (r) => ({ value: r === "b" ? 1 : 0 }));
 * assert.ok(best.value === 1 && best.details?.reference === "b");
 * ```
 */
export function bestOverReferences(
  references: Json[],
  score: (reference: Json) => MetricResult,
): MetricResult {
  let best: { result: MetricResult; reference: Json } | undefined;
  for (const reference of references) {
    const result = score(reference);
    if (best === undefined || result.value > best.result.value) best = { result, reference };
    if (result.value >= 1) break;
  }
  const { result, reference } = best!;
  return {
    value: result.value,
    details: {
      ...result.details,
      reference: typeof reference === "string" ? clip(reference) : reference,
      ...(references.length > 1 ? { references: references.length } : {}),
    },
  };
}
