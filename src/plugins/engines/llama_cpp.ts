import { errorMessage, isThemisError, ThemisError } from "../../core/errors.ts";
import type { JsonObject } from "../../core/json.ts";
import {
  type Engine,
  type EngineContext,
  type GenerationOutput,
  type GenerationRequest,
  PLUGIN_API_VERSION,
} from "../types.ts";
import { abortError, type CallInfo } from "./_http.ts";
import {
  chatHistory,
  finishReason,
  type LlamaCallSettings,
  modelFile,
  modelName,
  readCallSettings,
  readModelSettings,
} from "./_llama_settings.ts";
import {
  grammarFor,
  type LlamaSession,
  logMark,
  logSince,
  openSession,
  untilAborted,
} from "./_llama_runtime.ts";

export { disposeLlamaCpp } from "./_llama_runtime.ts";

const PROVIDER = "llama_cpp";

type History = ReturnType<typeof chatHistory>;

// Every call starts from an empty context: reusing a previous call's tokens would make an
// answer depend on which call ran before it on this worker.
async function promptTokens(session: LlamaSession, history: History): Promise<number> {
  await session.sequence.clearHistory();
  const chatHistory = history.at(-1)?.type === "model"
    ? history
    : [...history, { type: "model" as const, response: [] }];
  const { contextText } = session.chat.chatWrapper.generateContextState({ chatHistory });
  return contextText.tokenize(session.model.tokenizer).length;
}

async function complete(
  session: LlamaSession,
  history: History,
  call: LlamaCallSettings,
  signal: AbortSignal | undefined,
): Promise<GenerationOutput> {
  const prompt = await promptTokens(session, history);
  const room = session.contextSize - prompt;
  if (room < 1) {
    throw new ThemisError(
      "PROVIDER_BAD_REQUEST",
      `${PROVIDER}: the prompt has ${prompt} tokens and the context holds ` +
        `${session.contextSize}; raise models[].extras.context_size or shorten the prompt`,
      { provider: PROVIDER, path: "extras.context_size" },
    );
  }
  const grammar = call.grammar && await grammarFor(session.llama, call.grammar);
  const before = session.sequence.tokenMeter.getState();
  const result = await session.chat.generateResponse(history, {
    signal,
    maxTokens: Math.min(call.maxTokens ?? room, room),
    temperature: call.temperature,
    seed: call.seed,
    ...(call.topP === undefined ? {} : { topP: call.topP }),
    ...(call.topK === undefined ? {} : { topK: call.topK }),
    ...(call.minP === undefined ? {} : { minP: call.minP }),
    repeatPenalty: call.repeatPenalty === undefined ? false : { penalty: call.repeatPenalty },
    ...(call.stop.length === 0 ? {} : { customStopTriggers: call.stop }),
    ...(grammar ? { grammar } : {}),
  });
  const used = session.sequence.tokenMeter.diff(before);
  return {
    text: result.response,
    finish_reason: finishReason(result.metadata.stopReason),
    usage: { prompt_tokens: used.usedInputTokens, completion_tokens: used.usedOutputTokens },
    meta: {
      stop_reason: result.metadata.stopReason,
      context_size: session.contextSize,
      chat_wrapper: session.chat.chatWrapper.wrapperName,
      seed: call.seed,
    },
  };
}

function failed(error: unknown, info: CallInfo, mark: number, signal?: AbortSignal): ThemisError {
  if (signal?.aborted) return abortError(signal, info);
  if (isThemisError(error)) return error;
  return new ThemisError(
    "PLUGIN_ERROR",
    `${PROVIDER} model "${info.model}": generation failed: ` +
      [errorMessage(error), ...logSince(mark)].join("; "),
    { provider: PROVIDER },
    error,
  );
}

/**
 * The `llama_cpp` engine: runs a GGUF model in-process on the CPU (or a GPU with
 * `gpu_layers`) through node-llama-cpp, with no server and no network. Settings come from
 * `models[].extras`: `model_path` (required; absolute, or relative to the folder themis runs
 * in), `context_size`, `threads` (default 1), `gpu_layers` (default 0) and `seed` (default: the
 * candidate seed). Params: `temperature` (default 0, greedy), `top_p`, `top_k`, `min_p`,
 * `repeat_penalty`, `max_tokens`, `stop`, `seed`, and constrained output with
 * `response_format` (`"json"` or a `json_schema`) or a GBNF `grammar`. node-llama-cpp is
 * imported on the first call; each worker thread loads a model once and runs one generation
 * at a time on it, from an empty context, so an answer never depends on the calls before it.
 * `usage` counts the model's own tokens; `meta.model` is the file's name.
 *
 * @example
 * ```ts
 * import { llamaCppEngine } from "./llama_cpp.ts";
 * const request = {
 *   model: { model_id: "tiny", provider: "llama_cpp", extras: { model_path: "missing.gguf" } },
 *   messages: [{ role: "user" as const, content: "Hi" }], params: { temperature: 0 }, seed: 1,
 *   trialId: "t", candidateId: "c", sampleIndex: 0, item: { id: "i", payload: {} },
 * };
 * await llamaCppEngine.generate(request, {}).catch((e) => e.code); // "PROVIDER_NOT_FOUND"
 * ```
 */
export const llamaCppEngine: Engine = {
  id: PROVIDER,
  pluginApi: PLUGIN_API_VERSION,
  capabilities: { jsonOutput: true, logprobs: false, seed: true },
  validateModel(model) {
    readModelSettings(model);
  },
  preflight(model) {
    modelFile(readModelSettings(model));
  },
  async generate(request: GenerationRequest, context: EngineContext): Promise<GenerationOutput> {
    const settings = readModelSettings(request.model);
    const call = readCallSettings(request.params, request.seed, settings.seed);
    const history = chatHistory(request.messages);
    const fileKey = modelFile(settings);
    const info: CallInfo = {
      provider: PROVIDER,
      model: modelName(settings),
      url: settings.resolvedPath,
      secrets: [],
    };
    const { signal } = context;
    if (signal?.aborted) throw abortError(signal, info);
    const mark = logMark();
    try {
      // Loading a model is not abortable; a call gives up waiting and the load goes on.
      const session = await untilAborted(openSession(settings, fileKey), signal);
      const output = await session.lock.run(() => complete(session, history, call, signal), signal);
      const meta: JsonObject = { model: info.model, ...output.meta, threads: settings.threads };
      return { ...output, meta };
    } catch (error) {
      throw failed(error, info, mark, signal);
    }
  },
};
