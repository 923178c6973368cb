import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { llmJudge, parseVerdict, renderRubric } from "./llm_judge.ts";

const input = {
  prediction: "42",
  text: "The answer is 42.",
  item: { question: "6*7", meta: { source: "gsm8k" }, answer: "42" },
  reference: "42",
};

Deno.test("renderRubric() fills candidate, parse and item placeholders, nested fields too", () => {
  assert.equal(
    renderRubric(
      "Q {item.question} ({item.meta.source}) A {candidate.text} P {parse.answer} {{x}}",
      input,
    ),
    "Q 6*7 (gsm8k) A The answer is 42. P 42 {x}",
  );
  assert.throws(() => renderRubric("{item.nope}", input), /the rubric uses \{item.nope\}/);
  assert.throws(() => renderRubric("{model.id}", input), /unknown placeholder \{model.id\}/);
});

Deno.test("parseVerdict() reads JSON with a numeric score, or exactly one VERDICT line", () => {
  assert.deepEqual(parseVerdict('Sure. {"score": 7, "reason": "close"}', "json"), {
    score: 7,
    reason: "close",
  });
  assert.deepEqual(parseVerdict("reasoning…\nVERDICT: FAIL\n", "line"), { score: 0, reason: null });
  assert.deepEqual(parseVerdict("verdict: 3.5", "line"), { score: 3.5, reason: null });
});

Deno.test("parseVerdict() refuses what is not a clear verdict with JUDGE_UNPARSEABLE", () => {
  const cases: Array<[string, "json" | "line"]> = [
    ["", "json"],
    ["The answer is fine.", "json"],
    ['{"score": "high"}', "json"],
    ['{"score": 5', "json"],
    ["VERDICT: PASS\nVERDICT: FAIL", "line"],
    ["VERDICT: maybe", "line"],
    ["no verdict here", "line"],
  ];
  for (const [text, mode] of cases) {
    assert.throws(
      () => parseVerdict(text, mode),
      (e) => isThemisError(e) && e.code === "JUDGE_UNPARSEABLE",
      JSON.stringify(text),
    );
  }
});

Deno.test("llm_judge validates its config and maps a scaled verdict to [0, 1]", async () => {
  assert.throws(() => llmJudge.validateConfig!({ rubric: "x" }), /needs "provider"/);
  assert.throws(() => llmJudge.validateConfig!({ provider: "mock" }), /needs "rubric"/);
  assert.throws(
    () => llmJudge.validateConfig!({ provider: "mock", rubric: "x", rubirc: 1 }),
    /unknown config key "rubirc"/,
  );
  const seen: string[] = [];
  const result = await llmJudge.evaluate!(input, {
    provider: "openai",
    rubric: "Grade: {candidate.text}",
    scale: { min: 1, max: 5 },
  }, {
    judge: (request) => {
      seen.push(request.messages[0].content);
      return Promise.resolve({ text: '{"score": 4, "reason": "ok"}', cached: false });
    },
  });
  assert.deepEqual(seen, ["Grade: The answer is 42."]);
  assert.deepEqual(result, {
    value: 0.75,
    details: { raw_score: 4, reason: "ok", cached: false, judge: "openai" },
  });
});
