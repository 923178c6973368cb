import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";
import type { MetricInput } from "../types.ts";
import { bleu } from "./bleu.ts";
import { sentenceBleu } from "./sentence_bleu.ts";
import { tokenize13a } from "./tokenize_13a.ts";

const input = (prediction: Json, reference?: Json): MetricInput => ({
  prediction,
  text: String(prediction),
  item: {},
  reference,
});

// mjpost/sacrebleu test/test_sentence_bleu.py (example from sacrebleu issue #98): expected
// sentence BLEU, effective_order=True, within the suite's EPSILON of 1e-3.
const REF = "producţia de zahăr brut se exprimă în zahăr alb;";
const SYS = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";
const SACREBLEU_CASES = [
  { smooth: "exp", tokenize: "13a", expected: 8.493 },
  { smooth: "none", tokenize: "13a", expected: 0.0 },
  { smooth: "floor", tokenize: "13a", expected: 4.51688 },
  { smooth: "floor", smoothValue: 0.1, tokenize: "13a", expected: 4.51688 },
  { smooth: "floor", smoothValue: 0.5, tokenize: "13a", expected: 10.10 },
  { smooth: "add-k", tokenize: "13a", expected: 14.882 },
  { smooth: "add-k", smoothValue: 1, tokenize: "13a", expected: 14.882 },
  { smooth: "add-k", smoothValue: 2, tokenize: "13a", expected: 21.389 },
  { smooth: "exp", tokenize: "none", expected: 7.347 },
] as const;

Deno.test("bleu() reproduces sacrebleu's sentence BLEU test cases", () => {
  for (const { expected, ...options } of SACREBLEU_CASES) {
    const { score } = sentenceBleu(SYS, [REF], options);
    assert.ok(Math.abs(score - expected) < 1e-3, `${JSON.stringify(options)}: ${score}`);
  }
});

Deno.test("bleu() is 0 with no matching unigram under every smoothing (sacrebleu #141)", () => {
  for (const smooth of ["exp", "none", "floor", "add-k"] as const) {
    assert.equal(sentenceBleu("this is a cat", ["okay thanks"], { smooth }).score, 0);
  }
});

Deno.test("bleu() reproduces sacrebleu's effective-order and statistics cases", () => {
  // mjpost/sacrebleu test/test_bleu.py: raw_corpus_bleu = tokenize "none", floor smoothing,
  // effective order; expected BLEU / 100 within 1e-8.
  const raw = (hyp: string, ref: string, smoothValue: number) =>
    sentenceBleu(hyp, [ref], { tokenize: "none", smooth: "floor", smoothValue }).score / 100;
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-8, `${a} != ${b}`);
  near(raw("this is a test", "this is a test", 0.01), 1.0);
  near(raw("this is a fest", "this is a test", 0.01), 0.223606797749979);
  near(raw("test", "a test", 0.01), 0.3678794411714425);
  near(raw("a test", "a test", 0.01), 1.0);
  near(raw("a little test", "a test", 0.01), 0.03218297948685433);
  near(raw("am I am a character sequence", "I am a symbol string sequence a a", 0.1), 0.1555722182);
  near(raw("am I am a character sequence", "I am a symbol string sequence a a", 0), 0);
  const stats = sentenceBleu(
    "am I am a character sequence",
    ["I am a symbol string sequence a a"],
    {
      tokenize: "none",
    },
  );
  assert.deepEqual([stats.counts, stats.totals], [[4, 2, 1, 0], [6, 5, 4, 3]]);
});

Deno.test("bleu() without effective order scores a short hypothesis 0, like corpus BLEU", () => {
  // "test" vs "a test": no 2-grams → sacrebleu compute_bleu breaks with eff_order 4 → 0.
  assert.equal(sentenceBleu("test", ["a test"], { effectiveOrder: false }).score, 0);
  assert.equal(bleu.score(input("test", "a test"), { effective_order: false }).value, 0);
});

Deno.test("bleu() uses several references together, as sacrebleu multi-reference BLEU", () => {
  // hyp [the, cat]; refs [the, cat, sat] and [a, cat]. Closest ref length: |2-3| = 1 vs
  // |2-2| = 0 → 2, so BP = 1. Clipped counts over both refs: 1-grams 2/2, 2-grams 1/1;
  // no 3-grams → effective order 2 → BLEU = exp((ln 100 + ln 100) / 2) = 100.
  // (Scored separately: ref 1 gives BP = e^(1 - 3/2) ≈ 0.6065, ref 2 gives 50 — both lower.)
  const result = bleu.score(input("the cat", ["the cat sat", "a cat"]), {});
  assert.ok(Math.abs(result.value - 1) < 1e-12);
  assert.deepEqual(
    { ...result.details, score: undefined },
    {
      score: undefined,
      precisions: [100, 100, 0, 0],
      counts: [2, 1, 0, 0],
      totals: [2, 1, 0, 0],
      bp: 1,
      sys_len: 2,
      ref_len: 2,
      signature: "nrefs:2|case:mixed|eff:yes|tok:13a|smooth:exp",
    },
  );
  // single reference: BP = e^(1 - 3/2), precisions 100, 100 → 100 · e^-0.5
  const single = bleu.score(input("the cat", "the cat sat"), {});
  assert.ok(Math.abs(single.value - Math.exp(-0.5)) < 1e-12);
});

Deno.test("bleu() lowercases when asked", () => {
  assert.equal(bleu.score(input("THE CAT", "the cat"), {}).value, 0);
  assert.ok(
    Math.abs(bleu.score(input("THE CAT", "the cat"), { lowercase: true }).value - 1) < 1e-12,
  );
});

Deno.test("bleu() is 0 for an empty prediction", () => {
  assert.equal(bleu.score(input("", "the cat"), {}).value, 0);
});

Deno.test("tokenize13a() follows the mteval-v13a rules", () => {
  assert.deepEqual(tokenize13a("Hello, world!"), ["Hello", ",", "world", "!"]);
  assert.deepEqual(tokenize13a("It costs $3.50, isn't it?"), [
    "It",
    "costs",
    "$",
    "3.50",
    ",",
    "isn't",
    "it",
    "?",
  ]);
  assert.deepEqual(tokenize13a("1,000 people in 10-20 well-known cities."), [
    "1,000",
    "people",
    "in",
    "10",
    "-",
    "20",
    "well-known",
    "cities",
    ".",
  ]);
  assert.deepEqual(tokenize13a("&quot;Hi&quot; &amp; <skipped>bye"), ['"', "Hi", '"', "&", "bye"]);
  assert.deepEqual(tokenize13a("U.S.A. (a) [b] {c}"), [
    "U",
    ".",
    "S",
    ".",
    "A",
    ".",
    "(",
    "a",
    ")",
    "[",
    "b",
    "]",
    "{",
    "c",
    "}",
  ]);
  assert.deepEqual(tokenize13a("line-\nbreak\nhere"), ["linebreak", "here"]);
  assert.deepEqual(tokenize13a(""), []);
});

Deno.test("bleu.validateConfig() rejects unknown smoothing and misplaced smooth_value", () => {
  const spec = (text: string) => (e: unknown) =>
    isThemisError(e) && e.code === "SPEC_INVALID" && e.message.includes(text);
  assert.throws(() => bleu.validateConfig!({ smooth: "expo" }), spec('"smooth"'));
  assert.throws(() => bleu.validateConfig!({ smooth_value: 0.1 }), spec('"smooth_value"'));
  assert.throws(() => bleu.validateConfig!({ tokenize: "intl" }), spec('"tokenize"'));
  bleu.validateConfig!({ smooth: "add-k", smooth_value: 2 });
});
