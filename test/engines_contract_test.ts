/**
 * The engine contract (test/support/engine_contract.ts) run against every engine: openai and
 * anthropic through a scripted HTTP server on 127.0.0.1, llama_cpp in-process on the tiny
 * random-weight GGUF model written at test time (test/support/gguf.ts).
 */
import assert from "node:assert/strict";
import type { Json } from "../src/core/json.ts";
import { anthropicEngine } from "../src/plugins/engines/anthropic.ts";
import { openaiEngine } from "../src/plugins/engines/openai.ts";
import { llamaCppEngine } from "../src/plugins/engines/llama_cpp.ts";
import type { GenerationRequest } from "../src/plugins/types.ts";
import {
  assertSchemaAnswer,
  contextFor,
  type ContractTarget,
  engineContract,
  failure,
  KEY,
  makeRequest,
  USER,
} from "./support/engine_contract.ts";
import { testModelPath } from "./support/gguf.ts";
import { httpTarget } from "./support/http_engine_contract.ts";
import { startOpenAIServer } from "./support/openai_server.ts";

const USER_SENT: Json = [{ role: "user", content: "What is 2+2?" }];
const SCHEMA = { type: "object", properties: { answer: { type: "string" } } };

engineContract(
  "openai",
  httpTarget({
    engine: () => openaiEngine,
    keyEnv: "OPENAI_API_KEY",
    officialUrl: "https://api.openai.com/v1",
    credential: ["authorization", `Bearer ${KEY}`],
    capabilities: { jsonOutput: true, logprobs: true, seed: true },
    meta: (i, model) => ({
      request_id: `req_${i}`,
      response_id: `chatcmpl-${i}`,
      system_fingerprint: "fp_test",
      model,
    }),
    finishReason: "stop",
    seedField: "seed",
    jsonBody: (schema) => ({
      response_format: { type: "json_schema", json_schema: { name: "a", schema } },
    }),
    mappings: [
      {
        name: "sampling",
        params: { temperature: 0.3, top_p: 0.9, max_tokens: 64, stop: ["\n\n", "END"] },
        body: { temperature: 0.3, top_p: 0.9, max_tokens: 64, stop: ["\n\n", "END"], seed: 424242 },
        absent: ["n", "response_format", "logprobs"],
      },
      {
        name: "system prompt stays a message",
        params: { stop: "END" },
        messages: [{ role: "system", content: "Be brief." }, ...USER],
        body: {
          stop: "END",
          messages: [{ role: "system", content: "Be brief." }, {
            role: "user",
            content: "What is 2+2?",
          }],
        },
      },
      { name: "seed override", params: { seed: 7, n: 1 }, body: { seed: 7 }, absent: ["n"] },
      { name: "no seed", params: { seed: null }, body: {}, absent: ["seed"] },
      {
        name: "json shorthand",
        params: { response_format: "json" },
        body: {
          response_format: { type: "json_object" },
        },
      },
      {
        name: "json schema",
        params: {
          response_format: { type: "json_schema", json_schema: { name: "a", schema: SCHEMA } },
        },
        body: {
          response_format: { type: "json_schema", json_schema: { name: "a", schema: SCHEMA } },
        },
      },
      {
        name: "logprobs",
        params: { logprobs: true, top_logprobs: 2 },
        body: { logprobs: true, top_logprobs: 2 },
        meta: {
          logprobs: [
            { token: "What ", logprob: -0.25, bytes: [87, 104, 97, 116, 32], top_logprobs: [] },
            { token: "is ", logprob: -0.25, bytes: [105, 115, 32], top_logprobs: [] },
            { token: "2+2?", logprob: -0.25, bytes: [50, 43, 50, 63], top_logprobs: [] },
          ],
        },
      },
      {
        name: "reasoning models",
        params: { max_completion_tokens: 100, reasoning_effort: "low" },
        body: { max_completion_tokens: 100, reasoning_effort: "low" },
      },
    ],
    rejected: [
      { params: { response_format: "yaml" }, message: /"response_format" must be "json" or/ },
      { params: { top_k: 5 }, message: /"top_k" is not supported/ },
    ],
  }),
);

engineContract(
  "anthropic",
  httpTarget({
    engine: () => anthropicEngine,
    keyEnv: "ANTHROPIC_API_KEY",
    officialUrl: "https://api.anthropic.com/v1",
    credential: ["x-api-key", KEY],
    capabilities: { jsonOutput: true, logprobs: false, seed: false },
    meta: (i, model) => ({ request_id: `req_${i}`, response_id: `msg_${i}`, model }),
    finishReason: "end_turn",
    jsonBody: (schema) => ({ output_config: { format: { type: "json_schema", schema } } }),
    mappings: [
      {
        name: "sampling",
        params: { temperature: 0.3, top_p: 0.9, top_k: 40, max_tokens: 64, stop: ["END"] },
        body: { temperature: 0.3, top_p: 0.9, top_k: 40, max_tokens: 64, stop_sequences: ["END"] },
        absent: ["stop", "seed", "n", "output_config"],
      },
      {
        name: "system prompt goes to the system field",
        params: { stop: "END" },
        messages: [
          { role: "system", content: "Be brief." },
          { role: "system", content: "Answer with a number." },
          ...USER,
        ],
        body: {
          system: "Be brief.\n\nAnswer with a number.",
          messages: USER_SENT,
          max_tokens: 1024,
          stop_sequences: ["END"],
        },
      },
      {
        name: "seed is not sent, and says so",
        params: { seed: 7 },
        body: {},
        absent: ["seed"],
        meta: { ignored_params: ["seed"] },
      },
      {
        name: "json schema",
        params: {
          response_format: { type: "json_schema", json_schema: { name: "a", schema: SCHEMA } },
        },
        body: { output_config: { format: { type: "json_schema", schema: SCHEMA } } },
        absent: ["response_format"],
      },
    ],
    rejected: [
      { params: { response_format: "json" }, message: /"response_format" must be a table/ },
      { params: { logprobs: true }, message: /"logprobs" is not supported/ },
    ],
  }),
);

Deno.test("anthropic: a schema-free JSON mode is refused with the way out", async () => {
  const error = await failure(
    anthropicEngine.generate(
      makeRequest({ base_url: "http://127.0.0.1:9/v1" }, {
        params: { response_format: { type: "json_object" } },
      }),
      contextFor("ANTHROPIC_API_KEY"),
    ),
  );
  assert.equal(error.code, "PROVIDER_BAD_REQUEST");
  assert.match(error.message, /no schema-free JSON mode.*json extractor/);
});

Deno.test("anthropic: sends anthropic-version, overridable from extras", async () => {
  await using server = startOpenAIServer();
  const context = contextFor("ANTHROPIC_API_KEY");
  await anthropicEngine.generate(makeRequest({ base_url: server.url }), context);
  await anthropicEngine.generate(
    makeRequest({ base_url: server.url, anthropic_version: "2099-01-01" }),
    context,
  );
  assert.deepEqual(server.requests.map((r) => r.headers["anthropic-version"]), [
    "2023-06-01",
    "2099-01-01",
  ]);
  assert.deepEqual(server.requests.map((r) => r.path), ["/v1/messages", "/v1/messages"]);
});

// ---------------------------------------------------------------- llama_cpp, in-process

let warm: Promise<unknown> | undefined;

/**
 * The tiny test model (2 layers, 64 wide, llama.cpp's Llama vocabulary, random weights),
 * loaded once before the first case so abort cases time the generation, not the load.
 */
function llamaCppTarget(): ContractTarget {
  const connect = (model_path: string) => {
    const request = (over: Partial<GenerationRequest> = {}, extras = {}) =>
      makeRequest({ model_path, ...extras }, {
        ...over,
        params: { max_tokens: 8, ...over.params },
      });
    return {
      request,
      // Up to the whole context (about 2,000 tokens, over a second): far longer than 100 ms.
      slowRequest: () => request({ params: { max_tokens: 100_000 } }),
      context: (signal?: AbortSignal) => ({ signal }),
      [Symbol.asyncDispose]: () => Promise.resolve(),
    };
  };
  const generate = (request: GenerationRequest) => llamaCppEngine.generate(request, {});
  return {
    engine: () => llamaCppEngine,
    capabilities: { jsonOutput: true, logprobs: false, seed: true },
    async open() {
      const connection = connect(await testModelPath());
      warm ??= generate(connection.request({ params: { max_tokens: 1 } }));
      await warm;
      return connection;
    },
    async answer(connection) {
      const output = await generate(connection.request());
      assert.ok(output.text.length > 0);
      assert.deepEqual({ ...output, text: "" }, {
        text: "",
        finish_reason: "length",
        // The model's own tokenizer: "user: What is 2+2?\nassistant:" is 15 Llama tokens.
        usage: { prompt_tokens: 15, completion_tokens: 8 },
        meta: {
          model: "tiny-llama.gguf",
          stop_reason: "maxTokens",
          context_size: 2048,
          chat_wrapper: "JinjaTemplate",
          seed: 424242,
          threads: 1,
        },
      });
      assert.deepEqual(await generate(connection.request()), output, "greedy is deterministic");
    },
    async seed(connection) {
      const sampled = (params = {}, extras = {}) =>
        generate(
          connection.request({ params: { temperature: 1, max_tokens: 12, ...params } }, extras),
        );
      const candidate = await sampled();
      assert.deepEqual(await sampled(), candidate, "the same seed draws the same tokens");
      const seven = await sampled({ seed: 7 });
      assert.equal(seven.meta?.seed, 7);
      assert.notEqual(seven.text, candidate.text);
      assert.equal((await sampled({}, { seed: 7 })).text, seven.text, "extras.seed");
      const greedy = (seed: number) =>
        generate(connection.request({ params: { temperature: 0, seed } }));
      assert.equal((await greedy(1)).text, (await greedy(2)).text, "greedy ignores the seed");
    },
    async json(connection, schema) {
      const response_format = { type: "json_schema", json_schema: { name: "a", schema } };
      const output = await generate(
        connection.request({ params: { response_format, max_tokens: 64 } }),
      );
      assertSchemaAnswer(output);
      assert.equal(output.finish_reason, "stop");
      const any = await generate(
        connection.request({ params: { response_format: "json", max_tokens: 64 } }),
      );
      JSON.parse(any.text);
    },
    notFound: {
      extras: { model_path: "missing/nothing.gguf" },
      message: /"missing\/nothing\.gguf" \(resolved to .*missing\/nothing\.gguf\) does not exist/,
    },
    rejected: [
      { params: { logprobs: true }, message: /"logprobs" is not supported/ },
      { params: { response_format: "yaml" }, message: /"response_format" must be "json", / },
      { params: { temperature: -1 }, message: /"temperature" must be a number ≥ 0/ },
      { params: { seed: 2 ** 40 }, message: /"seed" must be an integer from 0 to 4294967295/ },
    ],
    badExtras: () => [
      [{ model_pth: "x.gguf" }, /unknown models\[\]\.extras "model_pth".*"model_path"/],
      [{ model_path: "" }, /model_path must name a GGUF model file/],
      [{ threads: 0 }, /extras\.threads must be an integer ≥ 1/],
      [{ context_size: "big" }, /extras\.context_size must be an integer/],
      [{ gpu_layers: -1 }, /extras\.gpu_layers must be an integer ≥ 0/],
      [{ seed: -1 }, /extras\.seed must be an integer/],
    ],
    noHttp: "llama_cpp runs the model in-process: no server, status codes, headers or keys",
  };
}

engineContract("llama_cpp", llamaCppTarget());
