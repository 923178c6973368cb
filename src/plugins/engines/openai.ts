import { ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import {
  type CallInfo,
  codeForStatus,
  httpError,
  malformed,
  postJson,
  scrubJson,
} from "./_http.ts";
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

const responseFormat: ParamCheck = (v) =>
  v === "json" ||
    (v !== null && typeof v === "object" && !Array.isArray(v) && typeof v.type === "string")
    ? undefined
    : `"json" or a table with a "type" ({type = "json_object"} or ` +
      `{type = "json_schema", json_schema = {name = …, schema = {…}}})`;

/** The inference params the openai engine sends, and how each is checked. */
export const OPENAI_PARAMS: Record<string, ParamCheck> = {
  temperature: checks.number,
  top_p: checks.number,
  max_tokens: checks.positiveInteger,
  max_completion_tokens: checks.positiveInteger,
  stop: checks.stop,
  seed: checks.seed,
  response_format: responseFormat,
  logprobs: checks.boolean,
  top_logprobs: checks.integer,
  frequency_penalty: checks.number,
  presence_penalty: checks.number,
  reasoning_effort: checks.string,
  n: checks.n,
};

// Sent as they are: the spec's names are the API's names.
const PASSTHROUGH = [
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "frequency_penalty",
  "presence_penalty",
  "reasoning_effort",
  "logprobs",
  "top_logprobs",
];

/**
 * The Chat Completions body for a request: messages as they are, the params of
 * {@linkcode OPENAI_PARAMS} (`n` is checked, never sent), `seed` = `params.seed` when set, else
 * the candidate seed (`seed = null` sends none), `response_format = "json"` as
 * `{type: "json_object"}`. Throws `PROVIDER_BAD_REQUEST` for anything it cannot send.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openaiBody } from "./openai.ts";
 * const body = openaiBody({
 *   model: { model_id: "gpt-4o-mini", provider: "openai", extras: {} },
 *   messages: [{ role: "user", content: "2+2?" }], params: { response_format: "json" }, seed: 7,
 *   trialId: "t", candidateId: "c", sampleIndex: 0, item: { id: "i", payload: {} },
 * }, "gpt-4o-mini");
 * assert.ok(body.seed === 7 && (body.response_format as { type: string }).type === "json_object");
 * ```
 */
export function openaiBody(request: GenerationRequest, model: string): JsonObject {
  const { params } = request;
  checkParams(params, OPENAI_PARAMS, "openai");
  if (params.top_logprobs !== undefined && params.logprobs !== true) {
    throw new ThemisError(
      "PROVIDER_BAD_REQUEST",
      "openai: the inference param top_logprobs needs logprobs = true",
      { provider: "openai", path: "params.top_logprobs" },
    );
  }
  const body: JsonObject = {
    model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    ...pick(params, PASSTHROUGH),
  };
  const seed = params.seed === undefined ? request.seed : params.seed;
  if (seed !== null) body.seed = seed;
  if (params.response_format !== undefined) {
    body.response_format = params.response_format === "json"
      ? { type: "json_object" }
      : params.response_format;
  }
  return body;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}

const count = (v: unknown) => typeof v === "number" && Number.isFinite(v) ? v : undefined;

/**
 * Read a Chat Completions answer into a GenerationOutput (exported for tests and for engines
 * of other OpenAI-compatible providers). Throws `PROVIDER_MALFORMED` when `choices[0].message`
 * has no text, and maps an `error` object sent with a 2xx (some proxies do) like an HTTP error.
 */
export function readOpenAIAnswer(
  json: unknown,
  headers: Headers,
  call: CallInfo,
  wantLogprobs: boolean,
): GenerationOutput {
  const root = asObject(json);
  if (root === undefined) throw malformed(call, "the body is not a JSON object");
  const choices = Array.isArray(root.choices) ? root.choices : undefined;
  const error = asObject(root.error);
  if (choices === undefined && error !== undefined) {
    const status = typeof error.code === "number" ? error.code : 502;
    const known = codeForStatus(status) === "PROVIDER_MALFORMED" ? 502 : status;
    throw httpError(known, JSON.stringify({ error }), headers, call, Date.now());
  }
  const choice = asObject(choices?.[0]);
  const message = asObject(choice?.message);
  if (message === undefined) throw malformed(call, "choices[0].message is missing");
  const refusal = typeof message.refusal === "string" ? message.refusal : undefined;
  if (typeof message.content !== "string" && !(message.content === null && refusal)) {
    throw malformed(call, "choices[0].message.content is not text");
  }
  const usage = asObject(root.usage);
  const meta: JsonObject = {};
  const requestId = headers.get("x-request-id") ?? root.id;
  if (typeof requestId === "string") meta.request_id = requestId;
  if (typeof root.id === "string") meta.response_id = root.id;
  if (typeof root.system_fingerprint === "string") {
    meta.system_fingerprint = root.system_fingerprint;
  }
  if (typeof root.model === "string") meta.model = root.model;
  if (refusal !== undefined) meta.refusal = refusal;
  const logprobs = asObject(choice?.logprobs)?.content;
  if (wantLogprobs && logprobs !== undefined) meta.logprobs = logprobs as Json;
  const prompt = count(usage?.prompt_tokens);
  const completion = count(usage?.completion_tokens);
  return {
    text: typeof message.content === "string" ? message.content : "",
    ...(typeof choice?.finish_reason === "string" ? { finish_reason: choice.finish_reason } : {}),
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
 * The `openai` engine: the Chat Completions API of OpenAI and of every OpenAI-compatible server
 * (vLLM, Ollama, llama.cpp, LM Studio, OpenRouter …), over `fetch` without an SDK. Settings come
 * from `models[].extras` (`base_url`, `model`, `api_key_env`, `headers`, `extra_body`); the key
 * is read through `context.secret` at call time and sent as `Authorization: Bearer …`. One call
 * per candidate; retries and timeouts belong to the scheduler (it aborts `context.signal`).
 *
 * @example
 * ```ts
 * import { openaiEngine } from "./openai.ts";
 * const request = {
 *   model: { model_id: "llama3.1:8b", provider: "openai", extras: { base_url: "http://127.0.0.1:9/v1" } },
 *   messages: [{ role: "user" as const, content: "Hi" }], params: { temperature: 0 }, seed: 1,
 *   trialId: "t", candidateId: "c", sampleIndex: 0, item: { id: "i", payload: {} },
 * };
 * await openaiEngine.generate(request, {}).catch((e) => e.code); // "PROVIDER_NETWORK": nothing listens
 * ```
 */
export const OPENAI_CONNECTION = {
  provider: "openai",
  defaultBaseUrl: "https://api.openai.com/v1",
  defaultKeyEnv: "OPENAI_API_KEY",
};

export const openaiEngine: Engine = {
  id: "openai",
  pluginApi: PLUGIN_API_VERSION,
  capabilities: { jsonOutput: true, logprobs: true, seed: true },
  validateModel(model) {
    checkConnectionExtras(model.extras ?? {}, OPENAI_CONNECTION);
  },
  preflight(model, context) {
    readConnection(preflightRequest(model), context, OPENAI_CONNECTION);
  },
  async generate(request: GenerationRequest, context: EngineContext): Promise<GenerationOutput> {
    const connection = readConnection(request, context, OPENAI_CONNECTION);
    const url = `${connection.baseUrl}/chat/completions`;
    const call: CallInfo = {
      provider: "openai",
      model: connection.model,
      url,
      secrets: connection.apiKey === undefined ? [] : [connection.apiKey],
      keyEnv: connection.keyEnv,
    };
    const body = mergeExtraBody(
      openaiBody(request, connection.model),
      connection.extraBody,
      "openai",
    );
    const headers: Record<string, string> = { ...connection.headers };
    if (connection.apiKey !== undefined) headers.authorization = `Bearer ${connection.apiKey}`;
    const answer = await postJson(url, { call, headers, body, signal: context.signal });
    return readOpenAIAnswer(answer.json, answer.headers, call, request.params.logprobs === true);
  },
};
