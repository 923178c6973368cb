/**
 * The built-in metrics, each exported by name, and {@linkcode builtinMetrics}.
 *
 * @module
 */
import type { Metric } from "../types.ts";
import { bleu } from "./bleu.ts";
import { choiceAccuracy } from "./choice_accuracy.ts";
import { codeTests } from "./code_tests.ts";
import { contains } from "./contains.ts";
import { exactMatch } from "./exact_match.ts";
import { jsonSchemaValid } from "./json_schema_valid.ts";
import { jsonValid } from "./json_valid.ts";
import { length } from "./length.ts";
import { llmJudge } from "./llm_judge.ts";
import { normalizedExactMatch } from "./normalized_exact_match.ts";
import { numericMatch } from "./numeric_match.ts";
import { regexMatch } from "./regex_match.ts";
import { rougeL } from "./rouge_l.ts";
import { tokenF1 } from "./token_f1.ts";

export { renderRubric } from "./llm_judge.ts";
export {
  parseVerdict,
  type RawVerdict,
  readVerdictScale,
  scoreVerdict,
  type VerdictScale,
} from "./judge_verdict.ts";
export { codeTests, type CodeTestsOptions, parseCodeTestsConfig } from "./code_tests.ts";
export {
  bleu,
  choiceAccuracy,
  contains,
  exactMatch,
  jsonSchemaValid,
  jsonValid,
  length,
  llmJudge,
  normalizedExactMatch,
  numericMatch,
  regexMatch,
  rougeL,
  tokenF1,
};
export {
  bleuFromStats,
  type BleuOptions,
  type BleuResult,
  type BleuStats,
  bleuStats,
  sentenceBleu,
} from "./sentence_bleu.ts";
export { corpusBleu, corpusBleuFromStats } from "./corpus_bleu.ts";
export { PYTHON_WHITESPACE, pythonRstrip, pythonSplit, pythonStrip } from "./python_text.ts";
export { isClose } from "./numeric_match.ts";
export { measureLength } from "./length.ts";
export { normalizeAnswer } from "./normalize_answer.ts";
export { BINARY, failingValue, metricRange, UNBOUNDED, UNIT_INTERVAL } from "./metric_range.ts";
export { answerText, bestOverReferences, referencesOf } from "./references.ts";
export { lcsLength, rougeLScores, rougeTokenize } from "./rouge_l.ts";
export { tokenF1Scores } from "./token_f1.ts";
export { tokenize13a } from "./tokenize_13a.ts";

/**
 * Every built-in metric, registered by `createRegistry()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { builtinMetrics } from "./mod.ts";
 * assert.ok(builtinMetrics.some((m) => m.id === "exact_match"));
 * ```
 */
export const builtinMetrics: Metric[] = [
  llmJudge,
  exactMatch,
  normalizedExactMatch,
  contains,
  regexMatch,
  numericMatch,
  choiceAccuracy,
  tokenF1,
  rougeL,
  bleu,
  jsonValid,
  jsonSchemaValid,
  length,
  codeTests,
];
