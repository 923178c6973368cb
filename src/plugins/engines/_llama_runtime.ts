// node-llama-cpp is pinned here, not in deno.json: see docs/design/dependencies.md.
// deno-lint-ignore-file no-import-prefix
/**
 * The llama_cpp engine's loaded state, one per thread (each pool worker has its own):
 * node-llama-cpp imported lazily on first use, models loaded once per file and GPU setting,
 * one context and chat per (model, context size, threads), and a lock so one context runs one
 * generation at a time. The only module that imports node-llama-cpp (DESIGN §4).
 */
import type {
  Llama,
  LlamaChat,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
} from "npm:node-llama-cpp@3.21.1";
import { errorMessage, isThemisError, ThemisError } from "../../core/errors.ts";
import type { LlamaGrammarSpec, LlamaModelSettings } from "./_llama_settings.ts";
import { modelName } from "./_llama_settings.ts";

const PROVIDER = "llama_cpp";
const DEFAULT_CONTEXT = 4096;
const LOG_LINES = 20;

/** One loaded model with its context, ready to generate (used one call at a time). */
export interface LlamaSession {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  chat: LlamaChat;
  contextSize: number;
  /** Runs one generation at a time on this context. */
  lock: Lock;
}

/**
 * A FIFO lock: `run` waits for every earlier holder; a waiter whose signal aborts gives up
 * its turn without running.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Lock } from "./_llama_runtime.ts";
 * const lock = new Lock();
 * const order: number[] = [];
 * await Promise.all([1, 2].map((n) => lock.run(async () => { order.push(n); })));
 * assert.equal(order.join(), "1,2");
 * ```
 */
export class Lock {
  #tail: Promise<void> = Promise.resolve();

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const previous = this.#tail;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.#tail = previous.then(() => mine);
    try {
      await untilAborted(previous, signal);
      return await fn();
    } finally {
      release();
    }
  }
}

/**
 * `promise`, or a rejection with the signal's reason as soon as the signal aborts (the work
 * behind the promise goes on).
 *
 * @example
 * ```ts
 * import { untilAborted } from "./_llama_runtime.ts";
 * const never = new Promise(() => {});
 * await untilAborted(never, AbortSignal.timeout(10)).catch((e) => e.name); // "TimeoutError"
 * ```
 */
export function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

// llama.cpp's own log lines, kept to explain an error (a grammar's parse error is only there).
const log: string[] = [];
let logged = 0;

/**
 * The llama.cpp log lines written since `mark` (a value of {@linkcode logMark}), to explain
 * an error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logMark, logSince } from "./_llama_runtime.ts";
 * assert.equal(logSince(logMark()).length, 0);
 * ```
 */
export function logSince(mark: number): string[] {
  return log.slice(Math.max(0, log.length - (logged - mark)));
}

/** A mark for {@linkcode logSince}. */
export const logMark = (): number => logged;

function keepLog(_level: string, message: string): void {
  for (const line of message.split("\n")) {
    if (line.trim() === "") continue;
    log.push(line.trim());
    logged++;
  }
  if (log.length > LOG_LINES) log.splice(0, log.length - LOG_LINES);
}

type NodeLlamaCpp = typeof import("npm:node-llama-cpp@3.21.1");

/**
 * The package, pinned. Deliberately not in deno.json: with `nodeModulesDir: "auto"` every
 * package there is installed up front, and node-llama-cpp brings ~700 MB of optional GPU
 * builds. Built at run time so no run without a llama_cpp model downloads or loads it.
 */
export const NODE_LLAMA_CPP = ["npm:node-llama-cpp", "3.21.1"].join("@");
let imported: Promise<NodeLlamaCpp> | undefined;
const llamas = new Map<string, Promise<Llama>>();
const models = new Map<string, Promise<LlamaModel>>();
const sessions = new Map<string, Promise<LlamaSession>>();
const grammars = new Map<string, Promise<LlamaGrammar>>();

function unavailable(what: string, error: unknown): ThemisError {
  return new ThemisError(
    "PROVIDER_UNAVAILABLE",
    `${PROVIDER}: ${what}: ${errorMessage(error)} (node-llama-cpp 3.21.1 ships prebuilt CPU ` +
      `binaries for linux, macOS and Windows on x64 and arm64)`,
    { provider: PROVIDER },
    error,
  );
}

/**
 * node-llama-cpp, imported on first use so runs without a llama_cpp model never load it.
 *
 * @example
 * ```ts ignore
 * import { nodeLlamaCpp } from "./_llama_runtime.ts";
 * const { LlamaLogLevel } = await nodeLlamaCpp();
 * ```
 */
export function nodeLlamaCpp(): Promise<NodeLlamaCpp> {
  imported ??= (import(NODE_LLAMA_CPP) as Promise<NodeLlamaCpp>).catch((error) => {
    imported = undefined;
    throw unavailable("cannot load node-llama-cpp", error);
  });
  return imported;
}

function cached<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>) {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
    // A failed load is tried again by the next call rather than remembered.
    value.catch(() => map.get(key) === value && map.delete(key));
  }
  return value;
}

function getLlamaFor(gpuLayers: number): Promise<Llama> {
  const gpu = gpuLayers > 0 ? "auto" : false;
  return cached(llamas, String(gpu), async () => {
    const { getLlama, LlamaLogLevel } = await nodeLlamaCpp();
    try {
      // build "never": use the prebuilt binary or fail, never compile; maxThreads 0: a
      // context uses exactly the threads it asks for.
      return await getLlama({
        gpu,
        build: "never",
        maxThreads: 0,
        logLevel: LlamaLogLevel.warn,
        logger: keepLog,
        progressLogs: false,
      });
    } catch (error) {
      throw unavailable("cannot start llama.cpp", error);
    }
  });
}

function loadModel(settings: LlamaModelSettings, fileKey: string): Promise<LlamaModel> {
  return cached(models, `${fileKey}|${settings.gpuLayers}`, async () => {
    const llama = await getLlamaFor(settings.gpuLayers);
    const mark = logMark();
    try {
      return await llama.loadModel({
        modelPath: settings.resolvedPath,
        gpuLayers: settings.gpuLayers,
      });
    } catch (error) {
      throw new ThemisError(
        "PROVIDER_BAD_REQUEST",
        `${PROVIDER}: cannot load "${settings.modelPath}" as a GGUF model: ` +
          [errorMessage(error), ...logSince(mark)].join("; "),
        { provider: PROVIDER, path: settings.resolvedPath },
        error,
      );
    }
  });
}

/**
 * The session for a model file (`fileKey` from `modelFile()`), loading the model and creating
 * its context on first use. Errors are ThemisErrors: `PROVIDER_BAD_REQUEST` for a file that is
 * not a loadable model or a context that does not fit, `PROVIDER_UNAVAILABLE` when
 * node-llama-cpp cannot run here.
 *
 * @example
 * ```ts ignore
 * import { openSession } from "./_llama_runtime.ts";
 * import { modelFile, readModelSettings } from "./_llama_settings.ts";
 * const settings = readModelSettings({ model_id: "m", provider: "llama_cpp",
 *   extras: { model_path: "models/tiny-llama.gguf" } });
 * const session = await openSession(settings, modelFile(settings));
 * await session.lock.run(async () => session.model.tokenize("Hi").length);
 * ```
 */
export function openSession(settings: LlamaModelSettings, fileKey: string): Promise<LlamaSession> {
  const key = `${fileKey}|${settings.gpuLayers}|${settings.contextSize}|${settings.threads}`;
  return cached(sessions, key, async () => {
    const model = await loadModel(settings, fileKey);
    const { LlamaChat } = await nodeLlamaCpp();
    const contextSize = settings.contextSize ?? Math.min(DEFAULT_CONTEXT, model.trainContextSize);
    let context: LlamaContext;
    try {
      context = await model.createContext({
        contextSize,
        threads: settings.threads,
        sequences: 1,
      });
    } catch (error) {
      throw new ThemisError(
        "PROVIDER_BAD_REQUEST",
        `${PROVIDER}: cannot create a context of ${contextSize} tokens for ` +
          `"${modelName(settings)}": ${errorMessage(error)}; lower models[].extras.context_size`,
        { provider: PROVIDER, path: "extras.context_size" },
        error,
      );
    }
    const sequence = context.getSequence();
    const chat = new LlamaChat({ contextSequence: sequence });
    return {
      llama: model.llama,
      model,
      context,
      sequence,
      chat,
      contextSize: context.contextSize,
      lock: new Lock(),
    };
  });
}

/**
 * The grammar for a constrained call, created once per grammar. An unusable grammar or schema
 * is `PROVIDER_BAD_REQUEST`, with llama.cpp's parse error.
 *
 * @example
 * ```ts ignore
 * import { grammarFor } from "./_llama_runtime.ts";
 * const grammar = await grammarFor(session.llama, { kind: "gbnf", text: 'root ::= "yes" | "no"' });
 * ```
 */
export function grammarFor(llama: Llama, spec: LlamaGrammarSpec): Promise<LlamaGrammar> {
  const key = JSON.stringify(spec);
  return cached(grammars, key, async () => {
    const mark = logMark();
    try {
      if (spec.kind === "json") return await llama.getGrammarFor("json");
      if (spec.kind === "gbnf") return await llama.createGrammar({ grammar: spec.text });
      // deno-lint-ignore no-explicit-any
      return await llama.createGrammarForJsonSchema(spec.schema as any);
    } catch (error) {
      if (isThemisError(error)) throw error;
      const what = spec.kind === "gbnf" ? "the grammar (GBNF)" : "the JSON schema";
      throw new ThemisError(
        "PROVIDER_BAD_REQUEST",
        `${PROVIDER}: ${what} cannot be used: ` +
          [errorMessage(error), ...logSince(mark)].join("; "),
        {
          provider: PROVIDER,
          path: spec.kind === "gbnf" ? "params.grammar" : "params.response_format",
        },
        error,
      );
    }
  });
}

/**
 * Dispose every context, model and llama.cpp instance of this thread (node-llama-cpp also
 * disposes them before the process exits). The next call loads again.
 *
 * @example
 * ```ts
 * import { disposeLlamaCpp } from "./_llama_runtime.ts";
 * await disposeLlamaCpp();
 * ```
 */
export async function disposeLlamaCpp(): Promise<void> {
  const all = [...sessions.values(), ...models.values(), ...llamas.values()];
  sessions.clear();
  models.clear();
  llamas.clear();
  grammars.clear();
  for (const pending of all) {
    const value = await pending.catch(() => undefined);
    if (value === undefined) continue;
    if ("lock" in value) await value.context.dispose();
    else await value.dispose();
  }
}
