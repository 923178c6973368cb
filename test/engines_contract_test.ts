import assert from "node:assert/strict";
import { isThemisError, type ThemisError } from "../src/core/errors.ts";
import type { Json, JsonObject } from "../src/core/json.ts";
import { anthropicEngine } from "../src/plugins/engines/anthropic.ts";
import { openaiEngine } from "../src/plugins/engines/openai.ts";
import type {
  ChatMessage,
  Engine,
  EngineContext,
  GenerationRequest,
} from "../src/plugins/types.ts";
import { Registry } from "../src/plugins/registry.ts";
import { runCandidateWork } from "../src/run/candidate_work.ts";
import { DEFAULT_RETRYABLE_CODES } from "../src/spec/schemas.ts";
import { hashSecret, startOpenAIServer, type Step } from "./support/openai_server.ts";

const KEY = "sk-test-Contract0123456789abcdef";

/** A case of the params → request body mapping: `body` must be a subset of what was sent. */
interface MappingCase {
  name: string;
  params: JsonObject;
  messages?: ChatMessage[];
  body: JsonObject;
  absent?: string[];
  meta?: JsonObject;
}

/** What the contract needs to know about one engine. */
interface EngineSetup {
  engine: () => Engine;
  keyEnv: string;
  officialUrl: string;
  /** The credential header as sent with `KEY`. */
  credential: [name: string, value: string];
  capabilities: JsonObject;
  /** `meta` of a default "ok" answer to request `index`, for model name `model`. */
  meta: (index: number, model: string) => JsonObject;
  finishReason: string;
  mappings: MappingCase[];
  /** Params this engine must refuse before any request. */
  rejected: Array<{ params: JsonObject; message: RegExp }>;
}

const USER: ChatMessage[] = [{ role: "user", content: "What is 2+2?" }];
const USER_SENT: Json = [{ role: "user", content: "What is 2+2?" }];

function makeRequest(extras: JsonObject, overrides: Partial<GenerationRequest> = {}) {
  return {
    model: { model_id: "test-model", provider: "x", extras },
    messages: USER,
    params: {},
    seed: 424242,
    trialId: "t1",
    candidateId: "c1",
    sampleIndex: 0,
    item: { id: "q1", payload: {} },
    ...overrides,
  } satisfies GenerationRequest;
}

/** A context whose `secret` knows `env` (with `key`; null: the variable is unset). */
function contextFor(env: string, key: string | null = KEY, signal?: AbortSignal) {
  return {
    signal,
    secret: (name: string) => (name === env && key !== null ? key : undefined),
  } satisfies EngineContext;
}

async function failure(promise: Promise<unknown>): Promise<ThemisError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isThemisError(error), `expected a ThemisError, got ${error}`);
    return error;
  }
  assert.fail("expected the call to fail");
}

function assertNoKey(error: ThemisError): void {
  const shown = JSON.stringify({ message: error.message, details: error.details });
  assert.ok(!shown.includes(KEY), `the key leaked: ${shown}`);
  assert.ok(!/sk-test/.test(shown), `a key-like string leaked: ${shown}`);
}

function engineContract(label: string, setup: EngineSetup): void {
  const { keyEnv } = setup;
  const test = (name: string, fn: () => Promise<void>) => Deno.test(`${label}: ${name}`, fn);
  const call = (url: string, over: Partial<GenerationRequest> = {}, extras: JsonObject = {}) =>
    setup.engine().generate(
      makeRequest({ base_url: url, model: "served-model", ...extras }, over),
      contextFor(keyEnv),
    );

  test("declares its capabilities", () => {
    assert.deepEqual(setup.engine().capabilities, setup.capabilities);
    return Promise.resolve();
  });

  test("returns text, finish reason, usage and provider meta, and sends the key", async () => {
    await using server = startOpenAIServer({ script: [{ kind: "ok", text: "4" }] });
    const output = await call(server.url);
    assert.deepEqual(output, {
      text: "4",
      finish_reason: setup.finishReason,
      usage: { prompt_tokens: 3, completion_tokens: 1 },
      meta: setup.meta(0, "served-model"),
    });
    assert.equal(server.requests.length, 1);
    const [name, value] = setup.credential;
    assert.equal(server.requests[0].headers[name], hashSecret(value));
    assert.equal((server.requests[0].body as JsonObject).model, "served-model");
  });

  test("defaults the provider model name to model_id and sends extra headers", async () => {
    await using server = startOpenAIServer();
    const headers = { "x-title": "themis", "http-referer": "https://example.test" };
    await setup.engine().generate(
      makeRequest({ base_url: server.url, headers }),
      contextFor(keyEnv),
    );
    const sent = server.requests[0];
    assert.equal((sent.body as JsonObject).model, "test-model");
    assert.equal(sent.headers["x-title"], "themis");
    assert.equal(sent.headers["http-referer"], "https://example.test");
  });

  const errors: Array<[string, Step, string, JsonObject?]> = [
    ["401", 401, "PROVIDER_AUTH"],
    ["403", 403, "PROVIDER_AUTH"],
    ["400", 400, "PROVIDER_BAD_REQUEST"],
    ["404", 404, "PROVIDER_NOT_FOUND"],
    ["429 with Retry-After seconds", 429, "PROVIDER_RATE_LIMIT", { retry_after: 1 }],
    [
      "429 with retry-after-ms",
      {
        kind: "error",
        status: 429,
        retry_after: 9,
        retry_after_ms: 2500,
      },
      "PROVIDER_RATE_LIMIT",
      { retry_after: 2.5 },
    ],
    ["429 with an HTTP-date", {
      kind: "error",
      status: 429,
      retry_after: new Date(Date.now() + 30_000).toUTCString(),
    }, "PROVIDER_RATE_LIMIT"],
    ["500", 500, "PROVIDER_UNAVAILABLE"],
    ["503", 503, "PROVIDER_UNAVAILABLE"],
    ["529 overloaded", 529, "PROVIDER_UNAVAILABLE"],
    ["a body that is not JSON", "malformed", "PROVIDER_MALFORMED"],
    ["JSON without the answer", { kind: "raw", body: { id: "x" } }, "PROVIDER_MALFORMED"],
    ["a connection cut mid-body", "reset", "PROVIDER_NETWORK"],
  ];
  test("maps every provider failure to its error code, scrubbed", async () => {
    await using server = startOpenAIServer({ script: errors.map(([, step]) => step) });
    for (const [name, step, code, details] of errors) {
      const error = await failure(call(server.url));
      assert.equal(error.code, code, `${name}: ${error.message}`);
      assertNoKey(error);
      assert.equal(error.details.provider, setup.engine().id, name);
      if (typeof step === "number") {
        assert.equal(error.details.status, step, name);
        assert.match(error.message, new RegExp(`HTTP ${step}`), name);
      }
      for (const [k, v] of Object.entries(details ?? {})) assert.equal(error.details[k], v, name);
      if (name.includes("HTTP-date")) {
        const wait = error.details.retry_after as number;
        assert.ok(wait > 25 && wait <= 30, `${name}: ${wait}`);
      }
      const retryable = DEFAULT_RETRYABLE_CODES.includes(error.code);
      assert.equal(
        retryable,
        !["PROVIDER_AUTH", "PROVIDER_BAD_REQUEST"].includes(code) &&
          code !== "PROVIDER_NOT_FOUND",
        name,
      );
    }
    assert.equal(server.requests.length, errors.length);
  });

  test("keeps the provider's message and never shows the key it echoes", async () => {
    await using server = startOpenAIServer({ script: [401] });
    const error = await failure(call(server.url));
    assert.equal(error.code, "PROVIDER_AUTH");
    assert.match(error.message, /Incorrect API key provided: .*\[redacted\]/);
    assert.match(error.message, new RegExp(keyEnv));
    assertNoKey(error);
  });

  test("scrubs the key from meta when a server echoes it", async () => {
    await using server = startOpenAIServer({
      script: [{ kind: "ok", id: `id-${KEY}`, model: `m ${KEY}`, request_id: KEY }],
    });
    const output = await call(server.url);
    assert.ok(!JSON.stringify(output).includes(KEY), JSON.stringify(output));
  });

  test("a refused connection is PROVIDER_NETWORK", async () => {
    const server = startOpenAIServer();
    await server.close();
    const error = await failure(call(server.url));
    assert.equal(error.code, "PROVIDER_NETWORK");
    assert.match(error.message, /base_url/);
  });

  for (const hang of ["hang", "hang_body"] as const) {
    test(`stops promptly when the signal aborts (${hang})`, async () => {
      await using server = startOpenAIServer({ script: [hang, hang] });
      const started = performance.now();
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const request = makeRequest({ base_url: server.url });
      const cancelled = await failure(
        setup.engine().generate(request, contextFor(keyEnv, KEY, controller.signal)),
      );
      assert.equal(cancelled.code, "CANCELLED");
      const timeout = await failure(
        setup.engine().generate(request, contextFor(keyEnv, KEY, AbortSignal.timeout(50))),
      );
      assert.equal(timeout.code, "PROVIDER_TIMEOUT");
      assert.ok(performance.now() - started < 1000, "the engine did not stop promptly");
      assertNoKey(timeout);
    });
  }

  test("in a worker task: a hang times out, a 429 keeps retry_after, then text", async () => {
    await using server = startOpenAIServer({ script: ["hang", 429, { kind: "ok", text: "4" }] });
    const registry = Registry.withPlugins({ engines: [setup.engine()] });
    const task = {
      generation: {
        request: makeRequest({ base_url: server.url }, {
          model: {
            model_id: "test-model",
            provider: setup.engine().id,
            extras: { base_url: server.url },
          },
        }),
        timeoutMs: 100,
      },
      item: {},
      parses: [],
      scores: [],
      knownAnswers: {},
      hooks: [],
    };
    const secret = contextFor(keyEnv).secret;
    const started = performance.now();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await runCandidateWork(task, registry, secret));
    assert.ok(performance.now() - started < 1000);
    const [hung, limited, answered] = results.map((r) => r.generation!);
    assert.equal(!hung.ok && hung.error.code, "PROVIDER_TIMEOUT");
    assert.equal(!limited.ok && limited.error.code, "PROVIDER_RATE_LIMIT");
    assert.equal(!limited.ok && limited.error.details?.retry_after, 1);
    assert.ok(!JSON.stringify(limited).includes(KEY));
    assert.equal(answered.ok && answered.output.text, "4");
  });

  test("maps inference params to the request body", async () => {
    await using server = startOpenAIServer();
    for (const [i, mapping] of setup.mappings.entries()) {
      const output = await call(server.url, {
        params: mapping.params,
        messages: mapping.messages ?? USER,
      });
      const sent = server.requests[i].body as JsonObject;
      for (const [k, v] of Object.entries(mapping.body)) {
        assert.deepEqual(sent[k], v, `${mapping.name}: ${k}`);
      }
      for (const k of mapping.absent ?? []) assert.ok(!(k in sent), `${mapping.name}: ${k} sent`);
      for (const [k, v] of Object.entries(mapping.meta ?? {})) {
        assert.deepEqual(output.meta?.[k], v, `${mapping.name}: meta.${k}`);
      }
    }
  });

  test("refuses unknown or wrong params before any request", async () => {
    await using server = startOpenAIServer();
    const cases = [
      { params: { temprature: 0.2 }, message: /"temprature" is not supported.*"temperature"/ },
      { params: { n: 3 }, message: /"n" must be 1 .*num_samples/ },
      { params: { max_tokens: "many" }, message: /"max_tokens" must be a positive integer/ },
      ...setup.rejected,
    ];
    for (const { params, message } of cases) {
      const error = await failure(call(server.url, { params }));
      assert.equal(error.code, "PROVIDER_BAD_REQUEST");
      assert.match(error.message, message);
      assert.match(error.message, /Supported params: .*temperature/s);
    }
    assert.equal(server.requests.length, 0);
  });

  test("refuses bad extras before any request", async () => {
    await using server = startOpenAIServer();
    const cases: Array<[JsonObject, RegExp]> = [
      [{ headers: { Authorization: `Bearer ${KEY}` } }, /must not carry "Authorization"/],
      [{ base_urll: server.url }, /unknown models\[\]\.extras "base_urll".*"base_url"/],
      [{ extra_body: { model: "other" } }, /extra_body sets "model"/],
      [{ base_url: "ftp://127.0.0.1/v1" }, /not an http\(s\) URL/],
    ];
    for (const [extras, message] of cases) {
      const error = await failure(call(server.url, {}, extras));
      assert.equal(error.code, "PROVIDER_BAD_REQUEST");
      assert.match(error.message, message);
      assertNoKey(error);
    }
    assert.equal(server.requests.length, 0);
  });

  test("sends extra_body fields as they are", async () => {
    await using server = startOpenAIServer();
    await call(server.url, {}, { extra_body: { min_p: 0.05 } });
    assert.equal((server.requests[0].body as JsonObject).min_p, 0.05);
  });

  test("needs a key for the official host, none for a local server", async () => {
    const aborted = AbortSignal.abort(); // nothing may leave the machine if the check failed
    const official = await failure(
      setup.engine().generate(
        makeRequest({ base_url: setup.officialUrl }),
        contextFor(keyEnv, null, aborted),
      ),
    );
    assert.equal(official.code, "PROVIDER_AUTH");
    assert.match(official.message, new RegExp(`set the environment variable ${keyEnv}`));
    await using server = startOpenAIServer();
    await setup.engine().generate(
      makeRequest({ base_url: server.url }),
      contextFor(keyEnv, null),
    );
    assert.equal(server.requests[0].headers[setup.credential[0]], undefined);
    const named = await failure(
      setup.engine().generate(
        makeRequest({ base_url: server.url, api_key_env: "MY_KEY" }),
        contextFor(keyEnv),
      ),
    );
    assert.equal(named.code, "PROVIDER_AUTH");
    assert.match(named.message, /MY_KEY/);
    assert.equal(server.requests.length, 1);
  });
}

// ---------------------------------------------------------------- the two engines

const SCHEMA = { type: "object", properties: { answer: { type: "string" } } };

engineContract("openai", {
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
});

engineContract("anthropic", {
  engine: () => anthropicEngine,
  keyEnv: "ANTHROPIC_API_KEY",
  officialUrl: "https://api.anthropic.com/v1",
  credential: ["x-api-key", KEY],
  capabilities: { jsonOutput: true, logprobs: false, seed: false },
  meta: (i, model) => ({ request_id: `req_${i}`, response_id: `msg_${i}`, model }),
  finishReason: "end_turn",
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
});

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
