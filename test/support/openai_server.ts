/**
 * A scripted model provider for tests: one local HTTP server (`Deno.serve` on 127.0.0.1, a free
 * port) that speaks the OpenAI Chat Completions API (`POST …/chat/completions`) and the
 * Anthropic Messages API (`POST …/messages`), and answers each request with the next step of a
 * script: a success, an HTTP error in the provider's own shape, a cut connection, a hang or a
 * malformed body. It records every request so tests can assert what was sent.
 *
 * API:
 * - `startOpenAIServer({ script, fallback })` → `{ url, requests, close() }` (also
 *   `await using`-disposable). `url` is `http://127.0.0.1:<port>/v1`, ready to be a `base_url`.
 * - `script` is a list (request i gets `script[i]`, later requests get `fallback`, default
 *   `"ok"`), or a function `(request, index) => step` (sync or async) for answers that depend on
 *   the request. Indexes count every request the server received, from 0.
 * - A step is one of:
 *   - `"ok"` or `{ kind: "ok", text?, finish_reason?, usage?, model?, id?, request_id?,
 *     system_fingerprint?, logprobs?, headers?, delay_ms?, echo_credential? }`: 200 with a
 *     well-formed body in the dialect of the path; `echo_credential` appends the credential the
 *     request carried to the text, verbatim (to test redaction). `text` defaults to the last user message (an echo); usage counts
 *     words; OpenAI logprobs are made up when the request asks for them. `null` removes a field.
 *   - a status number (`401`, `429`, `500`, `529` …) or `{ kind: "error", status, message?,
 *     type?, code?, retry_after?, retry_after_ms?, headers?, delay_ms? }`: that status with the
 *     provider's error body. A bare `429` sends `Retry-After: 1`; a 401 message echoes the
 *     credential it received verbatim (as a careless proxy might), to test scrubbing.
 *   - `"reset"`: 200 headers, then the connection is cut mid-body (the body is shorter than its
 *     Content-Length). `Deno.serve` cannot drop a connection before the headers; point a client
 *     at a closed port to test a refused connection.
 *   - `"hang"`: never answers (until `close()`); `"hang_body"`: sends headers and part of the
 *     body, then stalls. The client must give up (abort its signal).
 *   - `"malformed"`: 200 with a body that is not JSON; `{ kind: "raw", status?, body, headers? }`:
 *     exactly that answer (a non-string body is sent as JSON), e.g. JSON with missing fields.
 * - `requests[i]` = `{ index, method, path, headers, body, step }`: header names lower-case,
 *   credentials (`authorization`, `x-api-key`, `api-key`) replaced by `hashSecret(value)`,
 *   `body` parsed from JSON (the raw text when it is not JSON), `step` the answer given.
 * - `close()` releases hangs and delays, waits for open requests and stops the server. Call it
 *   in every test (Deno's sanitizers check it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startOpenAIServer } from "./openai_server.ts";
 * await using server = startOpenAIServer({ script: [429, "ok"] });
 * const first = await fetch(`${server.url}/chat/completions`, { method: "POST", body: "{}" });
 * assert.equal(first.status, 429);
 * assert.equal(first.headers.get("retry-after"), "1");
 * await first.body?.cancel();
 * ```
 */
import { createHash } from "node:crypto";

/** A 200 answer with a well-formed body. */
export interface OkStep {
  kind: "ok";
  text?: string;
  finish_reason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  model?: string;
  id?: string;
  /** Sent as `x-request-id` (OpenAI) or `request-id` (Anthropic); `null` sends none. */
  request_id?: string | null;
  system_fingerprint?: string | null;
  logprobs?: unknown;
  headers?: Record<string, string>;
  delay_ms?: number;
  /** Put the credential the request carried into the completion text (a careless proxy). */
  echo_credential?: boolean;
}

/** An HTTP error in the provider's error shape. */
export interface ErrorStep {
  kind: "error";
  status: number;
  message?: string;
  type?: string;
  code?: string | null;
  /** Sent as the `Retry-After` header as given (seconds or an HTTP-date). */
  retry_after?: string | number;
  /** Sent as `retry-after-ms`, like OpenAI. */
  retry_after_ms?: number;
  headers?: Record<string, string>;
  delay_ms?: number;
}

/** Exactly this answer. */
export interface RawStep {
  kind: "raw";
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
  delay_ms?: number;
}

/** What the server does with one request. */
export type Step =
  | "ok"
  | "reset"
  | "hang"
  | "hang_body"
  | "malformed"
  | number
  | OkStep
  | ErrorStep
  | RawStep;

/** One request as the server saw it. */
export interface RecordedRequest {
  index: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  step?: Step;
}

/** Options of {@linkcode startOpenAIServer}. */
export interface OpenAIServerOptions {
  script?: Step[] | ((request: RecordedRequest, index: number) => Step | Promise<Step>);
  fallback?: Step;
}

/** A running scripted server. */
export interface OpenAIServer {
  /** `http://127.0.0.1:<port>/v1`: the base_url to give an engine. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "x-api-key", "api-key"];
const encoder = new TextEncoder();

/**
 * How a credential appears in `requests[].headers`: `sha256:` + 16 hex chars of its hash.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashSecret } from "./openai_server.ts";
 * assert.match(hashSecret("Bearer sk-test-1"), /^sha256:[0-9a-f]{16}$/);
 * ```
 */
export function hashSecret(value: string): string {
  return `sha256:${createHash("sha256").update(value).digest("hex").slice(0, 16)}`;
}

type Dialect = "openai" | "anthropic";

const OPENAI_ERRORS: Record<number, [string, string]> = {
  400: ["invalid_request_error", "Invalid request: check your parameters."],
  403: ["permission_error", "You are not allowed to sample from this model."],
  429: ["requests", "Rate limit reached for requests."],
  500: ["server_error", "The server had an error while processing your request."],
  503: ["server_error", "The server is overloaded or not ready yet."],
};
const ANTHROPIC_ERRORS: Record<number, [string, string]> = {
  400: ["invalid_request_error", "messages: field required"],
  403: ["permission_error", "Your API key does not have permission to use this resource."],
  429: ["rate_limit_error", "Number of requests has exceeded your rate limit."],
  500: ["api_error", "Internal server error"],
  529: ["overloaded_error", "Overloaded"],
};

function words(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((b) => typeof b?.text === "string" ? b.text : "").join("");
}

function promptOf(body: unknown): { lastUser: string; all: string; model: string } {
  const b = (body ?? {}) as { messages?: { role?: string; content?: unknown }[]; model?: unknown };
  const messages = Array.isArray(b.messages) ? b.messages : [];
  const user = messages.filter((m) => m?.role === "user").at(-1);
  const system = (body as { system?: unknown })?.system;
  const all = [contentText(system), ...messages.map((m) => contentText(m?.content))].join(" ");
  return { lastUser: contentText(user?.content), all, model: String(b.model ?? "unknown") };
}

function normalize(step: Step): Step {
  if (typeof step === "number") {
    return { kind: "error", status: step, ...(step === 429 ? { retry_after: 1 } : {}) };
  }
  return step === "ok" ? { kind: "ok" } : step;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function okResponse(
  step: OkStep,
  dialect: Dialect,
  record: RecordedRequest,
  credential: string,
): Response {
  const prompt = promptOf(record.body);
  const text = (step.text ?? prompt.lastUser) +
    (step.echo_credential ? ` (you sent ${credential})` : "");
  const usage = step.usage === undefined
    ? { prompt_tokens: words(prompt.all), completion_tokens: words(text) }
    : step.usage;
  const requestId = step.request_id === undefined ? `req_${record.index}` : step.request_id;
  const headers: Record<string, string> = { ...step.headers };
  if (requestId !== null) headers[dialect === "openai" ? "x-request-id" : "request-id"] = requestId;
  const model = step.model ?? prompt.model;
  if (dialect === "anthropic") {
    return json(200, {
      id: step.id ?? `msg_${record.index}`,
      type: "message",
      role: "assistant",
      model,
      content: [{ type: "text", text }],
      stop_reason: step.finish_reason ?? "end_turn",
      stop_sequence: null,
      ...(usage === null
        ? {}
        : { usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens } }),
    }, headers);
  }
  const wantsLogprobs = (record.body as { logprobs?: unknown })?.logprobs === true;
  const logprobs = step.logprobs !== undefined ? step.logprobs : wantsLogprobs
    ? {
      content: text.split(/(?<=\s)/).filter(Boolean).map((token) => ({
        token,
        logprob: -0.25,
        bytes: [...encoder.encode(token)],
        top_logprobs: [],
      })),
    }
    : null;
  return json(200, {
    id: step.id ?? `chatcmpl-${record.index}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    ...(step.system_fingerprint === null
      ? {}
      : { system_fingerprint: step.system_fingerprint ?? "fp_test" }),
    choices: [{
      index: 0,
      message: { role: "assistant", content: text, refusal: null },
      logprobs,
      finish_reason: step.finish_reason ?? "stop",
    }],
    ...(usage === null ? {} : {
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    }),
  }, headers);
}

function errorResponse(
  step: ErrorStep,
  dialect: Dialect,
  record: RecordedRequest,
  credential: string,
): Response {
  const { status } = step;
  const table = dialect === "openai" ? OPENAI_ERRORS : ANTHROPIC_ERRORS;
  const model = promptOf(record.body).model;
  const [type, message] = status === 401
    ? [
      dialect === "openai" ? "invalid_request_error" : "authentication_error",
      `Incorrect API key provided: ${credential || "(none)"}.`,
    ]
    : status === 404
    ? [
      dialect === "openai" ? "invalid_request_error" : "not_found_error",
      `The model \`${model}\` does not exist or you do not have access to it.`,
    ]
    : table[status] ?? table[status >= 500 ? 500 : 400];
  const headers: Record<string, string> = { ...step.headers };
  if (step.retry_after !== undefined) headers["retry-after"] = String(step.retry_after);
  if (step.retry_after_ms !== undefined) headers["retry-after-ms"] = String(step.retry_after_ms);
  headers[dialect === "openai" ? "x-request-id" : "request-id"] = `req_${record.index}`;
  const error = {
    message: step.message ?? message,
    type: step.type ?? type,
  };
  const body = dialect === "openai"
    ? {
      error: {
        ...error,
        param: null,
        code: step.code !== undefined ? step.code : status === 401 ? "invalid_api_key" : null,
      },
    }
    : { type: "error", error };
  return json(status, body, headers);
}

/** A 200 whose body stops short of its Content-Length: the client sees the connection cut. */
function cutResponse(release?: Promise<void>): Response {
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode('{"id": "cut", "choices": ['));
      if (release) await release;
      try {
        controller.close();
      } catch { /* the client went away first */ }
    },
  });
  return new Response(body, {
    status: 200,
    headers: { "content-type": "application/json", "content-length": "4096" },
  });
}

/**
 * Start a scripted OpenAI/Anthropic-compatible server on 127.0.0.1 (see the module doc).
 *
 * @example
 * ```ts
 * import { startOpenAIServer } from "./openai_server.ts";
 * const server = startOpenAIServer({ script: (_request, i) => (i % 2 === 0 ? 503 : "ok") });
 * await server.close();
 * ```
 */
export function startOpenAIServer(options: OpenAIServerOptions = {}): OpenAIServer {
  const requests: RecordedRequest[] = [];
  let closed = false;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      released.then(() => (clearTimeout(timer), resolve()));
    });

  async function answer(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const text = await request.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch { /* kept as text */ }
    const headers: Record<string, string> = {};
    let credential = "";
    for (const [name, value] of request.headers) {
      const secret = CREDENTIAL_HEADERS.includes(name);
      if (secret) credential = value;
      headers[name] = secret ? hashSecret(value) : value;
    }
    const index = requests.length;
    const record: RecordedRequest = {
      index,
      method: request.method,
      path: url.pathname + url.search,
      headers,
      body,
    };
    requests.push(record);
    const dialect: Dialect = url.pathname.endsWith("/messages") ? "anthropic" : "openai";
    const known = url.pathname.endsWith("/chat/completions") || dialect === "anthropic";
    const script = options.script;
    const fallback = options.fallback ?? "ok";
    const step = !known || request.method !== "POST"
      ? { kind: "error", status: 404, message: `no route for ${request.method} ${url.pathname}` }
      : typeof script === "function"
      ? await script(record, index)
      : script?.[index] ?? fallback;
    record.step = step as Step;
    const normal = normalize(step as Step);
    if (typeof normal === "object" && normal.delay_ms) await wait(normal.delay_ms);
    if (closed) return cutResponse();
    if (normal === "reset") return cutResponse();
    if (normal === "hang") return (await released, cutResponse());
    if (normal === "hang_body") return cutResponse(released);
    if (normal === "malformed") {
      return new Response('{"choices": [ this is not json', {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    }
    if (typeof normal !== "object") throw new Error(`unknown step ${JSON.stringify(normal)}`);
    if (normal.kind === "ok") return okResponse(normal, dialect, record, credential);
    if (normal.kind === "error") return errorResponse(normal, dialect, record, credential);
    const raw = typeof normal.body === "string" ? normal.body : JSON.stringify(normal.body);
    return new Response(raw, {
      status: normal.status ?? 200,
      headers: { "content-type": "application/json", ...normal.headers },
    });
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    try {
      return await answer(request);
    } catch (error) {
      return json(500, { error: { message: `test server: ${String(error)}` } });
    }
  });
  const close = async () => {
    if (closed) return await server.finished;
    closed = true;
    release();
    await server.shutdown();
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}
