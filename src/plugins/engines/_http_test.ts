import assert from "node:assert/strict";
import {
  type CallInfo,
  codeForStatus,
  httpError,
  parseRetryAfter,
  readProviderError,
  scrubJson,
  scrubSecrets,
} from "./_http.ts";

const KEY = "sk-test-Unit0123456789abcdef";
const CALL: CallInfo = {
  provider: "openai",
  model: "gpt-x",
  url: "http://127.0.0.1:1234/v1/chat/completions?token=hidden",
  secrets: [KEY],
  keyEnv: "OPENAI_API_KEY",
};

Deno.test("scrubSecrets() redacts the key, sk- strings and bearer tokens, and nothing else", () => {
  assert.equal(
    scrubSecrets(`key ${KEY} and Bearer abc.def and sk-proj-AbCd1234 and x-${KEY}-y`, [KEY]),
    "key [redacted] and Bearer [redacted] and [redacted] and x-[redacted]-y",
  );
  assert.equal(scrubSecrets("a risk-averse task-runner", []), "a risk-averse task-runner");
  assert.equal(scrubSecrets("masked sk-test-****wxyz.", []), "masked [redacted]");
  assert.equal(scrubSecrets("Bearer [redacted]", []), "Bearer [redacted]");
  assert.equal(scrubSecrets("local key abc ok", ["abc"]), "local key abc ok", "too short to scrub");
  assert.equal(scrubSecrets("local-secret-1 here", ["local-secret-1"]), "[redacted] here");
});

Deno.test("scrubJson() scrubs keys and values at any depth", () => {
  assert.deepEqual(
    scrubJson({ a: [KEY, { [KEY]: `id ${KEY}` }], n: 1, b: null, t: true }, [KEY]),
    { a: ["[redacted]", { "[redacted]": "id [redacted]" }], n: 1, b: null, t: true },
  );
});

Deno.test("parseRetryAfter() reads seconds, milliseconds and HTTP-dates", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  const cases: Array<[Record<string, string>, number | undefined]> = [
    [{}, undefined],
    [{ "retry-after": "7" }, 7],
    [{ "retry-after": " 0.5 " }, 0.5],
    [{ "retry-after-ms": "250" }, 0.25],
    [{ "retry-after-ms": "1500", "retry-after": "9" }, 1.5],
    [{ "retry-after-ms": "soon", "retry-after": "9" }, 9],
    [{ "retry-after": "Thu, 01 Jan 2026 00:00:30 GMT" }, 30],
    [{ "retry-after": "Wed, 31 Dec 2025 23:59:00 GMT" }, 0],
    [{ "retry-after": "-3" }, undefined],
    [{ "retry-after": "later" }, undefined],
  ];
  for (const [headers, expected] of cases) {
    assert.equal(parseRetryAfter(new Headers(headers), now), expected, JSON.stringify(headers));
  }
});

Deno.test("codeForStatus() maps every status class", () => {
  const table: Array<[number, string]> = [
    [400, "PROVIDER_BAD_REQUEST"],
    [401, "PROVIDER_AUTH"],
    [402, "PROVIDER_AUTH"],
    [403, "PROVIDER_AUTH"],
    [404, "PROVIDER_NOT_FOUND"],
    [408, "PROVIDER_TIMEOUT"],
    [409, "PROVIDER_UNAVAILABLE"],
    [413, "PROVIDER_BAD_REQUEST"],
    [422, "PROVIDER_BAD_REQUEST"],
    [429, "PROVIDER_RATE_LIMIT"],
    [500, "PROVIDER_UNAVAILABLE"],
    [502, "PROVIDER_UNAVAILABLE"],
    [503, "PROVIDER_UNAVAILABLE"],
    [504, "PROVIDER_UNAVAILABLE"],
    [529, "PROVIDER_UNAVAILABLE"],
    [200, "PROVIDER_MALFORMED"],
    [101, "PROVIDER_MALFORMED"],
  ];
  assert.deepEqual(table.map(([s]) => [s, codeForStatus(s)]), table);
});

Deno.test("readProviderError() reads OpenAI, Anthropic, Ollama, FastAPI and HTML bodies", () => {
  assert.deepEqual(
    readProviderError('{"error":{"message":"m","type":"t","code":"c","param":null}}'),
    { message: "m", type: "t", code: "c" },
  );
  assert.deepEqual(
    readProviderError('{"type":"error","error":{"type":"overloaded_error","message":"Over"}}'),
    { message: "Over", type: "overloaded_error", code: undefined },
  );
  assert.equal(
    readProviderError('{"error":"model \\"x\\" not found"}').message,
    'model "x" not found',
  );
  assert.equal(readProviderError('{"detail":"Not Found"}').message, "Not Found");
  assert.equal(readProviderError('{"error":{"code":404,"message":"m"}}').code, "404");
  assert.equal(
    readProviderError("<html><body><h1>502 Bad Gateway</h1></body></html>").message,
    "502 Bad Gateway",
  );
  assert.deepEqual(readProviderError(""), {});
});

Deno.test("httpError() keeps the provider's words, scrubbed, with status and retry_after", () => {
  const body = JSON.stringify({
    error: { message: `Incorrect API key provided: ${KEY}`, type: "invalid_request_error" },
  });
  const error = httpError(401, body, new Headers({ "x-request-id": "req_9" }), CALL, 0);
  assert.equal(error.code, "PROVIDER_AUTH");
  assert.equal(
    error.message,
    'openai model "gpt-x" at http://127.0.0.1:1234/v1/chat/completions answered HTTP 401: ' +
      "Incorrect API key provided: [redacted]; check the API key in $OPENAI_API_KEY " +
      "(models[].extras.api_key_env), its permissions and billing",
  );
  assert.deepEqual(error.details, {
    status: 401,
    provider: "openai",
    request_id: "req_9",
    type: "invalid_request_error",
  });
  const limited = httpError(429, "{}", new Headers({ "retry-after": "2" }), CALL, 0);
  assert.deepEqual(
    [limited.code, limited.details.retry_after, limited.message.endsWith("(retry after 2s)")],
    ["PROVIDER_RATE_LIMIT", 2, true],
  );
});

Deno.test("httpError() treats an exhausted quota as an account problem, not a rate limit", () => {
  const body =
    '{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}';
  const error = httpError(429, body, new Headers(), CALL, 0);
  assert.equal(error.code, "PROVIDER_AUTH");
  assert.equal(error.details.provider_code, "insufficient_quota");
});

Deno.test("httpError() shortens a huge body", () => {
  const error = httpError(500, "x".repeat(10_000), new Headers(), CALL, 0);
  assert.ok(error.message.length < 700, `${error.message.length}`);
  assert.equal(error.code, "PROVIDER_UNAVAILABLE");
});
