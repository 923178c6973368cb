import { ThemisError } from "../../core/errors.ts";
import type { JsonObject } from "../../core/json.ts";
import { type Metric, PLUGIN_API_VERSION } from "../types.ts";
import { UNIT_INTERVAL } from "./metric_range.ts";
import { pythonSplit } from "./python_text.ts";
import { answerText, bestOverReferences, readMetricConfig, referencesOf } from "./references.ts";

const ID = "rouge_l";
const TOKENIZERS = ["unicode", "ascii", "whitespace"] as const;
/** Which tokenizer `rouge_l` uses; see {@linkcode rougeTokenize}. */
export type RougeTokenizer = typeof TOKENIZERS[number];
// The LCS table costs one cell per token pair; past this a score would take seconds.
const MAX_CELLS = 250_000_000;

/**
 * Tokens for ROUGE. `ascii` is rouge-score's default tokenizer exactly (lowercase, every run
 * of characters other than `[a-z0-9]` becomes a space, so non-ASCII letters are dropped);
 * `unicode` (the default) is the same with Unicode letters, marks and digits kept, so it equals
 * `ascii` on ASCII text; `whitespace` is lowercase + Python's `str.split()`. No stemming.
 * Lowercasing is Python's `str.lower()` and splitting uses Python's whitespace, as in
 * rouge-score.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rougeTokenize } from "./rouge_l.ts";
 * assert.equal(rougeTokenize("Héllo, World-2!", "ascii").join(" "), "h llo world 2");
 * assert.equal(rougeTokenize("Héllo, World-2!", "unicode").join(" "), "héllo world 2");
 * ```
 */
export function rougeTokenize(text: string, tokenizer: RougeTokenizer = "unicode"): string[] {
  const lower = text.toLowerCase();
  const spaced = tokenizer === "ascii"
    ? lower.replace(/[^a-z0-9]+/g, " ")
    : tokenizer === "unicode"
    ? lower.replace(/[^\p{L}\p{M}\p{N}]+/gu, " ")
    : lower;
  return pythonSplit(spaced);
}

/**
 * Length of the longest common subsequence of two token lists (dynamic programming over the
 * shorter list, one row of memory).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lcsLength } from "./rouge_l.ts";
 * assert.ok(lcsLength(["1", "2", "3", "4", "5"], ["2", "5", "3", "4"]) === 3);
 * ```
 */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  if (short.length === 0) return 0;
  if (long.length * short.length > MAX_CELLS) {
    throw new ThemisError(
      "PLUGIN_ERROR",
      `${ID}: the texts are too long to compare (${long.length} × ${short.length} tokens); ` +
        `score a shorter parse of the output instead of the raw text`,
    );
  }
  const ids = new Map<string, number>();
  const idOf = (t: string) => ids.get(t) ?? ids.set(t, ids.size).get(t)!;
  const shortIds = Int32Array.from(short, idOf);
  let row = new Int32Array(short.length + 1);
  let next = new Int32Array(short.length + 1);
  for (const token of long) {
    const id = ids.get(token) ?? -1;
    for (let j = 1; j <= short.length; j++) {
      next[j] = shortIds[j - 1] === id ? row[j - 1] + 1 : Math.max(row[j], next[j - 1]);
    }
    [row, next] = [next, row];
  }
  return row[short.length];
}

/** ROUGE-L of one prediction against one reference, as rouge-score's `_score_lcs`. */
export interface RougeLScores {
  precision: number;
  recall: number;
  fmeasure: number;
  lcs: number;
}

/**
 * ROUGE-L: precision = LCS / prediction tokens, recall = LCS / reference tokens, F = harmonic
 * mean (0 when either side has no tokens), as Google's rouge-score `rougeL`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rougeLScores } from "./rouge_l.ts";
 * const s = rougeLScores("testing one", "testing one two"); // rouge-score's own test case
 * assert.ok(s.precision === 1 && s.recall === 2 / 3 && Math.abs(s.fmeasure - 0.8) < 1e-12);
 * ```
 */
export function rougeLScores(
  prediction: string,
  reference: string,
  options: { tokenizer?: RougeTokenizer } = {},
): RougeLScores {
  const { tokenizer = "unicode" } = options;
  const predicted = rougeTokenize(prediction, tokenizer);
  const target = rougeTokenize(reference, tokenizer);
  if (predicted.length === 0 || target.length === 0) {
    return { precision: 0, recall: 0, fmeasure: 0, lcs: 0 };
  }
  const lcs = lcsLength(target, predicted);
  const precision = lcs / predicted.length;
  const recall = lcs / target.length;
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure, lcs };
}

function parseOptions(config: JsonObject): RougeTokenizer {
  const read = readMetricConfig(config, ID);
  read.only(["tokenizer"]);
  return read.oneOf("tokenizer", TOKENIZERS, "unicode");
}

/**
 * `rouge_l`: ROUGE-L F-measure (rouge-score `rougeL`, no stemming), the maximum over the
 * references. Config: `tokenizer` = `"unicode"` (default) | `"ascii"` (rouge-score exactly) |
 * `"whitespace"` — see {@linkcode rougeTokenize}. Details: `precision`, `recall`, `lcs`,
 * best `reference`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rougeL } from "./rouge_l.ts";
 * const input = { prediction: "testing two", text: "", item: {}, reference: "testing one two" };
 * assert.ok(Math.abs(rougeL.score(input, {}).value - 0.8) < 1e-12);
 * ```
 */
export const rougeL: Metric = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  range: UNIT_INTERVAL,
  doc: {
    summary:
      "ROUGE-L F-measure as rouge-score's `rougeL` (no stemming), the best over the references.",
    config: {
      tokenizer:
        '`"unicode"` (default: letters, marks and digits of any script), `"ascii"` (rouge-score exactly: `[a-z0-9]` only) or `"whitespace"`',
    },
    example: 'metrics = [{ id = "rouge_l", config = { tokenizer = "ascii" } }]',
  },
  needsReference: true,
  validateConfig(config) {
    parseOptions(config);
  },
  score(input, config) {
    const tokenizer = parseOptions(config);
    const prediction = answerText(input.prediction);
    return bestOverReferences(referencesOf(input, { metric: ID, config }), (reference) => {
      const s = rougeLScores(prediction, answerText(reference), { tokenizer });
      return {
        value: s.fmeasure,
        details: { precision: s.precision, recall: s.recall, lcs: s.lcs },
      };
    });
  },
};
