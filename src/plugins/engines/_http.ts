import { type ErrorCode, isThemisError, ThemisError } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";

/** Who is being called, for error messages and scrubbing. Never holds the key itself in text. */
export interface CallInfo {
  /** The engine id: `openai`, `anthropic`. */
  provider: string;
  /** The provider's model name as sent. */
  model: string;
  /** The endpoint URL (its query string is never shown). */
  url: string;
  /** Values to redact from anything that leaves the engine (the API key). */
  secrets: ReadonlyArray<string>;
  /** The environment variable the key came from, named in auth errors. */
  keyEnv?: string;
}

/** The answer of a successful call: parsed JSON body and the response headers. */
export interface JsonResponse {
  status: number;
  headers: Headers;
  json: unknown;
}

/** Options of {@linkcode postJson}. */
export interface PostJsonOptions {
  call: CallInfo;
  headers: Record<string, string>;
  body: Json;
  signal?: AbortSignal;
  /** Clock for HTTP-date `Retry-After` values; defaults to `Date.now`. */
  now?: () => number;
}

const REDACTED = "[redacted]";
const MAX_MESSAGE = 500;

/**
 * Replace every occurrence of the given secrets, and anything that looks like an API key
 * (`sk-…`) or a bearer token (`Bearer …`), with `[redacted]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scrubSecrets } from "./_http.ts";
 * const text = scrubSecrets("bad key sk-test-123456789, header Bearer abc", []);
 * assert.equal(text, "bad key [redacted], header Bearer [redacted]");
 * ```
 */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.replaceAll(secret, REDACTED);
  }
  return out
    .replace(/\bsk-[A-Za-z0-9_\-*.]{4,}/g, REDACTED)
    .replace(/\b(Bearer)\s+(?!\[redacted\])[^\s"',;]+/gi, `$1 ${REDACTED}`);
}

/**
 * {@linkcode scrubSecrets} applied to every string (and key) inside a JSON value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scrubJson } from "./_http.ts";
 * assert.equal(JSON.stringify(scrubJson({ id: "k-SECRET" }, ["SECRET"])), '{"id":"k-[redacted]"}');
 * ```
 */
export function scrubJson<T extends Json>(value: T, secrets: ReadonlyArray<string>): T {
  if (typeof value === "string") return scrubSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, secrets)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [scrubSecrets(k, secrets), scrubJson(v, secrets)]),
    ) as T;
  }
  return value;
}

/**
 * Seconds to wait before retrying, from `retry-after-ms` (milliseconds, sent by OpenAI) or
 * `Retry-After` (delay-seconds or an HTTP-date); `undefined` when absent or unreadable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRetryAfter } from "./_http.ts";
 * assert.equal(parseRetryAfter(new Headers({ "retry-after": "3" }), 0), 3);
 * assert.equal(parseRetryAfter(new Headers({ "retry-after-ms": "1500" }), 0), 1.5);
 * const date = new Headers({ "retry-after": "Thu, 01 Jan 1970 00:00:10 GMT" });
 * assert.equal(parseRetryAfter(date, 4_000), 6);
 * ```
 */
export function parseRetryAfter(headers: Headers, nowMs: number): number | undefined {
  const number = /^\d+(\.\d+)?$/;
  const ms = headers.get("retry-after-ms")?.trim();
  if (ms && number.test(ms)) return Number(ms) / 1000;
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (number.test(value)) return Number(value);
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.round(date - nowMs) / 1000);
}

/**
 * The error code for an HTTP status: 401/402/403 → `PROVIDER_AUTH`, 404 → `PROVIDER_NOT_FOUND`,
 * 408 → `PROVIDER_TIMEOUT`, 409/5xx/529 → `PROVIDER_UNAVAILABLE`, 429 → `PROVIDER_RATE_LIMIT`,
 * other 4xx → `PROVIDER_BAD_REQUEST`, anything else → `PROVIDER_MALFORMED`. ({@linkcode httpError}
 * also turns OpenAI's 429 `insufficient_quota` into `PROVIDER_AUTH`: waiting does not help.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codeForStatus } from "./_http.ts";
 * assert.equal(codeForStatus(529), "PROVIDER_UNAVAILABLE");
 * ```
 */
export function codeForStatus(status: number): ErrorCode {
  if (status === 401 || status === 402 || status === 403) return "PROVIDER_AUTH";
  if (status === 404) return "PROVIDER_NOT_FOUND";
  if (status === 408) return "PROVIDER_TIMEOUT";
  if (status === 429) return "PROVIDER_RATE_LIMIT";
  if (status === 409 || (status >= 500 && status <= 599)) return "PROVIDER_UNAVAILABLE";
  if (status >= 400 && status <= 499) return "PROVIDER_BAD_REQUEST";
  return "PROVIDER_MALFORMED";
}

/** Where a call went, for messages: `openai model "gpt-4o" at http://host/v1/chat/completions`. */
export function describeCall(call: CallInfo): string {
  let url = call.url;
  try {
    const parsed = new URL(call.url);
    url = `${parsed.origin}${parsed.pathname}`;
  } catch { /* shown as given */ }
  return scrubSecrets(`${call.provider} model "${call.model}" at ${url}`, call.secrets);
}

interface ProviderError {
  message?: string;
  type?: string;
  code?: string;
}

/** The error message, type and code inside an OpenAI, Anthropic, Ollama or plain body. */
export function readProviderError(body: string): ProviderError {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const text = body.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
    return text ? { message: text } : {};
  }
  const root = (json ?? {}) as Record<string, unknown>;
  const inner = typeof root.error === "object" && root.error !== null
    ? root.error as Record<string, unknown>
    : root;
  const str = (v: unknown) =>
    typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
  return {
    message: str(inner.message) ?? str(root.error) ?? str(root.detail) ?? str(root.message),
    type: str(inner.type),
    code: str(inner.code),
  };
}

const HINTS: Partial<Record<ErrorCode, (call: CallInfo) => string>> = {
  PROVIDER_AUTH: (call) =>
    `check the API key in $${
      call.keyEnv ?? "…"
    } (models[].extras.api_key_env), its permissions and billing`,
  PROVIDER_NOT_FOUND: () => "check the model name (models[].extras.model) and extras.base_url",
  PROVIDER_BAD_REQUEST: () => "check the inference params and models[].extras",
};

/**
 * The ThemisError for a non-2xx answer: code from {@linkcode codeForStatus} (but a 429 whose
 * code is `insufficient_quota` is `PROVIDER_AUTH`, never retried), the provider's
 * own message (scrubbed), and details `{status, provider, retry_after?, request_id?, type?}`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpError } from "./_http.ts";
 * const call = { provider: "openai", model: "m", url: "http://127.0.0.1/v1", secrets: [] };
 * const err = httpError(429, '{"error":{"message":"slow down"}}', new Headers({ "retry-after": "2" }), call, 0);
 * assert.ok(err.code === "PROVIDER_RATE_LIMIT" && err.details.retry_after === 2);
 * ```
 */
export function httpError(
  status: number,
  body: string,
  headers: Headers,
  call: CallInfo,
  nowMs: number,
): ThemisError {
  const provider = readProviderError(body);
  // An exhausted quota comes as a 429 but waiting does not help: it is an account problem.
  const quota = status === 429 &&
    (provider.code === "insufficient_quota" || provider.type === "insufficient_quota");
  const code = quota ? "PROVIDER_AUTH" : codeForStatus(status);
  const retryAfter = parseRetryAfter(headers, nowMs);
  const requestId = headers.get("x-request-id") ?? headers.get("request-id") ?? undefined;
  let said = scrubSecrets(provider.message ?? "(no message)", call.secrets);
  if (said.length > MAX_MESSAGE) said = `${said.slice(0, MAX_MESSAGE)}…`;
  const hint = HINTS[code]?.(call);
  const wait = retryAfter === undefined ? "" : ` (retry after ${retryAfter}s)`;
  const message = `${describeCall(call)} answered HTTP ${status}: ${said}${wait}` +
    (hint ? `; ${hint}` : "");
  return new ThemisError(code, message, {
    status,
    provider: call.provider,
    ...(retryAfter === undefined ? {} : { retry_after: retryAfter }),
    ...(requestId ? { request_id: scrubSecrets(requestId, call.secrets) } : {}),
    ...(provider.type ? { type: scrubSecrets(provider.type, call.secrets) } : {}),
    ...(provider.code ? { provider_code: scrubSecrets(provider.code, call.secrets) } : {}),
  });
}

/**
 * The error for an aborted call: the signal's reason when it is a ThemisError,
 * `PROVIDER_TIMEOUT` for a `TimeoutError` reason, else `CANCELLED`.
 */
export function abortError(signal: AbortSignal, call: CallInfo): ThemisError {
  const reason = signal.reason;
  if (isThemisError(reason)) return reason;
  if (reason instanceof DOMException && reason.name === "TimeoutError") {
    return new ThemisError("PROVIDER_TIMEOUT", `${describeCall(call)} did not answer in time`, {
      provider: call.provider,
    });
  }
  return new ThemisError("CANCELLED", `${describeCall(call)}: the request was cancelled`, {
    provider: call.provider,
  });
}

/** The error for a request that got no answer: aborted, or the connection failed. */
export function transportError(
  error: unknown,
  call: CallInfo,
  signal?: AbortSignal,
): ThemisError {
  if (signal?.aborted) return abortError(signal, call);
  const cause = (error as { cause?: unknown })?.cause;
  const raw = (error instanceof Error ? error.message : String(error)) +
    (cause instanceof Error ? `: ${cause.message}` : "");
  return new ThemisError(
    "PROVIDER_NETWORK",
    `${describeCall(call)}: the connection failed: ${scrubSecrets(raw, call.secrets)} ` +
      `(is the server running and models[].extras.base_url right?)`,
    { provider: call.provider },
  );
}

/**
 * POST a JSON body and return the parsed JSON answer. No retries and no timeout of its own
 * (the scheduler owns both): connection failures throw `PROVIDER_NETWORK`, an aborted signal
 * `CANCELLED`/`PROVIDER_TIMEOUT`, a non-2xx answer the code of {@linkcode httpError}, a 2xx
 * answer that is not JSON `PROVIDER_MALFORMED`. Redirects are not followed (they would carry
 * the key to another URL): a 3xx is `PROVIDER_BAD_REQUEST` naming the new location.
 *
 * @example
 * ```ts
 * import { postJson } from "./_http.ts";
 * const call = { provider: "openai", model: "m", url: "http://127.0.0.1:9/v1", secrets: [] };
 * await postJson(call.url, { call, headers: {}, body: {} }).catch((e) => e.code); // "PROVIDER_NETWORK"
 * ```
 */
export async function postJson(url: string, options: PostJsonOptions): Promise<JsonResponse> {
  const { call, signal } = options;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...options.headers },
      body: JSON.stringify(options.body),
      signal,
      redirect: "manual",
    });
    text = await response.text();
  } catch (error) {
    throw transportError(error, call, signal);
  }
  const { status, headers } = response;
  if (status >= 300 && status <= 399) {
    const location = scrubSecrets(headers.get("location") ?? "(no location)", call.secrets);
    throw new ThemisError(
      "PROVIDER_BAD_REQUEST",
      `${describeCall(call)} redirected (HTTP ${status}) to ${location}; set ` +
        `models[].extras.base_url to the final address`,
      { status, provider: call.provider },
    );
  }
  if (status < 200 || status > 299) {
    throw httpError(status, text, headers, call, (options.now ?? Date.now)());
  }
  try {
    return { status, headers, json: JSON.parse(text) };
  } catch {
    throw malformed(call, `the body is not JSON: ${JSON.stringify(text.slice(0, 120))}`);
  }
}

/**
 * A `PROVIDER_MALFORMED` error: the answer arrived but does not have the expected shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { malformed } from "./_http.ts";
 * const call = { provider: "openai", model: "m", url: "http://127.0.0.1/v1", secrets: [] };
 * assert.equal(malformed(call, "no choices").code, "PROVIDER_MALFORMED");
 * ```
 */
export function malformed(call: CallInfo, what: string): ThemisError {
  return new ThemisError(
    "PROVIDER_MALFORMED",
    `${describeCall(call)} sent an unexpected answer: ${scrubSecrets(what, call.secrets)}`,
    { provider: call.provider },
  );
}
