import assert from "node:assert/strict";
import {
  candidateId,
  candidateSeed,
  parseHash,
  scoreHash,
  trialHash,
  type TrialIdentity,
} from "./ids.ts";

// Golden ids: a change here moves every id in every store. Change only on purpose, and note it
// in docs/design/identity.md.
function identity(): TrialIdentity {
  return {
    model: { model_id: "gpt-x", provider: "mock", extras: { mode: "echo" } },
    prompt: { id: "plain", messages: [{ role: "user", content: "Q: {item.q}" }], variables: {} },
    params: { temperature: 0, max_tokens: 16 },
    item: { id: "q1", payload: { id: "q1", q: "2+2", answer: "4" } },
    dataset: { slice_id: "math", source: { kind: "inline" }, dimensions: { level: "easy" } },
  };
}

Deno.test("ids of a fixed spec are the golden values", () => {
  const trial = trialHash(identity());
  const parse = parseHash({ name: "num", extractors: [{ id: "first_number", config: {} }] });
  assert.deepEqual(
    {
      trial,
      candidate0: candidateId(trial, 0),
      candidate1: candidateId(trial, 1),
      parse,
      scoreOnParse: scoreHash(
        {
          name: "acc",
          parse: "num",
          metrics: [{ id: "exact_match", config: {} }],
          reduction: "mean",
        },
        parse,
      ),
      scoreOnText: scoreHash(
        { name: "raw", metrics: [{ id: "exact_match", config: {} }], reduction: "mean" },
        null,
      ),
      seed0: candidateSeed(0, candidateId(trial, 0)),
      seed7: candidateSeed(7, candidateId(trial, 0)),
    },
    {
      trial: "bb3be5567793",
      candidate0: "e654ba8ccaf1",
      candidate1: "6e7e0c78afd3",
      parse: "3144482282ba",
      scoreOnParse: "ad95f1208518",
      scoreOnText: "28be45bc380a",
      seed0: 187136129,
      seed7: 761771947,
    },
  );
});

Deno.test("trialHash() ignores key order but not values", () => {
  const a = identity();
  const b = identity();
  b.params = { max_tokens: 16, temperature: 0 };
  assert.equal(trialHash(a), trialHash(b));
  b.params = { max_tokens: 17, temperature: 0 };
  assert.notEqual(trialHash(a), trialHash(b));
});

Deno.test("trialHash() changes with the model, prompt, item, slice or a dimension", () => {
  const base = trialHash(identity());
  const changes: Array<(t: TrialIdentity) => void> = [
    (t) => (t.model.extras = { mode: "random" }),
    (t) => (t.prompt.messages = [{ role: "user", content: "Q:{item.q}" }]),
    (t) => (t.prompt.variables = { x: 1 }),
    (t) => (t.item.payload = { id: "q1", q: "2+3", answer: "5" }),
    (t) => (t.dataset.slice_id = "math2"),
    (t) => (t.dataset.dimensions = { level: "hard" }),
  ];
  for (const change of changes) {
    const t = identity();
    change(t);
    assert.notEqual(trialHash(t), base);
  }
});

Deno.test("scoreHash() depends on the parse it reads; parseHash() on extractor order", () => {
  const score = {
    name: "acc",
    metrics: [{ id: "exact_match", config: {} }],
    reduction: "mean" as const,
  };
  assert.notEqual(scoreHash(score, "aaa"), scoreHash(score, "bbb"));
  const a = parseHash({
    name: "p",
    extractors: [{ id: "regex", config: { pattern: "x" } }, { id: "json", config: {} }],
  });
  const b = parseHash({
    name: "p",
    extractors: [{ id: "json", config: {} }, { id: "regex", config: { pattern: "x" } }],
  });
  assert.notEqual(a, b);
});

Deno.test("candidateSeed() is a non-negative 31-bit integer that depends on the global seed", () => {
  const c = candidateId("bb3be5567793", 0);
  for (const seed of [0, 1, 2 ** 40]) {
    const s = candidateSeed(seed, c);
    assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 31);
  }
  assert.notEqual(candidateSeed(0, c), candidateSeed(1, c));
});
