/**
 * The engine contract's target for engines reached over HTTP (openai, anthropic): each test
 * starts the scripted server of `openai_server.ts` on 127.0.0.1, and the HTTP-only cases
 * (status codes, `Retry-After`, keys, headers, request bodies) are registered here.
 */
import assert from "node:assert/strict";
import type { Json, JsonObject } from "../../src/core/json.ts";
import { Registry } from "../../src/plugins/registry.ts";
import type { ChatMessage, Engine, GenerationRequest } from "../../src/plugins/types.ts";
import { runCandidateWork } from "../../src/run/candidate_work.ts";
import { DEFAULT_RETRYABLE_CODES } from "../../src/spec/schemas.ts";
import {
  assertNoKey,
  assertSchemaAnswer,
  type Connection,
  contextFor,
  type ContractTarget,
  type ContractTest,
  failure,
  HTTP_CASES,
  KEY,
  makeRequest,
  USER,
} from "./engine_contract.ts";
import { hashSecret, startOpenAIServer, type Step } from "./openai_server.ts";

/** A case of the params → request body mapping: `body` must be a subset of what was sent. */
export interface MappingCase {
  name: string;
  params: JsonObject;
  messages?: ChatMessage[];
  body: JsonObject;
  absent?: string[];
  meta?: JsonObject;
}

/** What the contract needs to know about one HTTP engine. */
export interface HttpEngineSetup {
  engine: () => Engine;
  keyEnv: string;
  officialUrl: string;
  /** The credential header as sent with `KEY`. */
  credential: [name: string, value: string];
  capabilities: JsonObject;
  /** `meta` of a default "ok" answer to request `index`, for model name `model`. */
  meta: (index: number, model: string) => JsonObject;
  finishReason: string;
  /** The body field the seed goes to; absent when the API takes no seed. */
  seedField?: string;
  /** The part of the body a JSON schema in `response_format` becomes. */
  jsonBody: (schema: JsonObject) => JsonObject;
  mappings: MappingCase[];
  /** Params this engine must refuse before any request. */
  rejected: Array<{ params: JsonObject; message: RegExp }>;
}

type Server = ReturnType<typeof startOpenAIServer>;

function connect(setup: HttpEngineSetup, server: Server): Connection {
  const request = (over: Partial<GenerationRequest> = {}, extras: JsonObject = {}) =>
    makeRequest({ base_url: server.url, model: "served-model", ...extras }, over);
  return {
    request,
    slowRequest: () => request(),
    context: (signal) => contextFor(setup.keyEnv, KEY, signal),
    calls: () => server.requests.length,
    [Symbol.asyncDispose]: () => server.close(),
  };
}

const bodyOf = (server: Server, i: number) => server.requests[i].body as JsonObject;

/**
 * The contract target of an HTTP engine.
 *
 * @example
 * ```ts ignore
 * engineContract("openai", httpTarget({ engine: () => openaiEngine, … }));
 * ```
 */
export function httpTarget(setup: HttpEngineSetup): ContractTarget {
  let server: Server | undefined;
  const open = (script?: Step[]) => {
    server = startOpenAIServer(script ? { script } : {});
    return Promise.resolve(connect(setup, server));
  };
  return {
    engine: setup.engine,
    capabilities: setup.capabilities,
    open,
    async answer(connection) {
      const output = await setup.engine().generate(connection.request(), connection.context());
      assert.deepEqual(output, {
        text: "4",
        finish_reason: setup.finishReason,
        usage: { prompt_tokens: 3, completion_tokens: 1 },
        meta: setup.meta(0, "served-model"),
      });
      assert.equal(server!.requests.length, 1);
      const [name, value] = setup.credential;
      assert.equal(server!.requests[0].headers[name], hashSecret(value));
      assert.equal(bodyOf(server!, 0).model, "served-model");
    },
    async seed(connection) {
      const engine = setup.engine();
      await engine.generate(connection.request(), connection.context());
      const override = await engine.generate(
        connection.request({ params: { seed: 7 } }),
        connection.context(),
      );
      if (setup.seedField === undefined) {
        assert.ok(!("seed" in bodyOf(server!, 0)) && !("seed" in bodyOf(server!, 1)));
        assert.deepEqual(override.meta?.ignored_params, ["seed"]);
        return;
      }
      assert.equal(bodyOf(server!, 0)[setup.seedField], 424242);
      assert.equal(bodyOf(server!, 1)[setup.seedField], 7);
    },
    async json(connection, schema) {
      const response_format = { type: "json_schema", json_schema: { name: "a", schema } };
      const output = await setup.engine().generate(
        connection.request({ params: { response_format } }),
        connection.context(),
      );
      assertSchemaAnswer(output);
      for (const [k, v] of Object.entries(setup.jsonBody(schema))) {
        assert.deepEqual(bodyOf(server!, 0)[k], v, k);
      }
    },
    notFound: { script: [404], message: /HTTP 404/ },
    rejected: setup.rejected,
    badExtras: () => [
      [{ headers: { Authorization: `Bearer ${KEY}` } }, /must not carry "Authorization"/],
      [{ base_urll: server!.url }, /unknown models\[\]\.extras "base_urll".*"base_url"/],
      [{ extra_body: { model: "other" } }, /extra_body sets "model"/],
      [{ base_url: "ftp://127.0.0.1/v1" }, /not an http\(s\) URL/],
    ],
    httpCases: (test) => httpCases(test, setup),
  };
}

const ERRORS: Array<[string, Step, string, JsonObject?]> = [
  ["401", 401, "PROVIDER_AUTH"],
  ["403", 403, "PROVIDER_AUTH"],
  ["400", 400, "PROVIDER_BAD_REQUEST"],
  ["404", 404, "PROVIDER_NOT_FOUND"],
  ["429 with Retry-After seconds", 429, "PROVIDER_RATE_LIMIT", { retry_after: 1 }],
  [
    "429 with retry-after-ms",
    { kind: "error", status: 429, retry_after: 9, retry_after_ms: 2500 },
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

function httpCases(register: ContractTest, setup: HttpEngineSetup): void {
  const { keyEnv } = setup;
  const names = new Set(HTTP_CASES);
  const test: ContractTest = (name, fn) => {
    assert.ok(names.delete(name), `"${name}" is not listed in HTTP_CASES`);
    register(name, fn);
  };
  const call = (url: string, over: Partial<GenerationRequest> = {}, extras: JsonObject = {}) =>
    setup.engine().generate(
      makeRequest({ base_url: url, model: "served-model", ...extras }, over),
      contextFor(keyEnv),
    );

  test(HTTP_CASES[0], async () => {
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

  test(HTTP_CASES[1], async () => {
    await using server = startOpenAIServer({ script: ERRORS.map(([, step]) => step) });
    for (const [name, step, code, details] of ERRORS) {
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
      const final = ["PROVIDER_AUTH", "PROVIDER_BAD_REQUEST", "PROVIDER_NOT_FOUND"];
      assert.equal(retryable, !final.includes(code), name);
    }
    assert.equal(server.requests.length, ERRORS.length);
  });

  test(HTTP_CASES[2], async () => {
    await using server = startOpenAIServer({ script: [401] });
    const error = await failure(call(server.url));
    assert.equal(error.code, "PROVIDER_AUTH");
    assert.match(error.message, /Incorrect API key provided: .*\[redacted\]/);
    assert.match(error.message, new RegExp(keyEnv));
    assertNoKey(error);
  });

  test(HTTP_CASES[3], async () => {
    await using server = startOpenAIServer({
      script: [{ kind: "ok", id: `id-${KEY}`, model: `m ${KEY}`, request_id: KEY }],
    });
    const output = await call(server.url);
    assert.ok(!JSON.stringify(output).includes(KEY), JSON.stringify(output));
  });

  test(HTTP_CASES[4], async () => {
    const server = startOpenAIServer();
    await server.close();
    const error = await failure(call(server.url));
    assert.equal(error.code, "PROVIDER_NETWORK");
    assert.match(error.message, /base_url/);
  });

  test(HTTP_CASES[5], async () => {
    await using server = startOpenAIServer({ script: ["hang_body", "hang_body"] });
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
  });

  test(HTTP_CASES[6], async () => {
    await using server = startOpenAIServer({ script: [429, { kind: "ok", text: "4" }] });
    const registry = Registry.withPlugins({ engines: [setup.engine()] });
    const extras = { base_url: server.url };
    const request = makeRequest(extras, {
      model: { model_id: "test-model", provider: setup.engine().id, extras },
    });
    const task = {
      generation: { request, timeoutMs: 1000 },
      item: {},
      parses: [],
      scores: [],
      knownAnswers: {},
      hooks: [],
    };
    const secret = contextFor(keyEnv).secret;
    const limited = (await runCandidateWork(task, registry, secret)).generation!;
    const answered = (await runCandidateWork(task, registry, secret)).generation!;
    assert.equal(!limited.ok && limited.error.code, "PROVIDER_RATE_LIMIT");
    assert.equal(!limited.ok && limited.error.details?.retry_after, 1);
    assert.ok(!JSON.stringify(limited).includes(KEY));
    assert.equal(answered.ok && answered.output.text, "4");
  });

  test(HTTP_CASES[7], async () => {
    await using server = startOpenAIServer();
    for (const [i, mapping] of setup.mappings.entries()) {
      const output = await call(server.url, {
        params: mapping.params,
        messages: mapping.messages ?? USER,
      });
      const sent = bodyOf(server, i);
      for (const [k, v] of Object.entries(mapping.body)) {
        assert.deepEqual(sent[k], v as Json, `${mapping.name}: ${k}`);
      }
      for (const k of mapping.absent ?? []) assert.ok(!(k in sent), `${mapping.name}: ${k} sent`);
      for (const [k, v] of Object.entries(mapping.meta ?? {})) {
        assert.deepEqual(output.meta?.[k], v, `${mapping.name}: meta.${k}`);
      }
    }
  });

  test(HTTP_CASES[8], async () => {
    await using server = startOpenAIServer();
    await call(server.url, {}, { extra_body: { min_p: 0.05 } });
    assert.equal(bodyOf(server, 0).min_p, 0.05);
  });

  test(HTTP_CASES[9], async () => {
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
    await setup.engine().generate(makeRequest({ base_url: server.url }), contextFor(keyEnv, null));
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
  assert.deepEqual([...names], [], "every HTTP case is registered");
}
