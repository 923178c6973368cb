import { ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import { type CallInfo, httpError, malformed, postJson, scrubJson } from "./_http.ts";
import {
  checkConnectionExtras,
  checkParams,
  checks,
  mergeExtraBody,
  type ParamCheck,
  pick,
  preflightRequest,
  readConnection,
} from "./_settings.ts";
import {
  type Engine,
  type EngineContext,
  type GenerationOutput,
  type GenerationRequest,
  PLUGIN_API_VERSION,
} from "../types.ts";

/** `max_tokens` sent when the params set none (the Messages API requires one). */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

const responseFormat: ParamCheck = (v) =>
  v !== null && typeof v === "object" && !Array.isArray(v) && typeof v.type === "string"
    ? undefined
    : `a table: {type = "json_schema", json_schema = {schema = {…}}} (Anthropic has no ` +
      `schema-free JSON mode)`;

/** The inference params the anthropic engine accepts, and how each is checked. */
export const ANTHROPIC_PARAMS: Record<string, ParamCheck> = {
  temperature: checks.number,
  top_p: checks.number,
  top_k: checks.positiveInteger,
  max_tokens: checks.positiveInteger,
  stop: checks.stop,
  seed: checks.seed,
  response_format: responseFormat,
  n: checks.n,
};

function bad(message: string, path: string): ThemisError {
  return new ThemisError("PROVIDER_BAD_REQUEST", `anthropic: ${message}`, {
    provider: "anthropic",
    path,
  });
}

/** `response_format` as the Messages API's `output_config.format`, or undefined for text. */
function outputFormat(format: JsonObject): JsonObject | undefined {
  if (format.type === "text") return undefined;
  if (format.type !== "json_schema") {
    throw bad(
      `response_format type "${String(format.type)}" is not supported: Anthropic has no ` +
        `schema-free JSON mode; give {type = "json_schema", json_schema = {schema = {…}}} or ` +
        `ask for JSON in the prompt and parse it with the json extractor`,
      "params.response_format",
    );
  }
  const inner = format.json_schema;
  const schema = inner !== null && typeof inner === "object" && !Array.isArray(inner)
    ? inner.schema
    : format.schema;
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    throw bad(
      'response_format json_schema needs a schema: {type = "json_schema", json_schema = ' +
        "{schema = {…}}}",
      "params.response_format",
    );
  }
  return { type: "json_schema", schema };
}

/**
 * The Messages API body for a request: system messages joined (blank line between) into the
 * top-level `system` field, the other messages in order, `max_tokens` (default
 * {@linkcode ANTHROPIC_DEFAULT_MAX_TOKENS}), `stop` as `stop_sequences`, temperature/top_p/top_k
 * as they are, a `json_schema` response_format as `output_config.format`. The Messages API has
 * no seed: the candidate seed and `params.seed` are not sent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { anthropicBody } from "./anthropic.ts";
 * const body = anthropicBody({
 *   model: { model_id: "claude-x", provider: "anthropic", extras: {} },
 *   messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "2+2?" }],
 *   params: { stop: "END" }, seed: 7,
 *   trialId: "t", candidateId: "c", sampleIndex: 0, item: { id: "i", payload: {} },
 * }, "claude-x");
 * assert.ok(body.system === "Be brief." && body.max_tokens === 1024 && !("seed" in body));
 * ```
 */
export function anthropicBody(request: GenerationRequest, model: string): JsonObject {
  const { params } = request;
  checkParams(params, ANTHROPIC_PARAMS, "anthropic");
  const system = request.messages.filter((m) => m.role === "system").map((m) => m.content);
  const body: JsonObject = {
    model,
    max_tokens: params.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    ...(system.length > 0 ? { system: system.join("\n\n") } : {}),
    messages: request.messages
      .filter((m) => m.role !== "system")
      .map((m) => ({ role: m.role, content: m.content })),
    ...pick(params, ["temperature", "top_p", "top_k"]),
  };
  if (params.stop !== undefined) {
    body.stop_sequences = typeof params.stop === "string" ? [params.stop] : params.stop;
  }
  if (params.response_format !== undefined) {
    const format = outputFormat(params.response_format as JsonObject);
    if (format !== undefined) body.output_config = { format };
  }
  return body;
}

// Error types the Messages API may put in a 2xx body, as the status they come with otherwise.
export const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}

const count = (v: unknown) => typeof v === "number" && Number.isFinite(v) ? v : undefined;

/**
 * Read a Messages API answer into a GenerationOutput: the `text` blocks of `content` joined,
 * `stop_reason` as finish_reason, input/output tokens as prompt/completion tokens. Throws
 * `PROVIDER_MALFORMED` when `content` is not a list.
 */
export function readAnthropicAnswer(
  json: unknown,
  headers: Headers,
  call: CallInfo,
  ignored: string[],
): GenerationOutput {
  const root = asObject(json);
  if (root === undefined) throw malformed(call, "the body is not a JSON object");
  const error = asObject(root.error);
  if (root.type === "error" && error !== undefined) {
    const status = ERROR_STATUS[String(error.type)] ?? 500;
    throw httpError(status, JSON.stringify(root), headers, call, Date.now());
  }
  if (!Array.isArray(root.content)) throw malformed(call, "content is not a list of blocks");
  const text = root.content
    .map((block) => asObject(block))
    .filter((block) => block?.type === "text" && typeof block.text === "string")
    .map((block) => block!.text as string)
    .join("");
  const meta: JsonObject = {};
  const requestId = headers.get("request-id") ?? headers.get("x-request-id") ?? root.id;
  if (typeof requestId === "string") meta.request_id = requestId;
  if (typeof root.id === "string") meta.response_id = root.id;
  if (typeof root.model === "string") meta.model = root.model;
  if (typeof root.stop_sequence === "string") meta.stop_sequence = root.stop_sequence;
  if (ignored.length > 0) meta.ignored_params = ignored as Json;
  const usage = asObject(root.usage);
  const prompt = count(usage?.input_tokens);
  const completion = count(usage?.output_tokens);
  return {
    text,
    ...(typeof root.stop_reason === "string" ? { finish_reason: root.stop_reason } : {}),
    ...(usage === undefined ? {} : {
      usage: {
        ...(prompt === undefined ? {} : { prompt_tokens: prompt }),
        ...(completion === undefined ? {} : { completion_tokens: completion }),
      },
    }),
    meta: scrubJson(meta, call.secrets),
  };
}

/**
 * The `anthropic` engine: the Claude Messages API (and Anthropic-compatible servers) over
 * `fetch` without an SDK. Settings come from `models[].extras` (`base_url`, `model`,
 * `api_key_env`, `headers`, `extra_body`, `anthropic_version`, default "2023-06-01"); the key is
 * read through `context.secret` at call time and sent as `x-api-key`. There is no seed
 * (`capabilities.seed = false`; a `seed` param is accepted, not sent, and listed in
 * `meta.ignored_params`), no logprobs, and JSON output only with a JSON schema.
 *
 * @example
 * ```ts
 * import { anthropicEngine } from "./anthropic.ts";
 * const request = {
 *   model: { model_id: "claude-x", provider: "anthropic", extras: { base_url: "http://127.0.0.1:9/v1" } },
 *   messages: [{ role: "user" as const, content: "Hi" }], params: {}, seed: 1,
 *   trialId: "t", candidateId: "c", sampleIndex: 0, item: { id: "i", payload: {} },
 * };
 * await anthropicEngine.generate(request, {}).catch((e) => e.code); // "PROVIDER_NETWORK": nothing listens
 * ```
 */
export const ANTHROPIC_CONNECTION = {
  provider: "anthropic",
  defaultBaseUrl: "https://api.anthropic.com/v1",
  defaultKeyEnv: "ANTHROPIC_API_KEY",
  extraKeys: ["anthropic_version"],
};

export const anthropicEngine: Engine = {
  id: "anthropic",
  pluginApi: PLUGIN_API_VERSION,
  capabilities: { jsonOutput: true, logprobs: false, seed: false },
  validateModel(model) {
    checkConnectionExtras(model.extras ?? {}, ANTHROPIC_CONNECTION);
    const version = model.extras?.anthropic_version;
    if (version !== undefined && (typeof version !== "string" || version === "")) {
      throw bad("models[].extras.anthropic_version must be a string", "extras.anthropic_version");
    }
  },
  preflight(model, context) {
    readConnection(preflightRequest(model), context, ANTHROPIC_CONNECTION);
  },
  async generate(request: GenerationRequest, context: EngineContext): Promise<GenerationOutput> {
    const connection = readConnection(request, context, ANTHROPIC_CONNECTION);
    const version = request.model.extras.anthropic_version ?? "2023-06-01";
    if (typeof version !== "string" || version === "") {
      throw bad("models[].extras.anthropic_version must be a string", "extras.anthropic_version");
    }
    const url = `${connection.baseUrl}/messages`;
    const call: CallInfo = {
      provider: "anthropic",
      model: connection.model,
      url,
      secrets: connection.apiKey === undefined ? [] : [connection.apiKey],
      keyEnv: connection.keyEnv,
    };
    const body = mergeExtraBody(
      anthropicBody(request, connection.model),
      connection.extraBody,
      "anthropic",
    );
    const headers: Record<string, string> = {
      "anthropic-version": version,
      ...connection.headers,
    };
    if (connection.apiKey !== undefined) headers["x-api-key"] = connection.apiKey;
    const answer = await postJson(url, { call, headers, body, signal: context.signal });
    const ignored = request.params.seed === undefined ? [] : ["seed"];
    return readAnthropicAnswer(answer.json, answer.headers, call, ignored);
  },
};
