import assert from "node:assert/strict";
import { homedir } from "node:os";
import type { ThemisError } from "../../core/errors.ts";
import type { JsonObject } from "../../core/json.ts";
import {
  chatHistory,
  finishReason,
  modelFile,
  readCallSettings,
  readModelSettings,
} from "./_llama_settings.ts";

const model = (extras: JsonObject) => ({ model_id: "m", provider: "llama_cpp", extras });

const refused = (code: string, message: RegExp) => (error: ThemisError) => {
  assert.equal(error.code, code);
  assert.match(error.message, message);
  return true;
};

Deno.test("readModelSettings() resolves model_path against the working folder, with defaults", () => {
  assert.deepEqual(readModelSettings(model({ model_path: "models/a.gguf" }), "/work"), {
    modelPath: "models/a.gguf",
    resolvedPath: "/work/models/a.gguf",
    threads: 1,
    gpuLayers: 0,
  });
  assert.deepEqual(
    readModelSettings(
      model({ model_path: "/m/a.gguf", context_size: 1024, threads: 4, gpu_layers: 99, seed: 5 }),
      "/work",
    ),
    {
      modelPath: "/m/a.gguf",
      resolvedPath: "/m/a.gguf",
      contextSize: 1024,
      threads: 4,
      gpuLayers: 99,
      seed: 5,
    },
  );
  const home = readModelSettings(model({ model_path: "~/models/a.gguf" }), "/work");
  assert.equal(home.resolvedPath, `${homedir()}/models/a.gguf`);
});

Deno.test("readModelSettings() refuses unknown or wrong extras with the fix", () => {
  const cases: Array<[JsonObject, RegExp]> = [
    [{}, /model_path must name a GGUF model file .* got null/],
    [
      { model_path: "a.gguf", contextsize: 9 },
      /unknown .*"contextsize" \(did you mean "context_size"\?\)/,
    ],
    [{ model_path: "a.gguf", context_size: 8 }, /context_size must be an integer ≥ 16, got 8/],
    [{ model_path: "a.gguf", threads: 1.5 }, /threads must be an integer ≥ 1/],
    [{ model_path: "a.gguf", seed: "x" }, /seed must be an integer from 0 to 4294967295/],
  ];
  for (const [extras, message] of cases) {
    assert.throws(() => readModelSettings(model(extras)), refused("PROVIDER_BAD_REQUEST", message));
  }
});

Deno.test("modelFile() is PROVIDER_NOT_FOUND with both paths, and refuses a folder", () => {
  const missing = readModelSettings(model({ model_path: "nope/a.gguf" }), "/work");
  assert.throws(
    () => modelFile(missing),
    refused(
      "PROVIDER_NOT_FOUND",
      /"nope\/a\.gguf" \(resolved to \/work\/nope\/a\.gguf\) does not exist/,
    ),
  );
  const folder = readModelSettings(model({ model_path: "/tmp" }));
  assert.throws(() => modelFile(folder), refused("PROVIDER_BAD_REQUEST", /is not a file/));
});

Deno.test("readCallSettings() defaults to greedy decoding with the candidate seed", () => {
  assert.deepEqual(readCallSettings({}, 42), { temperature: 0, stop: [], seed: 42 });
  assert.deepEqual(
    readCallSettings(
      {
        temperature: 0.7,
        top_p: 0.9,
        top_k: 40,
        min_p: 0.05,
        repeat_penalty: 1.1,
        max_tokens: 9,
        stop: "\n",
      },
      42,
      7,
    ),
    {
      temperature: 0.7,
      topP: 0.9,
      topK: 40,
      minP: 0.05,
      repeatPenalty: 1.1,
      maxTokens: 9,
      stop: ["\n"],
      seed: 7,
    },
  );
  assert.equal(readCallSettings({ seed: 3 }, 42, 7).seed, 3, "params.seed wins");
  assert.equal(readCallSettings({ seed: null }, 42, 7).seed, 7, "null: the model's or candidate's");
});

Deno.test("readCallSettings() reads constrained output from response_format or grammar", () => {
  const schema = { type: "object", properties: { a: { type: "string" } } };
  const grammar = (params: JsonObject) => readCallSettings(params, 1).grammar;
  assert.deepEqual(grammar({ response_format: "json" }), { kind: "json" });
  assert.deepEqual(grammar({ response_format: { type: "json_object" } }), { kind: "json" });
  assert.deepEqual(
    grammar({ response_format: { type: "json_schema", json_schema: { name: "a", schema } } }),
    { kind: "json_schema", schema },
  );
  assert.deepEqual(grammar({ grammar: 'root ::= "a"' }), { kind: "gbnf", text: 'root ::= "a"' });
  assert.throws(
    () => grammar({ response_format: { type: "json_schema", json_schema: { name: "a" } } }),
    refused("PROVIDER_BAD_REQUEST", /"response_format" must be "json", .*json_schema = \{schema/),
  );
  assert.throws(
    () => readCallSettings({ stop: ["", "x"] }, 1),
    refused("PROVIDER_BAD_REQUEST", /stop sequence must not be empty/),
  );
});

Deno.test("readCallSettings() lists every wrong param at once", () => {
  assert.throws(
    () => readCallSettings({ top_p: 2, top_k: -1, logprobs: true }, 1),
    refused(
      "PROVIDER_BAD_REQUEST",
      /"top_p" must be a number in \(0, 1\].*"top_k" must be an integer ≥ 0.*"logprobs" is not supported/,
    ),
  );
});

Deno.test("chatHistory() maps roles, and refuses an empty prompt", () => {
  assert.deepEqual(
    chatHistory([
      { role: "system", content: "S" },
      { role: "user", content: "U" },
      { role: "assistant", content: "A" },
    ]),
    [{ type: "system", text: "S" }, { type: "user", text: "U" }, {
      type: "model",
      response: ["A"],
    }],
  );
  assert.throws(() => chatHistory([]), refused("PROVIDER_BAD_REQUEST", /no messages/));
});

Deno.test("finishReason() says length only for the token limit", () => {
  assert.deepEqual(
    ["maxTokens", "eogToken", "customStopTrigger", "stopGenerationTrigger"].map(finishReason),
    ["length", "stop", "stop", "stop"],
  );
});
