import assert from "node:assert/strict";
import type { ThemisError } from "../../core/errors.ts";
import type { CallInfo } from "./_http.ts";
import { readOpenAIAnswer } from "./openai.ts";

const CALL: CallInfo = { provider: "openai", model: "m", url: "http://127.0.0.1/v1", secrets: [] };

function thrown(fn: () => unknown): ThemisError {
  try {
    fn();
  } catch (error) {
    return error as ThemisError;
  }
  assert.fail("expected an error");
}

Deno.test("readOpenAIAnswer() reads a refusal as empty text with the refusal in meta", () => {
  const output = readOpenAIAnswer(
    {
      choices: [{ message: { content: null, refusal: "I can't help" }, finish_reason: "stop" }],
    },
    new Headers(),
    CALL,
    false,
  );
  assert.deepEqual(output, { text: "", finish_reason: "stop", meta: { refusal: "I can't help" } });
});

Deno.test("readOpenAIAnswer() keeps partial usage and drops logprobs nobody asked for", () => {
  const output = readOpenAIAnswer(
    {
      id: "x",
      choices: [{ message: { content: "hi" }, logprobs: { content: [] } }],
      usage: { prompt_tokens: 5 },
    },
    new Headers({ "x-request-id": "req_1" }),
    CALL,
    false,
  );
  assert.deepEqual(output, {
    text: "hi",
    usage: { prompt_tokens: 5 },
    meta: { request_id: "req_1", response_id: "x" },
  });
});

Deno.test("readOpenAIAnswer() maps an error object sent with a 200 by its code", () => {
  const json = { error: { code: 502, message: "upstream failed" } };
  const error = thrown(() => readOpenAIAnswer(json, new Headers(), CALL, false));
  assert.equal(error.code, "PROVIDER_UNAVAILABLE");
  assert.match(error.message, /upstream failed/);
  const limited = thrown(() =>
    readOpenAIAnswer({ error: { code: 429, message: "slow" } }, new Headers(), CALL, false)
  );
  assert.equal(limited.code, "PROVIDER_RATE_LIMIT");
});

Deno.test("readOpenAIAnswer() calls anything without a text message malformed", () => {
  for (const json of [[], "x", {}, { choices: [] }, { choices: [{ message: { content: 3 } }] }]) {
    const error = thrown(() => readOpenAIAnswer(json, new Headers(), CALL, false));
    assert.equal(error.code, "PROVIDER_MALFORMED", JSON.stringify(json));
  }
});
