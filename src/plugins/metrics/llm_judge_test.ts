import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { llmJudge, renderRubric } from "./llm_judge.ts";
import { parseVerdict } from "./judge_verdict.ts";

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

Deno.test("parseVerdict() reads JSON with a score, or exactly one VERDICT line", () => {
  assert.deepEqual(parseVerdict('Sure. {"score": 7, "reason": "close"}', "json"), {
    verdict: 7,
    reason: "close",
  });
  assert.deepEqual(parseVerdict('{"score": "partial"}', "json"), {
    verdict: "partial",
    reason: null,
  });
  assert.deepEqual(parseVerdict("reasoning…\nVERDICT: FAIL\n", "line"), {
    verdict: "FAIL",
    reason: null,
  });
  assert.deepEqual(parseVerdict("verdict: 3.5", "line"), { verdict: 3.5, reason: null });
});

Deno.test("parseVerdict() refuses what is not a clear verdict with JUDGE_UNPARSEABLE", () => {
  const cases: Array<[string, "json" | "line"]> = [
    ["", "json"],
    ["The answer is fine.", "json"],
    ['{"score": "very high"}', "json"],
    ['{"score": null}', "json"],
    ['{"score": 5', "json"],
    ["VERDICT: PASS\nVERDICT: FAIL", "line"],
    ["no verdict here", "line"],
  ];
  for (const [text, mode] of cases) {
    assert.throws(
      () => parseVerdict(text, mode),
      (e) =>
        isThemisError(e) && e.code === "JUDGE_UNPARSEABLE" && e.details.reason === "unparseable",
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
    details: {
      verdict: 4,
      raw_score: 4,
      scale: [1, 5],
      reason: "ok",
      cached: false,
      judge: "openai",
    },
  });
});

/** Runs llm_judge with a judge that answers `text`. */
function judgeWith(text: string, config: Record<string, unknown>) {
  return llmJudge.evaluate!(input, { provider: "mock", rubric: "Grade", ...config } as never, {
    judge: () => Promise.resolve({ text, cached: true }),
  });
}

const outOfScale = (e: unknown) =>
  isThemisError(e) && e.code === "JUDGE_UNPARSEABLE" && e.details.reason === "out_of_scale";

Deno.test("llm_judge without a scale is PASS/FAIL: 'VERDICT: 3' is invalid, not 3 (issue 12)", async () => {
  assert.equal((await judgeWith("VERDICT: PASS", { verdict: "line" })).value, 1);
  assert.equal((await judgeWith("VERDICT: fail", { verdict: "line" })).value, 0);
  assert.equal((await judgeWith('{"score": 1}', {})).value, 1);
  assert.equal((await judgeWith('{"score": 0}', {})).value, 0);
  await assert.rejects(() => judgeWith("VERDICT: 3", { verdict: "line" }), outOfScale);
  await assert.rejects(() => judgeWith('{"score": 0.5}', {}), outOfScale);
  assert.deepEqual(llmJudge.rangeFor!({ provider: "mock", rubric: "x" }), {
    min: 0,
    max: 1,
    binary: true,
  });
});

Deno.test("llm_judge normalises a numeric scale to [0, 1] and refuses verdicts outside it", async () => {
  for (const scale of [[1, 5], { min: 1, max: 5 }]) {
    const r = await judgeWith("VERDICT: 5", { verdict: "line", scale });
    assert.deepEqual([r.value, r.details?.verdict, r.details?.scale], [1, 5, [1, 5]]);
    assert.equal((await judgeWith('{"score": 1}', { scale })).value, 0);
    assert.equal((await judgeWith('{"score": 2.5}', { scale })).value, 0.375);
    await assert.rejects(() => judgeWith('{"score": 0}', { scale }), outOfScale);
    await assert.rejects(() => judgeWith('{"score": 6}', { scale }), outOfScale);
    await assert.rejects(() => judgeWith("VERDICT: PASS", { verdict: "line", scale }), outOfScale);
  }
  assert.deepEqual(llmJudge.rangeFor!({ provider: "m", rubric: "x", scale: [1, 5] }), {
    min: 0,
    max: 1,
  });
});

Deno.test("llm_judge maps labels to evenly spaced scores, worst first, any case", async () => {
  const scale = ["wrong", "partial", "right"];
  assert.equal((await judgeWith("VERDICT: RIGHT", { verdict: "line", scale })).value, 1);
  const partial = await judgeWith('{"score": "Partial", "reason": "half"}', { scale });
  assert.deepEqual([partial.value, partial.details?.verdict, partial.details?.raw_score], [
    0.5,
    "Partial",
    null,
  ]);
  await assert.rejects(() => judgeWith('{"score": "maybe"}', { scale }), outOfScale);
  await assert.rejects(() => judgeWith('{"score": 1}', { scale }), outOfScale);
  assert.equal(
    llmJudge.rangeFor!({ provider: "m", rubric: "x", scale: ["no", "yes"] }).binary,
    true,
  );
});

Deno.test("llm_judge rejects a scale it cannot use with SPEC_INVALID naming scale", () => {
  for (
    const scale of [
      [5, 1],
      [1, 2, 3],
      { min: 1 },
      { min: 0, max: 1, step: 1 },
      ["only"],
      [
        "a",
        "A",
      ],
      ["two words", "x"],
      "1-5",
      [1, "x"],
    ]
  ) {
    assert.throws(
      () => llmJudge.validateConfig!({ provider: "m", rubric: "x", scale } as never),
      (e) => isThemisError(e) && e.code === "SPEC_INVALID" && e.details.path === "scale",
      JSON.stringify(scale),
    );
  }
});
