import type { JsonObject } from "../../core/json.ts";
import { type Metric, PLUGIN_API_VERSION } from "../types.ts";
import { UNIT_INTERVAL } from "./metric_range.ts";
import {
  type BleuOptions,
  sentenceBleu,
  SMOOTH_DEFAULTS,
  SMOOTH_METHODS,
} from "./sentence_bleu.ts";
import { answerText, clip, readMetricConfig, referencesOf } from "./references.ts";

const ID = "bleu";

function parseOptions(config: JsonObject): Required<Omit<BleuOptions, "maxOrder">> {
  const read = readMetricConfig(config, ID);
  read.only(["smooth", "smooth_value", "tokenize", "lowercase", "effective_order"]);
  const smooth = read.oneOf("smooth", SMOOTH_METHODS, "exp");
  const value = read.number("smooth_value", { min: 0 });
  if (value !== undefined && smooth !== "floor" && smooth !== "add-k") {
    read.fail("smooth_value", `only applies to smooth = "floor" or "add-k", not "${smooth}"`);
  }
  return {
    smooth,
    smoothValue: value ?? (smooth === "floor" || smooth === "add-k" ? SMOOTH_DEFAULTS[smooth] : 0),
    tokenize: read.oneOf("tokenize", ["13a", "none"] as const, "13a"),
    lowercase: read.boolean("lowercase", false),
    effectiveOrder: read.boolean("effective_order", true),
  };
}

/**
 * `bleu`: sentence BLEU as `sacrebleu.sentence_bleu` (sacrebleu 2.x) computes it, divided by
 * 100 so the value is in [0, 1]. Several references are used together as multi-reference BLEU
 * (clipped n-gram counts over all of them, closest length) — sacrebleu's definition — not as
 * a best-of. Config: `smooth` = `"exp"` (default) | `"none"` | `"floor"` | `"add-k"`,
 * `smooth_value` (floor 0.1, add-k 1), `tokenize` = `"13a"` (default) | `"none"`, `lowercase`
 * (false), `effective_order` (true; false = `BLEU().corpus_score` of this one pair). Details:
 * sacrebleu's `score` (0–100), `precisions` (%), `counts`, `totals`, `bp`, `sys_len`,
 * `ref_len`, and a `signature` of the settings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bleu } from "./bleu.ts";
 * const input = { prediction: "The cat sat on the mat.", text: "", item: {}, reference: "The cat sat on the mat." };
 * assert.ok(Math.abs(bleu.score(input, {}).value - 1) < 1e-12);
 * ```
 */
export const bleu: Metric = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  range: UNIT_INTERVAL,
  doc: {
    summary:
      "Sentence BLEU as `sacrebleu.sentence_bleu` computes it, divided by 100. Several references count together (sacrebleu's multi-reference BLEU). The details keep the sufficient statistics, so corpus BLEU over any group is `corpusBleuFromStats` of them.",
    config: {
      smooth: '`"exp"` (default), `"none"`, `"floor"` or `"add-k"`',
      smooth_value: "for `floor` (default 0.1) and `add-k` (default 1)",
      tokenize: '`"13a"` (default) or `"none"`',
      lowercase: "lowercase both sides first (default `false`)",
      effective_order: "average only the n-gram orders the hypothesis has (default `true`)",
    },
    example: 'metrics = [{ id = "bleu", config = { smooth = "floor" } }]',
  },
  needsReference: true,
  validateConfig(config) {
    parseOptions(config);
  },
  score(input, config) {
    const options = parseOptions(config);
    const references = referencesOf(input, { metric: ID, config }).map(answerText);
    const r = sentenceBleu(answerText(input.prediction), references, options);
    const smooth = options.smooth === "floor" || options.smooth === "add-k"
      ? `${options.smooth}[${options.smoothValue}]`
      : options.smooth;
    return {
      value: r.score / 100,
      details: {
        score: r.score,
        precisions: r.precisions,
        counts: r.counts,
        totals: r.totals,
        bp: r.bp,
        sys_len: r.sysLen,
        ref_len: r.refLen,
        signature: `nrefs:${references.length}|case:${options.lowercase ? "lc" : "mixed"}|` +
          `eff:${options.effectiveOrder ? "yes" : "no"}|tok:${options.tokenize}|smooth:${smooth}`,
        ...(references.length === 1 ? { reference: clip(references[0]) } : {}),
      },
    };
  },
};
