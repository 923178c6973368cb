import { pythonRstrip, pythonSplit } from "./python_text.ts";
import { tokenize13a } from "./tokenize_13a.ts";

/** sacrebleu's smoothing methods (Chen & Cherry 2014): none, floor (1), add-k (2), exp (3). */
export const SMOOTH_METHODS = ["exp", "none", "floor", "add-k"] as const;
export type SmoothMethod = typeof SMOOTH_METHODS[number];
/** Default `smooth_value` of the methods that take one, as in sacrebleu. */
export const SMOOTH_DEFAULTS = { floor: 0.1, "add-k": 1 } as const;

/** How texts become tokens: sacrebleu's `tokenize` and `lowercase`. */
export interface BleuTokenizeOptions {
  /** `13a` (default) or `none` (split on whitespace only). */
  tokenize?: "13a" | "none";
  lowercase?: boolean;
  maxOrder?: number;
}

/** How statistics become a score: sacrebleu's smoothing and effective order. */
export interface BleuScoreOptions {
  smooth?: SmoothMethod;
  /** For `floor` (default 0.1) and `add-k` (default 1). */
  smoothValue?: number;
  /** Average only over the n-gram orders the hypothesis has. */
  effectiveOrder?: boolean;
  maxOrder?: number;
}

/** Options of {@linkcode sentenceBleu}; the defaults are `sacrebleu.sentence_bleu`'s. */
export interface BleuOptions extends BleuTokenizeOptions, BleuScoreOptions {}

/**
 * BLEU's sufficient statistics for one segment (sacrebleu's `_compute_segment_statistics`):
 * they add up over a corpus, so corpus BLEU is computed from stored per-candidate stats.
 */
export interface BleuStats {
  sysLen: number;
  /** The reference length closest to `sysLen` (the shorter one on a tie). */
  refLen: number;
  /** Clipped n-gram matches per order 1..maxOrder. */
  counts: number[];
  /** Hypothesis n-grams per order. */
  totals: number[];
}

/** BLEU with its sufficient statistics; `score` is 0–100 like sacrebleu, precisions in %. */
export interface BleuResult extends BleuStats {
  score: number;
  precisions: number[];
  bp: number;
}

/** n-gram counts per order (index n − 1), keys built incrementally: tokens hold no spaces. */
function ngrams(tokens: string[], maxOrder: number): Map<string, number>[] {
  const orders = Array.from({ length: maxOrder }, () => new Map<string, number>());
  for (let i = 0; i < tokens.length; i++) {
    let key = tokens[i];
    for (let n = 0; n < maxOrder && i + n < tokens.length; n++) {
      if (n > 0) key += " " + tokens[i + n];
      orders[n].set(key, (orders[n].get(key) ?? 0) + 1);
    }
  }
  return orders;
}

/** sacrebleu's `_get_closest_ref_len`: the closest length, the shorter one on a tie. */
function closestLength(hypLength: number, lengths: number[]): number {
  let best = lengths[0];
  for (const length of lengths) {
    const d = Math.abs(hypLength - length);
    const bestD = Math.abs(hypLength - best);
    if (d < bestD || (d === bestD && length < best)) best = length;
  }
  return best;
}

// sacrebleu's `my_log`: log(0) is floored so the score becomes exactly 0.
const safeLog = (x: number) => x === 0 ? -9999999999 : Math.log(x);

/** sacrebleu's `_preprocess_segment` and tokenizer: lowercase, `rstrip()`, tokenize. */
function tokens(text: string, { tokenize = "13a", lowercase = false }: BleuTokenizeOptions) {
  const line = pythonRstrip(lowercase ? text.toLowerCase() : text);
  return tokenize === "13a" ? tokenize13a(line) : pythonSplit(line);
}

/**
 * The sufficient statistics of one hypothesis against its references, as sacrebleu 2.x
 * computes them: n-gram counts clipped by the maximum count over the references, the closest
 * reference length. Texts are lowercased (option), right-stripped and tokenized (`13a` or
 * whitespace) with Python's whitespace rules.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bleuStats } from "./sentence_bleu.ts";
 * const s = bleuStats("the cat", ["the cat sat", "a cat"]);
 * assert.deepEqual(s, { sysLen: 2, refLen: 2, counts: [2, 1, 0, 0], totals: [2, 1, 0, 0] });
 * ```
 */
export function bleuStats(
  hypothesis: string,
  references: readonly string[],
  options: BleuTokenizeOptions = {},
): BleuStats {
  const { maxOrder = 4 } = options;
  const hyp = tokens(hypothesis, options);
  const refNgrams = Array.from({ length: maxOrder }, () => new Map<string, number>());
  const refLengths: number[] = [];
  for (const reference of references) {
    const refTokens = tokens(reference, options);
    refLengths.push(refTokens.length);
    ngrams(refTokens, maxOrder).forEach((order, n) => {
      for (const [key, count] of order) {
        refNgrams[n].set(key, Math.max(refNgrams[n].get(key) ?? 0, count));
      }
    });
  }
  const counts = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  ngrams(hyp, maxOrder).forEach((order, n) => {
    for (const [key, count] of order) {
      totals[n] += count;
      counts[n] += Math.min(count, refNgrams[n].get(key) ?? 0);
    }
  });
  return { sysLen: hyp.length, refLen: closestLength(hyp.length, refLengths), counts, totals };
}

/**
 * BLEU from sufficient statistics with smoothing — sacrebleu 2.x `BLEU.compute_bleu`. The
 * defaults are sentence BLEU's (`exp` smoothing, effective order); corpus BLEU passes
 * `effectiveOrder: false`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bleuFromStats } from "./sentence_bleu.ts";
 * const r = bleuFromStats({ sysLen: 4, refLen: 4, counts: [4, 3, 2, 1], totals: [4, 3, 2, 1] });
 * assert.ok(Math.abs(r.score - 100) < 1e-12);
 * ```
 */
export function bleuFromStats(stats: BleuStats, options: BleuScoreOptions = {}): BleuResult {
  const { smooth = "exp", effectiveOrder = true, maxOrder = 4 } = options;
  const smoothValue = options.smoothValue ??
    (smooth === "floor" || smooth === "add-k" ? SMOOTH_DEFAULTS[smooth] : 0);
  const { sysLen, refLen, counts, totals } = stats;
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(maxOrder).fill(0);
  const result = { sysLen, refLen, counts: [...counts], totals: [...totals], precisions, bp };
  if (counts.every((c) => c === 0)) return { score: 0, ...result };
  let smoothMteval = 1;
  let order = maxOrder;
  for (let n = 1; n <= maxOrder; n++) {
    let correct = counts[n - 1];
    let total = totals[n - 1];
    if (smooth === "add-k" && n > 1) {
      correct += smoothValue;
      total += smoothValue;
    }
    if (total === 0) break;
    if (effectiveOrder) order = n;
    if (correct === 0) {
      if (smooth === "exp") {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * total);
      } else if (smooth === "floor") precisions[n - 1] = (100 * smoothValue) / total;
    } else precisions[n - 1] = (100 * correct) / total;
  }
  const logSum = precisions.slice(0, order).reduce((sum, p) => sum + safeLog(p), 0);
  return { score: bp * Math.exp(logSum / order), ...result };
}

/**
 * BLEU of one hypothesis against one or more references, computed like sacrebleu 2.x
 * `BLEU.sentence_score` ({@linkcode bleuStats}, then {@linkcode bleuFromStats}). Defaults:
 * 13a tokenization, `exp` smoothing, effective order — i.e. `sacrebleu.sentence_bleu(hyp,
 * refs)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sentenceBleu } from "./sentence_bleu.ts";
 * // From sacrebleu's tests: raw_corpus_bleu(["this is a fest"], [["this is a test"]], .01)
 * const r = sentenceBleu("this is a fest", ["this is a test"], { smooth: "floor", smoothValue: 0.01, tokenize: "none" });
 * assert.ok(Math.abs(r.score / 100 - 0.223606797749979) < 1e-8);
 * ```
 */
export function sentenceBleu(
  hypothesis: string,
  references: readonly string[],
  options: BleuOptions = {},
): BleuResult {
  return bleuFromStats(bleuStats(hypothesis, references, options), options);
}
