import assert from "node:assert/strict";
import reference from "../../../test/fixtures/text_metrics_reference.json" with { type: "json" };
import { corpusBleu } from "./corpus_bleu.ts";
import { normalizeAnswer } from "./normalize_answer.ts";
import { normalizedExactMatch } from "./normalized_exact_match.ts";
import { rougeL } from "./rouge_l.ts";
import { type BleuOptions, sentenceBleu } from "./sentence_bleu.ts";
import { tokenF1 } from "./token_f1.ts";

// Values from scripts/text_metrics_reference.py: SQuAD's evaluate-v1.1.py, sacrebleu, and
// rouge-score's ROUGE-L definition. Numbers must agree to 1e-9 relative, strings exactly.
const TOLERANCE = 1e-9;
const cases = reference.cases;

function close(actual: number, expected: number, where: string): void {
  const error = actual === expected ? 0 : Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(error <= TOLERANCE, `${where}: ${actual} vs ${expected} (relative ${error})`);
}

function input(prediction: string, references: string[]) {
  return { prediction, text: prediction, item: {}, reference: references };
}

const label = (i: number) => `case ${i} ${JSON.stringify(cases[i].prediction).slice(0, 60)}`;

Deno.test("the text-metric reference table holds >= 300 adversarial cases", () => {
  assert.ok(cases.length >= 300, `${cases.length} cases`);
  const texts = cases.flatMap((c) => [c.prediction, ...c.references]).join("\n");
  for (
    const needle of ["\ufeff", "\x85", "\x1c", "\x1f", "\u3000", "\u0301", "東京", "👍", "\x00"]
  ) {
    assert.ok(texts.includes(needle), `no case contains ${JSON.stringify(needle)}`);
  }
  assert.ok(cases.some((c) => c.prediction === ""), "no empty prediction");
  assert.ok(cases.some((c) => c.prediction.length > 5000), "no very long prediction");
});

Deno.test("normalizeAnswer() equals SQuAD v1.1 normalize_answer on every case", () => {
  cases.forEach((c, i) => {
    const texts = [c.prediction, ...c.references];
    texts.forEach((t, k) => assert.equal(normalizeAnswer(t), c.normalized[k], `${label(i)} #${k}`));
  });
});

Deno.test("normalized_exact_match and token_f1 equal SQuAD v1.1 EM and F1 (max over references)", () => {
  cases.forEach((c, i) => {
    assert.equal(
      normalizedExactMatch.score(input(c.prediction, c.references), {}).value,
      c.exactMatch,
      label(i),
    );
    close(tokenF1.score(input(c.prediction, c.references), {}).value, c.f1, label(i));
  });
});

Deno.test("sentenceBleu() equals sacrebleu.sentence_bleu: score and sufficient statistics", () => {
  cases.forEach((c, i) => {
    const r = sentenceBleu(c.prediction, c.references);
    const e = c.bleu.default;
    close(r.score, e.score, `${label(i)} score`);
    close(r.bp, e.bp, `${label(i)} bp`);
    assert.deepEqual([r.counts, r.totals, r.sysLen, r.refLen], [
      e.counts,
      e.totals,
      e.sysLen,
      e.refLen,
    ], label(i));
    r.precisions.forEach((p, n) => close(p, e.precisions[n], `${label(i)} p${n + 1}`));
  });
});

const VARIANTS: Record<string, BleuOptions> = {
  tokenize_none: { tokenize: "none" },
  lowercase: { lowercase: true },
  smooth_floor: { smooth: "floor" },
  smooth_none_no_effective_order: { smooth: "none", effectiveOrder: false },
};

Deno.test("sentenceBleu() options equal sacrebleu's BLEU(...).sentence_score", () => {
  cases.forEach((c, i) => {
    for (const [name, options] of Object.entries(VARIANTS)) {
      const expected = c.bleu[name as keyof typeof c.bleu] as number;
      close(
        sentenceBleu(c.prediction, c.references, options).score,
        expected,
        `${label(i)} ${name}`,
      );
    }
  });
});

Deno.test("rouge_l equals rouge-score's ROUGE-L (and its unicode/whitespace variants)", () => {
  cases.forEach((c, i) => {
    for (const tokenizer of ["ascii", "unicode", "whitespace"] as const) {
      const e = c.rougeL[tokenizer];
      const r = rougeL.score(input(c.prediction, c.references), { tokenizer });
      close(r.value, e.fmeasure, `${label(i)} ${tokenizer} F`);
      close(r.details!.precision as number, e.precision, `${label(i)} ${tokenizer} P`);
      close(r.details!.recall as number, e.recall, `${label(i)} ${tokenizer} R`);
    }
  });
});

Deno.test("corpusBleu() equals sacrebleu.corpus_bleu, variable reference counts included", () => {
  for (const c of reference.corpusBleu) {
    const part = cases.slice(c.start, c.end);
    const options: BleuOptions = {
      lowercase: "lowercase" in c.options ? c.options.lowercase as boolean : false,
      tokenize: "tokenize" in c.options ? c.options.tokenize as "none" : "13a",
    };
    const r = corpusBleu(part.map((p) => p.prediction), part.map((p) => p.references), options);
    const e = c.expected;
    close(r.score, e.score, `${c.name} score`);
    assert.deepEqual([r.counts, r.totals, r.sysLen, r.refLen], [
      e.counts,
      e.totals,
      e.sysLen,
      e.refLen,
    ], c.name);
  }
});
