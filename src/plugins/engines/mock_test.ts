import assert from "node:assert/strict";
import { mockEngine } from "./mock.ts";

const request = (content: string, answer: string) => ({
  model: { model_id: "m", provider: "mock", extras: { answers: { q: answer } } },
  messages: [{ role: "system" as const, content: "  be brief  " }, {
    role: "user" as const,
    content,
  }],
  params: {},
  seed: 1,
  trialId: "t",
  candidateId: "c",
  sampleIndex: 0,
  item: { id: "q", payload: {} },
});

Deno.test("the mock counts tokens as words between any whitespace a regex \\s matches", async () => {
  const words = "one\ttwo\u00a0three\u2003four\u3000five\ufeffsix\u200bstill-six\r\nseven";
  const out = await mockEngine.generate(request(words, " x  y\u2028z "), {});
  assert.deepEqual(out, {
    text: " x  y\u2028z ",
    finish_reason: "stop",
    usage: { prompt_tokens: 2 + 7, completion_tokens: 3 },
  });
});

Deno.test("the mock rejects (never throws) an unknown mode, and a call aborted while it waits", async () => {
  const bad = {
    ...request("hi", "x"),
    model: { model_id: "m", provider: "mock", extras: { mode: "ecko" } },
  };
  const rejected = mockEngine.generate(bad, {});
  assert.ok(rejected instanceof Promise);
  await assert.rejects(rejected, /did you mean "echo"/);
  const slow = {
    ...request("hi", "x"),
    model: { model_id: "m", provider: "mock", extras: { latency_ms: 50 } },
  };
  const controller = new AbortController();
  const pending = mockEngine.generate(slow, { signal: controller.signal });
  controller.abort();
  await assert.rejects(pending, (e: Error) => e.name === "AbortError");
});
