import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";
import type { MetricInput } from "../types.ts";
import { lcsLength, rougeL, rougeLScores, rougeTokenize } from "./rouge_l.ts";

const input = (prediction: Json, reference?: Json): MetricInput => ({
  prediction,
  text: String(prediction),
  item: {},
  reference,
});
const close = (actual: number, expected: number, places = 12) =>
  assert.ok(Math.abs(actual - expected) < 10 ** -places, `${actual} != ${expected}`);

Deno.test("rouge_l() matches rouge-score's own unit tests", () => {
  // google-research/rouge rouge_scorer_test.py: testRougeLConsecutive / NonConsecutive,
  // scorer.score(target="testing one two", prediction=…): P = 1, R = 2/3, F = 4/5
  for (const prediction of ["testing one", "testing two"]) {
    const s = rougeLScores(prediction, "testing one two");
    assert.equal(s.precision, 1);
    close(s.recall, 2 / 3);
    close(s.fmeasure, 4 / 5);
  }
  // testRougeEmpty: an empty prediction scores 0 everywhere
  assert.deepEqual(rougeLScores("", "testing one two"), {
    precision: 0,
    recall: 0,
    fmeasure: 0,
    lcs: 0,
  });
});

Deno.test("rouge_l() matches ROUGE-1.5.5 on rouge-score's test data", () => {
  // google-research/rouge testdata/{target,prediction}.txt lines 1–2; ground truth from
  // testRougeLAgainstRouge155 (manual runs of ROUGE-1.5.5), to 5 places.
  const targets = [
    "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM " +
    "EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n",
    "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q " +
    "m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing " +
    "UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n",
  ];
  const predictions = [
    "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n",
    "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed " +
    "HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n",
  ];
  const expected = [
    { recall: 0.40741, precision: 0.6875, fmeasure: 0.51163 },
    { recall: 0.40476, precision: 0.65385, fmeasure: 0.5 },
  ];
  for (const tokenizer of ["ascii", "unicode"] as const) {
    expected.forEach((want, i) => {
      const got = rougeLScores(predictions[i], targets[i], { tokenizer });
      close(got.recall, want.recall, 5);
      close(got.precision, want.precision, 5);
      close(got.fmeasure, want.fmeasure, 5);
    });
  }
});

Deno.test("lcsLength() matches rouge-score's testLcsTable", () => {
  assert.equal(lcsLength(["1", "2", "3", "4", "5"], ["2", "5", "3", "4"]), 3);
  assert.equal(lcsLength(["1", "2", "3", "4", "5"], ["8", "9"]), 0);
  assert.equal(lcsLength([], ["a"]), 0);
});

Deno.test("rougeTokenize() documents the three tokenizers", () => {
  const text = "Café au lait, 2 sugars! 東京";
  assert.deepEqual(rougeTokenize(text, "ascii"), ["caf", "au", "lait", "2", "sugars"]);
  assert.deepEqual(rougeTokenize(text, "unicode"), ["café", "au", "lait", "2", "sugars", "東京"]);
  assert.deepEqual(rougeTokenize(text, "whitespace"), [
    "café",
    "au",
    "lait,",
    "2",
    "sugars!",
    "東京",
  ]);
  assert.deepEqual(rougeTokenize("हिन्दी भाषा", "unicode"), ["हिन्दी", "भाषा"]); // marks kept
});

Deno.test("rouge_l() keeps non-ASCII words with the default tokenizer", () => {
  // [東京, は, 首都] vs [東京, 首都]: LCS 2, P = 2/3, R = 1 → F = 0.8; rouge-score ("ascii")
  // drops every token here and scores 0.
  close(rougeL.score(input("東京 は 首都", "東京 首都"), {}).value, 0.8);
  assert.equal(rougeL.score(input("東京 は 首都", "東京 首都"), { tokenizer: "ascii" }).value, 0);
});

Deno.test("rouge_l() takes the maximum over references and reports precision and recall", () => {
  const result = rougeL.score(input("the cat sat", ["a dog", "the cat sat down"]), {});
  // vs "the cat sat down": LCS 3, P = 3/3, R = 3/4 → F = 1.5 / 1.75 = 6/7
  close(result.value, 6 / 7);
  assert.deepEqual({ ...result.details, recall: result.details?.recall }, {
    precision: 1,
    recall: 0.75,
    lcs: 3,
    reference: "the cat sat down",
    references: 2,
  });
});

Deno.test("rouge_l() refuses texts too long to compare instead of hanging", () => {
  const long = "w ".repeat(20_000);
  assert.throws(
    () => rougeL.score(input(long, long), {}),
    (e) => isThemisError(e) && e.code === "PLUGIN_ERROR" && e.message.includes("too long"),
  );
});

Deno.test("rouge_l.validateConfig() rejects an unknown tokenizer", () => {
  assert.throws(
    () => rougeL.validateConfig!({ tokenizer: "porter" }),
    (e) => isThemisError(e) && e.code === "SPEC_INVALID",
  );
});
