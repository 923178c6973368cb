import assert from "node:assert/strict";
import type { ThemisError } from "../../core/errors.ts";
import type { JsonObject } from "../../core/json.ts";
import type { EngineContext, GenerationRequest } from "../types.ts";
import {
  checkParams,
  checks,
  type ConnectionOptions,
  mergeExtraBody,
  readConnection,
} from "./_settings.ts";

const OPTIONS: ConnectionOptions = {
  provider: "openai",
  defaultBaseUrl: "https://api.openai.com/v1",
  defaultKeyEnv: "OPENAI_API_KEY",
};

function request(extras: JsonObject): GenerationRequest {
  return {
    model: { model_id: "m-id", provider: "openai", extras },
    messages: [],
    params: {},
    seed: 1,
    trialId: "t",
    candidateId: "c",
    sampleIndex: 0,
    item: { id: "i", payload: {} },
  };
}

function thrown(fn: () => unknown): ThemisError {
  try {
    fn();
  } catch (error) {
    return error as ThemisError;
  }
  assert.fail("expected an error");
}

Deno.test("readConnection() fills defaults and reads the key at call time", () => {
  const seen: string[] = [];
  const context: EngineContext = { secret: (name) => (seen.push(name), "sk-test-key") };
  assert.deepEqual(readConnection(request({}), context, OPTIONS), {
    baseUrl: "https://api.openai.com/v1",
    model: "m-id",
    keyEnv: "OPENAI_API_KEY",
    apiKey: "sk-test-key",
    headers: {},
    extraBody: {},
  });
  assert.deepEqual(seen, ["OPENAI_API_KEY"]);
});

Deno.test("readConnection() reads every extra", () => {
  const extras = {
    base_url: "http://127.0.0.1:8000/v1/",
    model: "served",
    api_key_env: "VLLM_KEY",
    headers: { "X-Title": "themis" },
    extra_body: { top_k: 5 },
  };
  const context: EngineContext = { runtime: { VLLM_KEY: "local-key" } };
  assert.deepEqual(readConnection(request(extras), context, OPTIONS), {
    baseUrl: "http://127.0.0.1:8000/v1",
    model: "served",
    keyEnv: "VLLM_KEY",
    apiKey: "local-key",
    headers: { "X-Title": "themis" },
    extraBody: { top_k: 5 },
  });
});

Deno.test("readConnection() sends no key to a local server when the default variable is unset", () => {
  const connection = readConnection(
    request({ base_url: "http://localhost:11434/v1" }),
    { secret: () => "" },
    OPTIONS,
  );
  assert.equal(connection.apiKey, undefined);
});

Deno.test("readConnection() needs a key for the official host or a named variable", () => {
  const official = thrown(() => readConnection(request({}), {}, OPTIONS));
  assert.equal(official.code, "PROVIDER_AUTH");
  assert.match(official.message, /set the environment variable OPENAI_API_KEY/);
  const named = thrown(() =>
    readConnection(request({ base_url: "http://127.0.0.1/v1", api_key_env: "K" }), {}, OPTIONS)
  );
  assert.equal(named.code, "PROVIDER_AUTH");
  assert.match(named.message, /set the environment variable K$/);
});

Deno.test("readConnection() refuses wrong extras with the fix", () => {
  const cases: Array<[JsonObject, RegExp]> = [
    [{ model: "" }, /extras\.model must be a non-empty string/],
    [{ base_url: "not a url" }, /is not an http\(s\) URL/],
    [{ headers: ["x"] }, /headers must be a table of strings/],
    [{ headers: { "x-n": 1 } }, /headers\.x-n must be a string/],
    [{ headers: { "X-Api-Key": "k" } }, /must not carry "X-Api-Key".*api_key_env/],
    [{ extra_body: "x" }, /extra_body must be a table/],
    [{ api_key: "sk-test-1" }, /extras\.api_key is refused.*api_key_env/],
    [{ baseurl: "http://x" }, /unknown models\[\]\.extras "baseurl" \(did you mean "base_url"\?\)/],
  ];
  for (const [extras, message] of cases) {
    const error = thrown(() => readConnection(request(extras), { secret: () => "k" }, OPTIONS));
    assert.equal(error.code, "PROVIDER_BAD_REQUEST", JSON.stringify(extras));
    assert.match(error.message, message);
  }
});

Deno.test("checkParams() lists every problem at once with the supported names", () => {
  const table = { temperature: checks.number, stop: checks.stop, n: checks.n };
  const error = thrown(() =>
    checkParams({ temperature: "hot", stop: [1], n: 2, topp: 1 }, table, "openai")
  );
  assert.equal(error.code, "PROVIDER_BAD_REQUEST");
  assert.equal(error.details.issues?.length, 4);
  assert.match(error.message, /"temperature" must be a number, got "hot"/);
  assert.match(error.message, /"stop" must be a string or a list of strings/);
  assert.match(error.message, /"n" must be 1/);
  assert.match(error.message, /"topp" is not supported/);
  assert.match(error.message, /Supported params: temperature, stop, n$/);
  checkParams({ temperature: 0, stop: "x", n: 1 }, table, "openai");
});

Deno.test("mergeExtraBody() adds fields and refuses to override themis's own", () => {
  assert.deepEqual(mergeExtraBody({ model: "m" }, { min_p: 0.1 }, "openai"), {
    model: "m",
    min_p: 0.1,
  });
  const error = thrown(() => mergeExtraBody({ seed: 1 }, { seed: 2 }, "openai"));
  assert.match(error.message, /extra_body sets "seed"/);
});
