import { ThemisError } from "../../core/errors.ts";
import {
  bleuFromStats,
  type BleuOptions,
  type BleuResult,
  type BleuScoreOptions,
  type BleuStats,
  bleuStats,
} from "./sentence_bleu.ts";

/**
 * Corpus BLEU from per-segment statistics: the statistics are summed over the segments, then
 * scored once — sacrebleu's `corpus_score`. This is how an aggregate computes corpus BLEU from
 * the `counts`, `totals`, `sys_len` and `ref_len` that every `bleu` score keeps in its
 * details. Defaults are `sacrebleu.corpus_bleu`'s: `exp` smoothing, no effective order.
 * Throws `QUERY_INVALID` for an empty list or segments of different n-gram orders.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { corpusBleuFromStats } from "./corpus_bleu.ts";
 * const r = corpusBleuFromStats([
 *   { sysLen: 2, refLen: 2, counts: [2, 1, 0, 0], totals: [2, 1, 0, 0] },
 *   { sysLen: 3, refLen: 3, counts: [3, 2, 1, 0], totals: [3, 2, 1, 0] },
 * ]);
 * assert.deepEqual([r.sysLen, r.counts], [5, [5, 3, 1, 0]]);
 * ```
 */
export function corpusBleuFromStats(
  stats: readonly BleuStats[],
  options: BleuScoreOptions = {},
): BleuResult {
  if (stats.length === 0) {
    throw new ThemisError(
      "QUERY_INVALID",
      "corpusBleuFromStats(): no segments; corpus BLEU needs at least one scored candidate",
      { path: "stats" },
    );
  }
  const order = stats[0].counts.length;
  const sum: BleuStats = {
    sysLen: 0,
    refLen: 0,
    counts: new Array<number>(order).fill(0),
    totals: new Array<number>(order).fill(0),
  };
  stats.forEach((s, i) => {
    if (s.counts.length !== order || s.totals.length !== order) {
      throw new ThemisError(
        "QUERY_INVALID",
        `corpusBleuFromStats(): segment ${i} has ${s.counts.length}-gram statistics, segment 0 ` +
          `has ${order}; score every segment with the same BLEU settings`,
        { path: `stats[${i}]` },
      );
    }
    sum.sysLen += s.sysLen;
    sum.refLen += s.refLen;
    for (let n = 0; n < order; n++) {
      sum.counts[n] += s.counts[n];
      sum.totals[n] += s.totals[n];
    }
  });
  return bleuFromStats(sum, { effectiveOrder: false, ...options, maxOrder: order });
}

/**
 * Corpus BLEU of `hypotheses` against their references, equal to
 * `sacrebleu.corpus_bleu(hypotheses, reference_streams)` (sacrebleu 2.x): `references[i]` lists
 * the accepted references of hypothesis i (any number ≥ 1 per segment, like sacrebleu's
 * `None`-padded streams). Throws `QUERY_INVALID` when the lists are not aligned or a segment
 * has no reference.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { corpusBleu } from "./corpus_bleu.ts";
 * const r = corpusBleu(["the cat sat on the mat", "a dog"], [["the cat sat on the mat"], ["a dog"]]);
 * assert.ok(Math.abs(r.score - 100) < 1e-12);
 * ```
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuResult {
  if (hypotheses.length !== references.length) {
    throw new ThemisError(
      "QUERY_INVALID",
      `corpusBleu(): ${hypotheses.length} hypotheses but ${references.length} reference ` +
        `lists; give one list of references per hypothesis`,
      { path: "references" },
    );
  }
  const empty = references.findIndex((refs) => refs.length === 0);
  if (empty !== -1) {
    throw new ThemisError(
      "QUERY_INVALID",
      `corpusBleu(): hypothesis ${empty} has no reference`,
      { path: `references[${empty}]` },
    );
  }
  const stats = hypotheses.map((h, i) => bleuStats(h, references[i], options));
  return corpusBleuFromStats(stats, options);
}
