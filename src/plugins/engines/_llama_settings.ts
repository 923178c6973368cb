/**
 * The llama_cpp engine's settings, read and checked without loading anything: the model's
 * `extras` (where the GGUF file is, context size, threads, GPU layers, seed) and the inference
 * params (sampling, stop sequences, constrained output). Pure but for {@linkcode modelFile},
 * which looks at the file system.
 */
import { statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, isAbsolute, resolve } from "node:path";
import { closestMatch } from "../../core/closest.ts";
import { ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import type { GenerationRequest, ModelRef } from "../types.ts";
import { checkParams, checks, type ParamCheck } from "./_settings.ts";

const PROVIDER = "llama_cpp";

/** How a model is loaded and run, from `models[].extras`. */
export interface LlamaModelSettings {
  /** `model_path` as the spec gives it. */
  modelPath: string;
  /** The absolute path: `~/` expanded, a relative path resolved against the working folder. */
  resolvedPath: string;
  /** Tokens in the context (prompt + answer); default: min(4096, the model's training context). */
  contextSize?: number;
  /** CPU threads of one call (default 1: the worker pool runs one model per worker thread). */
  threads: number;
  /** Layers offloaded to a GPU (default 0: CPU only). */
  gpuLayers: number;
  /** Overrides the candidate seed for every call of this model. */
  seed?: number;
}

/** The constrained output a call asks for. */
export type LlamaGrammarSpec =
  | { kind: "json" }
  | { kind: "json_schema"; schema: JsonObject }
  | { kind: "gbnf"; text: string };

/** One call's sampling settings, from the inference params. */
export interface LlamaCallSettings {
  temperature: number;
  topP?: number;
  topK?: number;
  minP?: number;
  repeatPenalty?: number;
  maxTokens?: number;
  stop: string[];
  seed: number;
  grammar?: LlamaGrammarSpec;
}

const EXTRAS = ["model_path", "context_size", "threads", "gpu_layers", "seed"];

const seedCheck: ParamCheck = (v) =>
  v === null || (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff)
    ? undefined
    : "an integer from 0 to 4294967295 (or null for the candidate seed)";

const responseFormat: ParamCheck = (v) => {
  if (v === "json") return undefined;
  const table = v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined;
  if (table?.type === "json_object") return undefined;
  const inner = table?.json_schema;
  const schema = inner !== null && typeof inner === "object" && !Array.isArray(inner)
    ? inner.schema
    : undefined;
  if (
    table?.type === "json_schema" && schema !== null && typeof schema === "object" &&
    !Array.isArray(schema)
  ) return undefined;
  return `"json", {type = "json_object"} or {type = "json_schema", json_schema = {schema = {…}}}`;
};

/** The inference params the llama_cpp engine reads, and how each is checked. */
export const LLAMA_CPP_PARAMS: Record<string, ParamCheck> = {
  temperature: (v) =>
    typeof v === "number" && v >= 0 && Number.isFinite(v) ? undefined : "a number ≥ 0",
  top_p: (v) => typeof v === "number" && v > 0 && v <= 1 ? undefined : "a number in (0, 1]",
  top_k: (v) => Number.isInteger(v) && (v as number) >= 0 ? undefined : "an integer ≥ 0",
  min_p: (v) => typeof v === "number" && v >= 0 && v <= 1 ? undefined : "a number in [0, 1]",
  repeat_penalty: (v) => typeof v === "number" && v > 0 ? undefined : "a number > 0",
  max_tokens: checks.positiveInteger,
  stop: checks.stop,
  seed: seedCheck,
  response_format: responseFormat,
  grammar: checks.string,
  n: checks.n,
};

function bad(message: string, path: string): ThemisError {
  return new ThemisError("PROVIDER_BAD_REQUEST", `${PROVIDER}: ${message}`, {
    provider: PROVIDER,
    path,
  });
}

function positiveInteger(extras: JsonObject, key: string, min: number): number | undefined {
  const value = extras[key];
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < min) {
    throw bad(
      `models[].extras.${key} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`,
      `extras.${key}`,
    );
  }
  return value as number;
}

/**
 * Read and check `models[].extras`: `model_path` (required), `context_size`, `threads`,
 * `gpu_layers`, `seed`. Unknown keys are refused with the closest name. A relative
 * `model_path` is resolved against the current working folder (the folder themis runs in),
 * `~/` against the home folder. Throws `PROVIDER_BAD_REQUEST`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readModelSettings } from "./_llama_settings.ts";
 * const settings = readModelSettings({
 *   model_id: "tiny", provider: "llama_cpp", extras: { model_path: "/models/tiny.gguf" },
 * });
 * assert.ok(settings.resolvedPath === "/models/tiny.gguf" && settings.gpuLayers === 0);
 * ```
 */
export function readModelSettings(model: ModelRef, cwd = Deno.cwd()): LlamaModelSettings {
  const extras = model.extras ?? {};
  const unknown = Object.keys(extras).filter((k) => !EXTRAS.includes(k));
  if (unknown.length > 0) {
    const guess = closestMatch(unknown[0], EXTRAS);
    throw bad(
      `unknown models[].extras ${unknown.map((k) => `"${k}"`).join(", ")}` +
        (guess ? ` (did you mean "${guess}"?)` : "") + `; supported: ${EXTRAS.join(", ")}`,
      "extras",
    );
  }
  const modelPath = extras.model_path;
  if (typeof modelPath !== "string" || modelPath === "") {
    throw bad(
      `models[].extras.model_path must name a GGUF model file (an absolute path, or one ` +
        `relative to the folder themis runs in), got ${JSON.stringify(modelPath ?? null)}`,
      "extras.model_path",
    );
  }
  const expanded = modelPath.startsWith("~/") ? `${homedir()}${modelPath.slice(1)}` : modelPath;
  const seed = extras.seed;
  if (seed !== undefined && seedCheck(seed) !== undefined) {
    throw bad(`models[].extras.seed must be ${seedCheck(seed)}`, "extras.seed");
  }
  const contextSize = positiveInteger(extras, "context_size", 16);
  return {
    modelPath,
    resolvedPath: isAbsolute(expanded) ? expanded : resolve(cwd, expanded),
    ...(contextSize === undefined ? {} : { contextSize }),
    threads: positiveInteger(extras, "threads", 1) ?? 1,
    gpuLayers: positiveInteger(extras, "gpu_layers", 0) ?? 0,
    ...(typeof seed === "number" ? { seed } : {}),
  };
}

/**
 * The model file's identity for caching (path, size, modification time), or
 * `PROVIDER_NOT_FOUND` naming the path when there is no such file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelFile } from "./_llama_settings.ts";
 * try {
 *   modelFile({ modelPath: "nope.gguf", resolvedPath: "/nope.gguf", threads: 1, gpuLayers: 0 });
 * } catch (e) {
 *   assert.equal((e as { code: string }).code, "PROVIDER_NOT_FOUND");
 * }
 * ```
 */
export function modelFile(settings: LlamaModelSettings): string {
  const { modelPath, resolvedPath } = settings;
  let stat;
  try {
    stat = statSync(resolvedPath);
  } catch {
    const where = modelPath === resolvedPath ? "" : ` (resolved to ${resolvedPath})`;
    throw new ThemisError(
      "PROVIDER_NOT_FOUND",
      `${PROVIDER}: the model file "${modelPath}"${where} does not exist; set ` +
        `models[].extras.model_path to a GGUF file (absolute, or relative to the folder themis ` +
        `runs in)`,
      { provider: PROVIDER, path: resolvedPath },
    );
  }
  if (!stat.isFile()) {
    throw bad(`models[].extras.model_path "${modelPath}" is not a file`, "extras.model_path");
  }
  return `${resolvedPath}|${stat.size}|${stat.mtimeMs}`;
}

function grammarOf(params: JsonObject): LlamaGrammarSpec | undefined {
  const format = params.response_format as Json | undefined;
  if (format !== undefined && params.grammar !== undefined) {
    throw bad("set either the inference param response_format or grammar, not both", "params");
  }
  if (typeof params.grammar === "string") return { kind: "gbnf", text: params.grammar };
  if (format === undefined) return undefined;
  if (format === "json" || (format as JsonObject).type === "json_object") return { kind: "json" };
  const schema = ((format as JsonObject).json_schema as JsonObject).schema as JsonObject;
  return { kind: "json_schema", schema };
}

/**
 * Read and check one call's inference params: every unknown name and wrong value is listed
 * in one `PROVIDER_BAD_REQUEST`. The seed is `params.seed`, else `extras.seed`, else the
 * candidate seed; temperature defaults to 0 (greedy).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCallSettings } from "./_llama_settings.ts";
 * const call = readCallSettings({ temperature: 0.7, stop: "\n", response_format: "json" }, 42);
 * assert.ok(call.seed === 42 && call.stop[0] === "\n" && call.grammar?.kind === "json");
 * ```
 */
export function readCallSettings(
  params: JsonObject,
  seed: number,
  modelSeed?: number,
): LlamaCallSettings {
  checkParams(params, LLAMA_CPP_PARAMS, PROVIDER);
  const number = (key: string) => params[key] as number | undefined;
  const stop = params.stop === undefined ? [] : [params.stop].flat() as string[];
  if (stop.some((s) => s === "")) throw bad("a stop sequence must not be empty", "params.stop");
  const grammar = grammarOf(params);
  return {
    temperature: number("temperature") ?? 0,
    ...(number("top_p") === undefined ? {} : { topP: number("top_p") }),
    ...(number("top_k") === undefined ? {} : { topK: number("top_k") }),
    ...(number("min_p") === undefined ? {} : { minP: number("min_p") }),
    ...(number("repeat_penalty") === undefined ? {} : { repeatPenalty: number("repeat_penalty") }),
    ...(number("max_tokens") === undefined ? {} : { maxTokens: number("max_tokens") }),
    stop,
    seed: (params.seed ?? modelSeed ?? seed) as number,
    ...(grammar === undefined ? {} : { grammar }),
  };
}

/**
 * The chat history node-llama-cpp takes, from the rendered messages (an assistant message
 * last is continued, not answered).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chatHistory } from "./_llama_settings.ts";
 * const history = chatHistory([{ role: "user", content: "Hi" }]);
 * assert.equal(history[0].type, "user");
 * ```
 */
export function chatHistory(messages: GenerationRequest["messages"]) {
  if (messages.length === 0) throw bad("the prompt has no messages", "messages");
  return messages.map((m) =>
    m.role === "assistant"
      ? { type: "model" as const, response: [m.content] }
      : { type: m.role, text: m.content }
  );
}

/**
 * The OpenAI-style finish reason for node-llama-cpp's stop reason: `stop` for an end-of-text
 * token, a stop sequence or a completed grammar; `length` for the token limit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { finishReason } from "./_llama_settings.ts";
 * assert.ok(finishReason("maxTokens") === "length" && finishReason("eogToken") === "stop");
 * ```
 */
export function finishReason(stopReason: string): string {
  return stopReason === "maxTokens" ? "length" : "stop";
}

/** The file name shown in `meta.model` and in messages. */
export const modelName = (settings: LlamaModelSettings): string => basename(settings.resolvedPath);
