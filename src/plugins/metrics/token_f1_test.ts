import assert from "node:assert/strict";
import type { Json } from "../../core/json.ts";
import type { MetricInput } from "../types.ts";
import { tokenF1, tokenF1Scores } from "./token_f1.ts";

// Reference values: the SQuAD v1.1 `evaluate-v1.1.py` formula worked by hand —
// tokens = normalize_answer(s).split(); common = Counter(pred) & Counter(ref);
// P = common / |pred|, R = common / |ref|, F1 = 2PR / (P + R); max over ground truths.

const input = (prediction: Json, reference?: Json): MetricInput => ({
  prediction,
  text: String(prediction),
  item: {},
  reference,
});
const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

Deno.test("token_f1() matches the SQuAD formula on a partial answer", () => {
  // pred "the Denver Broncos won" → [denver, broncos, won]; ref → [denver, broncos]
  // common 2: P = 2/3, R = 2/2 = 1, F1 = (2 · 2/3 · 1) / (2/3 + 1) = (4/3) / (5/3) = 0.8
  const s = tokenF1Scores("the Denver Broncos won", "Denver Broncos");
  close(s.precision, 2 / 3);
  assert.equal(s.recall, 1);
  close(s.f1, 0.8);
  assert.equal(s.common, 2);
});

Deno.test("token_f1() counts repeated tokens as a multiset intersection", () => {
  // pred [x, x, y], ref [x, y, y]: Counter & = {x: 1, y: 1} → common 2; P = R = 2/3 → F1 = 2/3
  const s = tokenF1Scores("x x y", "x y y");
  assert.deepEqual({ ...s, f1: Math.round(s.f1 * 1e12) / 1e12 }, {
    precision: 2 / 3,
    recall: 2 / 3,
    f1: Math.round((2 / 3) * 1e12) / 1e12,
    common: 2,
  });
});

Deno.test("token_f1() takes the maximum over references (SQuAD dev example)", () => {
  // pred → [santa, clara, california] (3 tokens)
  // "Levi's Stadium": no common token → 0
  // "Santa Clara": common 2, P = 2/3, R = 1 → F1 = 0.8
  // "Levi's Stadium in the San Francisco Bay Area at Santa Clara, California." →
  //   [levis, stadium, in, san, francisco, bay, area, at, santa, clara, california] (11)
  //   common 3, P = 1, R = 3/11 → F1 = (6/11) / (14/11) = 3/7 ≈ 0.428571
  const references = [
    "Levi's Stadium",
    "Santa Clara",
    "Levi's Stadium in the San Francisco Bay Area at Santa Clara, California.",
  ];
  close(tokenF1Scores("Santa Clara, California", references[2]).f1, 3 / 7);
  const result = tokenF1.score(input("Santa Clara, California", references), {});
  close(result.value, 0.8);
  assert.equal(result.details?.reference, "Santa Clara");
  assert.equal(result.details?.references, 3);
  assert.equal(result.details?.recall, 1);
});

Deno.test("token_f1() is 0 with no common token and 0 when both sides normalise to empty", () => {
  assert.deepEqual(tokenF1Scores("cat", "dog"), { precision: 0, recall: 0, f1: 0, common: 0 });
  // SQuAD v1.1 returns 0 here (v2.0 would return 1): "The" and "a" both normalise to "".
  assert.deepEqual(tokenF1Scores("The", "a"), { precision: 0, recall: 0, f1: 0, common: 0 });
  assert.equal(tokenF1.score(input("", "Paris"), {}).value, 0);
});

Deno.test("token_f1() is 1 for an answer equal up to normalisation", () => {
  assert.equal(tokenF1.score(input("The Eiffel Tower.", "eiffel tower"), {}).value, 1);
});

Deno.test("token_f1() keeps non-ASCII tokens", () => {
  // [東京, タワー] vs [東京]: common 1, P = 1/2, R = 1 → F1 = 2/3
  close(tokenF1Scores("東京 タワー", "東京").f1, 2 / 3);
});

Deno.test("token_f1() scores a non-string prediction through String()", () => {
  assert.equal(tokenF1.score(input(1984, "1984"), {}).value, 1);
});
