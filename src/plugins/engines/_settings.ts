import { closestMatch } from "../../core/closest.ts";
import { ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import type { EngineContext, GenerationRequest, ModelRef } from "../types.ts";

/** Where and how to reach a provider, read from `models[].extras` and the context. */
export interface Connection {
  /** `base_url` without a trailing slash. */
  baseUrl: string;
  /** The provider's model name (`extras.model`, default the model id). */
  model: string;
  /** The environment variable the key is read from. */
  keyEnv: string;
  /** The key, when one is set; never log or store it. */
  apiKey?: string;
  /** Extra headers from `extras.headers`. */
  headers: Record<string, string>;
  /** Extra body fields from `extras.extra_body`. */
  extraBody: JsonObject;
}

/** Options of {@linkcode readConnection}: the provider's defaults. */
export interface ConnectionOptions {
  provider: string;
  defaultBaseUrl: string;
  defaultKeyEnv: string;
  /** The extras keys this engine reads besides the common ones. */
  extraKeys?: ReadonlyArray<string>;
}

const COMMON_EXTRAS = ["base_url", "model", "api_key_env", "headers", "extra_body"];
// Keys in these headers would be hashed into trial ids and written to the run directory.
const SECRET_HEADERS = ["authorization", "proxy-authorization", "x-api-key", "api-key"];

function bad(provider: string, message: string, path?: string): ThemisError {
  return new ThemisError("PROVIDER_BAD_REQUEST", `${provider}: ${message}`, {
    provider,
    ...(path === undefined ? {} : { path }),
  });
}

function readString(extras: JsonObject, key: string, provider: string): string | undefined {
  const value = extras[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") {
    throw bad(provider, `models[].extras.${key} must be a non-empty string`, `extras.${key}`);
  }
  return value;
}

function readHeaders(extras: JsonObject, provider: string): Record<string, string> {
  const value = extras.headers;
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw bad(provider, "models[].extras.headers must be a table of strings", "extras.headers");
  }
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== "string") {
      throw bad(provider, `models[].extras.headers.${name} must be a string`, "extras.headers");
    }
    if (SECRET_HEADERS.includes(name.toLowerCase())) {
      throw bad(
        provider,
        `models[].extras.headers must not carry "${name}": specs are stored with the run; put ` +
          `the key in an environment variable and name it with extras.api_key_env`,
        "extras.headers",
      );
    }
    headers[name] = v;
  }
  return headers;
}

/**
 * Read `base_url`, `model`, `api_key_env`, `headers` and `extra_body` from the model's extras
 * and the key from `context.secret` (at call time, never stored). A missing key is an error
 * (`PROVIDER_AUTH`, before any request) when `base_url` is the provider's official host or
 * `api_key_env` was named explicitly; otherwise (a local server) no key is sent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readConnection } from "./_settings.ts";
 * const request = {
 *   model: { model_id: "llama", provider: "openai", extras: { base_url: "http://127.0.0.1:11434/v1" } },
 *   messages: [], params: {}, seed: 1, trialId: "t", candidateId: "c", sampleIndex: 0,
 *   item: { id: "i", payload: {} },
 * };
 * const options = {
 *   provider: "openai", defaultBaseUrl: "https://api.openai.com/v1", defaultKeyEnv: "OPENAI_API_KEY",
 * };
 * const connection = readConnection(request, {}, options);
 * assert.ok(connection.model === "llama" && connection.apiKey === undefined);
 * ```
 */
export function readConnection(
  request: GenerationRequest,
  context: EngineContext,
  options: ConnectionOptions,
): Connection {
  const { provider } = options;
  const extras = request.model.extras ?? {};
  const { baseUrl, official } = checkConnectionExtras(extras, options);
  const namedEnv = readString(extras, "api_key_env", provider);
  const keyEnv = namedEnv ?? options.defaultKeyEnv;
  const secret = context.secret ? context.secret(keyEnv) : context.runtime?.[keyEnv];
  const apiKey = secret === undefined || secret === "" ? undefined : secret;
  if (apiKey === undefined && (official || namedEnv !== undefined)) {
    throw new ThemisError(
      "PROVIDER_AUTH",
      `${provider}: no API key for ${baseUrl}: set the environment variable ${keyEnv}` +
        (namedEnv ? "" : " (or name another one with models[].extras.api_key_env)"),
      { provider, suggestion: `export ${keyEnv}=…` },
    );
  }
  return {
    baseUrl,
    model: readString(extras, "model", provider) ?? request.model.model_id,
    keyEnv,
    apiKey,
    headers: readHeaders(extras, provider),
    extraBody: extras.extra_body as JsonObject ?? {},
  };
}

/**
 * Check a model's connection extras without reading any secret: known keys only (with the key a
 * typo meant), no `api_key`, an http(s) `base_url`, strings where strings go, `headers` without
 * credentials, `extra_body` a table. `themis validate` and planning run it through an engine's
 * `validateModel`, so `base_ulr` fails before any run. Returns the base URL and whether it is
 * the provider's official host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkConnectionExtras } from "./_settings.ts";
 * const options = {
 *   provider: "openai", defaultBaseUrl: "https://api.openai.com/v1", defaultKeyEnv: "OPENAI_API_KEY",
 * };
 * assert.throws(() => checkConnectionExtras({ base_ulr: "http://127.0.0.1:8000/v1" }, options), {
 *   code: "PROVIDER_BAD_REQUEST",
 *   message: /unknown models\[\]\.extras "base_ulr" \(did you mean "base_url"\?\)/,
 * });
 * assert.equal(checkConnectionExtras({}, options).official, true);
 * ```
 */
export function checkConnectionExtras(
  extras: JsonObject,
  options: ConnectionOptions,
): { baseUrl: string; official: boolean } {
  const { provider } = options;
  const known = [...COMMON_EXTRAS, ...(options.extraKeys ?? [])];
  if (extras.api_key !== undefined) {
    throw bad(
      provider,
      "models[].extras.api_key is refused: specs are stored with the run; put the key in an " +
        "environment variable and name it with extras.api_key_env",
      "extras.api_key",
    );
  }
  const unknown = Object.keys(extras).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    const guess = closestMatch(unknown[0], known);
    throw bad(
      provider,
      `unknown models[].extras ${unknown.map((k) => `"${k}"`).join(", ")}` +
        (guess ? ` (did you mean "${guess}"?)` : "") + `; supported: ${known.join(", ")}`,
      "extras",
    );
  }
  const baseUrl = (readString(extras, "base_url", provider) ?? options.defaultBaseUrl)
    .replace(/\/+$/, "");
  let official: boolean;
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    official = url.hostname === new URL(options.defaultBaseUrl).hostname;
  } catch {
    throw bad(provider, `models[].extras.base_url "${baseUrl}" is not an http(s) URL`);
  }
  readString(extras, "api_key_env", provider);
  readString(extras, "model", provider);
  readHeaders(extras, provider);
  const extraBody = extras.extra_body ?? {};
  if (extraBody === null || typeof extraBody !== "object" || Array.isArray(extraBody)) {
    throw bad(provider, "models[].extras.extra_body must be a table", "extras.extra_body");
  }
  return { baseUrl, official };
}

/** Checks one param's value; returns what it must be when the value is wrong. */
export type ParamCheck = (value: Json) => string | undefined;

/** Reusable param checks. */
export const checks = {
  number: (v: Json) => typeof v === "number" && Number.isFinite(v) ? undefined : "a number",
  positiveInteger: (v: Json) =>
    Number.isInteger(v) && (v as number) > 0 ? undefined : "a positive integer",
  integer: (v: Json) => Number.isInteger(v) ? undefined : "an integer",
  boolean: (v: Json) => typeof v === "boolean" ? undefined : "true or false",
  string: (v: Json) => typeof v === "string" && v !== "" ? undefined : "a non-empty string",
  stop: (v: Json) =>
    typeof v === "string" || (Array.isArray(v) && v.every((s) => typeof s === "string"))
      ? undefined
      : "a string or a list of strings",
  seed: (v: Json) => v === null || Number.isInteger(v) ? undefined : "an integer",
  n: (v: Json) =>
    v === 1
      ? undefined
      : "1 (themis draws several samples with num_samples, one request each, so every sample " +
        "gets its own seed and record)",
} satisfies Record<string, ParamCheck>;

/**
 * Check `params` against the engine's table before any request: every unknown name and every
 * wrong value is listed in one `PROVIDER_BAD_REQUEST` error, with the supported names.
 *
 * @example
 * ```ts
 * import { checkParams, checks } from "./_settings.ts";
 * checkParams({ temperature: 0 }, { temperature: checks.number }, "openai");
 * ```
 */
export function checkParams(
  params: JsonObject,
  table: Record<string, ParamCheck>,
  provider: string,
): void {
  const names = Object.keys(table);
  const issues: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    const check = table[name];
    if (check === undefined) {
      const guess = closestMatch(name, names);
      issues.push(`"${name}" is not supported` + (guess ? ` (did you mean "${guess}"?)` : ""));
      continue;
    }
    const wanted = check(value);
    if (wanted !== undefined) {
      issues.push(`"${name}" must be ${wanted}, got ${JSON.stringify(value)}`);
    }
  }
  if (issues.length === 0) return;
  throw new ThemisError(
    "PROVIDER_BAD_REQUEST",
    `${provider}: the inference params cannot be sent: ${issues.join("; ")}. ` +
      `Supported params: ${names.join(", ")}`,
    { provider, issues: issues.map((message) => ({ path: "params", message })) },
  );
}

/**
 * Merge `extra_body` into a request body; a field themis already sets is an error rather than
 * a silent override.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeExtraBody } from "./_settings.ts";
 * assert.equal(mergeExtraBody({ model: "m" }, { top_k: 5 }, "openai").top_k, 5);
 * ```
 */
export function mergeExtraBody(
  body: JsonObject,
  extraBody: JsonObject,
  provider: string,
): JsonObject {
  const clashes = Object.keys(extraBody).filter((k) => Object.hasOwn(body, k));
  if (clashes.length > 0) {
    throw bad(
      provider,
      `models[].extras.extra_body sets ${clashes.map((k) => `"${k}"`).join(", ")}, which ` +
        `themis already sends; set it through the inference params instead`,
      "extras.extra_body",
    );
  }
  return { ...body, ...extraBody };
}

/**
 * The fields of `source` named in `names` that are set, copied as they are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pick } from "./_settings.ts";
 * assert.equal(JSON.stringify(pick({ a: 1, b: 2 }, ["a", "c"])), '{"a":1}');
 * ```
 */
export function pick(source: JsonObject, names: ReadonlyArray<string>): JsonObject {
  const out: JsonObject = {};
  for (const name of names) if (source[name] !== undefined) out[name] = source[name];
  return out;
}

/**
 * A request-shaped value for checking a model's connection settings before any call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { preflightRequest } from "./_settings.ts";
 * const request = preflightRequest({ model_id: "m", provider: "openai", extras: {} });
 * assert.equal(request.messages.length, 0);
 * ```
 */
export function preflightRequest(model: ModelRef): GenerationRequest {
  return {
    model,
    messages: [],
    params: {},
    seed: 0,
    trialId: "",
    candidateId: "",
    sampleIndex: 0,
    item: { id: "", payload: {} },
  };
}
