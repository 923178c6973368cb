import { type Metric, PLUGIN_API_VERSION } from "../types.ts";
import { UNIT_INTERVAL } from "./metric_range.ts";
import { normalizeAnswer } from "./normalize_answer.ts";
import { answerText, bestOverReferences, readMetricConfig, referencesOf } from "./references.ts";

const ID = "token_f1";

/** Token-level precision, recall and F1 of one prediction against one reference. */
export interface TokenScores {
  precision: number;
  recall: number;
  f1: number;
  common: number;
}

function tokens(text: string): string[] {
  const normalized = normalizeAnswer(text);
  return normalized === "" ? [] : normalized.split(" ");
}

/**
 * SQuAD v1.1 `f1_score`: tokens of `normalizeAnswer` on both sides, `common` = size of the
 * multiset intersection; 0 when nothing is common (also when both are empty, as in v1.1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenF1Scores } from "./token_f1.ts";
 * const s = tokenF1Scores("the cat sat", "a cat sat down");
 * assert.ok(s.precision === 1 && s.recall === 2 / 3 && s.f1 === 0.8);
 * ```
 */
export function tokenF1Scores(prediction: string, reference: string): TokenScores {
  const predicted = tokens(prediction);
  const counts = new Map<string, number>();
  for (const token of tokens(reference)) counts.set(token, (counts.get(token) ?? 0) + 1);
  const referenceLength = [...counts.values()].reduce((a, b) => a + b, 0);
  let common = 0;
  for (const token of predicted) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      common++;
      counts.set(token, left - 1);
    }
  }
  if (common === 0) return { precision: 0, recall: 0, f1: 0, common: 0 };
  const precision = common / predicted.length;
  const recall = common / referenceLength;
  return { precision, recall, f1: (2 * precision * recall) / (precision + recall), common };
}

/**
 * `token_f1`: SQuAD v1.1 token F1 (the official `evaluate-v1.1.py` semantics), the maximum
 * over the references. Details: `precision`, `recall`, `common` tokens, best `reference`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenF1 } from "./token_f1.ts";
 * const input = { prediction: "Denver Broncos", text: "", item: {}, reference: ["Broncos", "Denver"] };
 * assert.ok(tokenF1.score(input, {}).value === 2 / 3);
 * ```
 */
export const tokenF1: Metric = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  range: UNIT_INTERVAL,
  doc: {
    summary: "SQuAD v1.1 token F1 (the official evaluate-v1.1.py), the best over the references.",
    example: 'metrics = [{ id = "token_f1" }]',
  },
  needsReference: true,
  validateConfig(config) {
    readMetricConfig(config, ID).only([]);
  },
  score(input, config) {
    readMetricConfig(config, ID).only([]);
    const prediction = answerText(input.prediction);
    return bestOverReferences(referencesOf(input, { metric: ID, config }), (reference) => {
      const { f1, precision, recall, common } = tokenF1Scores(prediction, answerText(reference));
      return { value: f1, details: { precision, recall, common } };
    });
  },
};
