import assert from "node:assert/strict";
import type { ThemisError } from "../../core/errors.ts";
import type { CallInfo } from "./_http.ts";
import { readAnthropicAnswer } from "./anthropic.ts";

const CALL: CallInfo = {
  provider: "anthropic",
  model: "m",
  url: "http://127.0.0.1/v1/messages",
  secrets: [],
};

function thrown(fn: () => unknown): ThemisError {
  try {
    fn();
  } catch (error) {
    return error as ThemisError;
  }
  assert.fail("expected an error");
}

Deno.test("readAnthropicAnswer() joins text blocks and skips thinking and tool blocks", () => {
  const output = readAnthropicAnswer(
    {
      id: "msg_1",
      model: "claude-x-2026",
      content: [
        { type: "thinking", thinking: "hmm" },
        { type: "text", text: "The answer " },
        { type: "tool_use", id: "t", name: "f", input: {} },
        { type: "text", text: "is 4" },
      ],
      stop_reason: "stop_sequence",
      stop_sequence: "END",
      usage: { input_tokens: 10, output_tokens: 4, cache_read_input_tokens: 0 },
    },
    new Headers({ "request-id": "req_a" }),
    CALL,
    ["seed"],
  );
  assert.deepEqual(output, {
    text: "The answer is 4",
    finish_reason: "stop_sequence",
    usage: { prompt_tokens: 10, completion_tokens: 4 },
    meta: {
      request_id: "req_a",
      response_id: "msg_1",
      model: "claude-x-2026",
      stop_sequence: "END",
      ignored_params: ["seed"],
    },
  });
});

Deno.test("readAnthropicAnswer() maps an error event in a 200 body by its type", () => {
  const json = { type: "error", error: { type: "overloaded_error", message: "Overloaded" } };
  const error = thrown(() => readAnthropicAnswer(json, new Headers(), CALL, []));
  assert.equal(error.code, "PROVIDER_UNAVAILABLE");
  assert.equal(error.details.status, 529);
});

Deno.test("readAnthropicAnswer() calls a body without content blocks malformed", () => {
  for (const json of [null, [], { content: "text" }, { id: "x" }]) {
    const error = thrown(() => readAnthropicAnswer(json, new Headers(), CALL, []));
    assert.equal(error.code, "PROVIDER_MALFORMED", JSON.stringify(json));
  }
});
