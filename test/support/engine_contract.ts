/**
 * The engine contract: one list of cases every engine runs, whatever it talks to. A target
 * says how to reach its engine (a scripted local HTTP server for API engines, a model file for
 * in-process ones) and what its answers look like; cases that only make sense over HTTP
 * (status codes, `Retry-After`, keys, headers, request bodies) are registered as ignored for
 * in-process engines, with the reason in the test name.
 *
 * API: `engineContract(label, target)` registers `<label>: <case>` tests. The shared helpers
 * (`makeRequest`, `contextFor`, `failure`, `assertNoKey`, `KEY`) are exported for the targets.
 */
import assert from "node:assert/strict";
import { isThemisError, type ThemisError } from "../../src/core/errors.ts";
import type { JsonObject } from "../../src/core/json.ts";
import { Registry } from "../../src/plugins/registry.ts";
import type {
  ChatMessage,
  Engine,
  EngineContext,
  GenerationOutput,
  GenerationRequest,
} from "../../src/plugins/types.ts";
import { runCandidateWork } from "../../src/run/candidate_work.ts";
import { DEFAULT_RETRYABLE_CODES } from "../../src/spec/schemas.ts";
import type { Step } from "./openai_server.ts";

export const KEY = "sk-test-Contract0123456789abcdef";
export const USER: ChatMessage[] = [{ role: "user", content: "What is 2+2?" }];

/** A request to `test-model` with `extras`, the user question, and candidate seed 424242. */
export function makeRequest(extras: JsonObject, overrides: Partial<GenerationRequest> = {}) {
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
export function contextFor(env: string, key: string | null = KEY, signal?: AbortSignal) {
  return {
    signal,
    secret: (name: string) => (name === env && key !== null ? key : undefined),
  } satisfies EngineContext;
}

/** The ThemisError a call fails with (the test fails when it succeeds). */
export async function failure(promise: Promise<unknown>): Promise<ThemisError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isThemisError(error), `expected a ThemisError, got ${error}`);
    return error;
  }
  assert.fail("expected the call to fail");
}

/** Fails when the test key, or anything key-like, shows in an error. */
export function assertNoKey(error: ThemisError): void {
  const shown = JSON.stringify({ message: error.message, details: error.details });
  assert.ok(!shown.includes(KEY), `the key leaked: ${shown}`);
  assert.ok(!/sk-test/.test(shown), `a key-like string leaked: ${shown}`);
}

/** What an engine is reached through for one test: a server, or a model on disk. */
export interface Connection extends AsyncDisposable {
  /** A request the engine answers (over HTTP: with the script's next step). */
  request(overrides?: Partial<GenerationRequest>, extras?: JsonObject): GenerationRequest;
  /** A request that takes far longer than 100 ms unless aborted (over HTTP: script a hang). */
  slowRequest(): GenerationRequest;
  context(signal?: AbortSignal): EngineContext;
  /** Calls that reached the provider; absent when an in-process engine cannot tell. */
  calls?(): number;
}

/** How the contract reaches one engine, and what that engine's answers look like. */
export interface ContractTarget {
  engine: () => Engine;
  capabilities: JsonObject;
  /** Opens a connection; `script` is what a scripted server answers (ignored in-process). */
  open(script?: Step[]): Promise<Connection>;
  /** Asserts a plain answer to `request()` (the server answers "4" when scripted). */
  answer(connection: Connection): Promise<void>;
  /** Asserts that the candidate seed, or `params.seed`, reaches the model. */
  seed(connection: Connection): Promise<void>;
  /** Asserts JSON-schema output (a server scripted with `{"answer":"4"}`). */
  json(connection: Connection, schema: JsonObject): Promise<void>;
  /** What makes the model unknown: a scripted 404, or extras naming a missing model. */
  notFound: { script?: Step[]; extras?: JsonObject; message: RegExp };
  /** Params this engine must refuse, besides the ones every engine refuses. */
  rejected: Array<{ params: JsonObject; message: RegExp }>;
  /** Extras this engine must refuse. */
  badExtras(connection: Connection): Array<[JsonObject, RegExp]>;
  /** Registers the cases that need HTTP; absent for in-process engines. */
  httpCases?(test: ContractTest): void;
  /** Why the HTTP cases are skipped (in-process engines). */
  noHttp?: string;
}

/** Registers one case of the contract. */
export type ContractTest = (name: string, fn: () => Promise<void>) => void;

/** The cases only engines reached over HTTP run; in-process engines list them as ignored. */
export const HTTP_CASES = [
  "defaults the provider model name to model_id and sends extra headers",
  "maps every provider failure to its error code, scrubbed",
  "keeps the provider's message and never shows the key it echoes",
  "scrubs the key from meta when a server echoes it",
  "a refused connection is PROVIDER_NETWORK",
  "stops promptly when the signal aborts mid-body",
  "in a worker task: a 429 keeps retry_after",
  "maps inference params to the request body",
  "sends extra_body fields as they are",
  "needs a key for the official host, none for a local server",
];

export const SCHEMA = {
  type: "object",
  properties: { answer: { type: "string", maxLength: 12 } },
  required: ["answer"],
};

function workerTask(request: GenerationRequest, timeoutMs: number) {
  return {
    generation: { request, timeoutMs },
    item: {},
    parses: [],
    scores: [],
    knownAnswers: {},
    hooks: [],
  };
}

/** Registers every case of the contract for one engine. */
export function engineContract(label: string, target: ContractTarget): void {
  const test: ContractTest = (name, fn) => Deno.test(`${label}: ${name}`, fn);
  const engine = () => target.engine();

  test("declares its capabilities", () => {
    assert.deepEqual(engine().capabilities, target.capabilities);
    return Promise.resolve();
  });

  test("returns text, finish reason, usage and meta", async () => {
    await using connection = await target.open([{ kind: "ok", text: "4" }]);
    await target.answer(connection);
  });

  test("passes the seed through", async () => {
    await using connection = await target.open();
    await target.seed(connection);
  });

  test("a JSON schema in response_format gives JSON that fits it", async () => {
    await using connection = await target.open([{ kind: "ok", text: '{"answer":"4"}' }]);
    await target.json(connection, SCHEMA);
  });

  test("an unknown model is PROVIDER_NOT_FOUND, never retried", async () => {
    await using connection = await target.open(target.notFound.script);
    const error = await failure(
      engine().generate(connection.request({}, target.notFound.extras), connection.context()),
    );
    assert.equal(error.code, "PROVIDER_NOT_FOUND");
    assert.match(error.message, target.notFound.message);
    assert.equal(error.details.provider, engine().id);
    assert.ok(!DEFAULT_RETRYABLE_CODES.includes(error.code));
  });

  test("stops promptly when the signal aborts", async () => {
    await using connection = await target.open(["hang", "hang"]);
    const request = connection.slowRequest();
    const started = performance.now();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const cancelled = await failure(
      engine().generate(request, connection.context(controller.signal)),
    );
    assert.equal(cancelled.code, "CANCELLED");
    const timeout = await failure(
      engine().generate(request, connection.context(AbortSignal.timeout(50))),
    );
    assert.equal(timeout.code, "PROVIDER_TIMEOUT");
    assert.ok(performance.now() - started < 1000, "the engine did not stop promptly");
    assertNoKey(timeout);
  });

  test("in a worker task: a hang times out, then the next call answers", async () => {
    await using connection = await target.open(["hang", { kind: "ok", text: "4" }]);
    const registry = Registry.withPlugins({ engines: [engine()] });
    const provider = { provider: engine().id };
    const slow = connection.slowRequest();
    const fast = connection.request();
    const secret = connection.context().secret;
    const started = performance.now();
    const hung = await runCandidateWork(
      workerTask({ ...slow, model: { ...slow.model, ...provider } }, 100),
      registry,
      secret,
    );
    const answered = await runCandidateWork(
      workerTask({ ...fast, model: { ...fast.model, ...provider } }, 5000),
      registry,
      secret,
    );
    assert.ok(performance.now() - started < 2000);
    assert.equal(!hung.generation!.ok && hung.generation!.error.code, "PROVIDER_TIMEOUT");
    const output = answered.generation!.ok ? answered.generation!.output : undefined;
    assert.equal(typeof output?.text, "string", JSON.stringify(answered.generation));
  });

  test("refuses unknown or wrong params before any call", async () => {
    await using connection = await target.open();
    const cases = [
      { params: { temprature: 0.2 }, message: /"temprature" is not supported.*"temperature"/ },
      { params: { n: 3 }, message: /"n" must be 1 .*num_samples/ },
      { params: { max_tokens: "many" }, message: /"max_tokens" must be a positive integer/ },
      ...target.rejected,
    ];
    for (const { params, message } of cases) {
      const error = await failure(
        engine().generate(connection.request({ params }), connection.context()),
      );
      assert.equal(error.code, "PROVIDER_BAD_REQUEST");
      assert.match(error.message, message);
      assert.match(error.message, /Supported params: .*temperature/s);
    }
    if (connection.calls) assert.equal(connection.calls(), 0);
  });

  test("refuses bad extras before any call", async () => {
    await using connection = await target.open();
    for (const [extras, message] of target.badExtras(connection)) {
      const error = await failure(
        engine().generate(connection.request({}, extras), connection.context()),
      );
      assert.equal(error.code, "PROVIDER_BAD_REQUEST", error.message);
      assert.match(error.message, message);
      assertNoKey(error);
    }
    if (connection.calls) assert.equal(connection.calls(), 0);
  });

  if (target.httpCases) {
    target.httpCases(test);
    return;
  }
  for (const name of HTTP_CASES) {
    Deno.test({
      name: `${label}: ${name} (skipped: ${target.noHttp ?? "no HTTP"})`,
      ignore: true,
      fn: () => {},
    });
  }
}

/** Parses a JSON answer and checks it against the contract's {@linkcode SCHEMA}. */
export function assertSchemaAnswer(output: GenerationOutput): void {
  const answer = JSON.parse(output.text);
  assert.equal(typeof answer, "object");
  assert.equal(typeof answer.answer, "string", output.text);
  assert.ok(answer.answer.length <= 12, output.text);
  assert.deepEqual(Object.keys(answer), ["answer"]);
}
