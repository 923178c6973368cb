import type { Json, JsonObject } from "../core/json.ts";

/** Version of the plugin contract; a plugin declaring another major version is rejected. */
export const PLUGIN_API_VERSION = 1;

/** One chat message as rendered for an engine. */
export interface ChatMessage {
  /** Who speaks. */
  role: "system" | "user" | "assistant";
  /** The text, placeholders filled in. */
  content: string;
}

/** The result of one extractor on one text. */
export type ExtractResult =
  | { ok: true; answer: Json }
  | { ok: false; error: string };

/**
 * An extractor turns a candidate's text into an answer. Pure: no I/O, no clock, no randomness.
 * `config` is the extractor's table from the spec (already validated by `configSchema` when
 * the extractor declares one).
 */
export interface Extractor {
  /** The id a parse's `extractors` name. */
  id: string;
  /** The plugin API it was written for (default: the current {@linkcode PLUGIN_API_VERSION}). */
  pluginApi?: number;
  /** Documentation for `docs/metrics.md`. */
  doc?: PluginDoc;
  /** Throws a ThemisError("SPEC_INVALID") with a clear message when the config is unusable. */
  validateConfig?(config: JsonObject): void;
  /** The answer in `text`, or why there is none. */
  extract(text: string, config: JsonObject): ExtractResult;
}

/** What a metric sees for one candidate. */
export interface MetricInput {
  /** The parse's answer when the score reads a parse, else the raw candidate text. */
  prediction: Json;
  /** The raw candidate text, always. */
  text: string;
  /** The dataset item's payload. */
  item: JsonObject;
  /**
   * The reference answer: `item[config.reference ?? "answer"]`; `undefined` when the item has
   * no such field. An array means "any of these is accepted" for metrics that compare answers.
   */
  reference: Json | undefined;
}

/** A metric's result: a finite number, plus details kept with the score event. */
export interface MetricResult {
  /** The value (finite). */
  value: number;
  /** What the metric saw and decided (prediction, reference, judge verdict, …). */
  details?: JsonObject;
}

/**
 * The values a metric can produce. Statistics follow from it: a `binary` metric (only 0 and 1)
 * gets proportion intervals (Wilson by default), a bounded one gets intervals clipped to
 * [min, max], and `min` is the failing value an invalid answer scores. `null` = no bound.
 */
export interface MetricRange {
  /** The lowest value (the failing value an invalid answer scores), or null. */
  min: number | null;
  /** The highest value, or null. */
  max: number | null;
  /** Every value is exactly 0 or 1 (then min = 0 and max = 1). */
  binary?: boolean;
}

/** What `docs/metrics.md` says about a plugin: generated from these fields, never by hand. */
export interface PluginDoc {
  /** One or two sentences: what the plugin computes. */
  summary: string;
  /** Every config key with its meaning and default, in the order a user meets them. */
  config?: Record<string, string>;
  /** A spec snippet (TOML) using the plugin. */
  example: string;
}

/** A metric scores one candidate. Pure: no I/O, no clock, no randomness. */
export interface Metric {
  /** The id a score's `metrics` name. */
  id: string;
  /** The plugin API it was written for (default: the current {@linkcode PLUGIN_API_VERSION}). */
  pluginApi?: number;
  /** True when the metric needs a reference answer on the item. */
  needsReference?: boolean;
  /**
   * The values the metric produces. Undeclared = unbounded (`{ min: null, max: null }`):
   * intervals are not clipped and an invalid answer scores 0.
   */
  range?: MetricRange;
  /** The range for a given config, when it depends on it (a judge's verdict scale). */
  rangeFor?(config: JsonObject): MetricRange;
  /** Documentation for `docs/metrics.md`. */
  doc?: PluginDoc;
  /** Throws a ThemisError("SPEC_INVALID") with a clear message when the config is unusable. */
  validateConfig?(config: JsonObject): void;
  /** The value for one candidate. */
  score(input: MetricInput, config: JsonObject): MetricResult;
  /**
   * Metrics that call a model (judges) implement this instead of `score`: it may await
   * `context.judge(...)`, which runs an engine and records the call.
   */
  evaluate?(input: MetricInput, config: JsonObject, context: MetricContext): Promise<MetricResult>;
}

/** One call of a model as a judge. */
export interface JudgeRequest {
  /** The judge model. */
  model: ModelRef;
  /** The judge's prompt. */
  messages: ChatMessage[];
  /** Inference parameters. */
  params: JsonObject;
}

/** A judge's answer; `cached` when an identical call's answer was found in the store. */
export interface JudgeOutput {
  /** The judge's answer. */
  text: string;
  /** Its token usage, when reported. */
  usage?: TokenUsage;
  /** True when the answer came from the store rather than a new call. */
  cached: boolean;
}

/** What an evaluating metric may use. */
export interface MetricContext {
  /** Call a model as a judge; the call is recorded with the score and reused on reruns. */
  judge(request: JudgeRequest): Promise<JudgeOutput>;
}

/** The model as the spec names it. */
export interface ModelRef {
  /** The model's id in the spec. */
  model_id: string;
  /** The engine that runs it. */
  provider: string;
  /** Engine settings (model name, base URL, …); never secrets. */
  extras: JsonObject;
}

/** Everything an engine gets for one candidate. */
export interface GenerationRequest {
  /** The model. */
  model: ModelRef;
  /** The rendered prompt. */
  messages: ChatMessage[];
  /** Inference parameters (temperature, max_tokens, …). */
  params: JsonObject;
  /** Derived from the global seed and the candidate id (DESIGN §2). */
  seed: number;
  /** The trial. */
  trialId: string;
  /** The candidate (trial + sample index). */
  candidateId: string;
  /** The sample index, 0 … `num_samples` − 1. */
  sampleIndex: number;
  /** The dataset item. */
  item: { id: string; payload: JsonObject };
}

/** Tokens a call used, as the provider reports them. */
export interface TokenUsage {
  /** Prompt tokens. */
  prompt_tokens?: number;
  /** Completion tokens. */
  completion_tokens?: number;
}

/** What an engine returns for one candidate. */
export interface GenerationOutput {
  /** The generated text. */
  text: string;
  /** Why generation stopped (`stop`, `length`, …). */
  finish_reason?: string;
  /** Token usage, when reported. */
  usage?: TokenUsage;
  /** Provider-side facts worth keeping (request id, fingerprint …), never secrets. */
  meta?: JsonObject;
}

/** What an engine can do; checked at planning time against what the spec asks for. */
export interface EngineCapabilities {
  /** It can constrain output to JSON (`response_format`). */
  jsonOutput?: boolean;
  /** It can return token log-probabilities. */
  logprobs?: boolean;
  /** It honours a seed. */
  seed?: boolean;
}

/** Per-call context handed to an engine: cancellation and runtime values (secrets, env). */
export interface EngineContext {
  /** Aborted when the attempt times out or the run is cancelled. */
  signal?: AbortSignal;
  /** Runtime values that are never hashed or stored (API keys, environment). */
  runtime?: Record<string, string>;
  /**
   * A secret by environment variable name, read at call time (the run's `runtime` first, then
   * the process environment of the worker). Never log, store or echo what it returns.
   */
  secret?: (name: string) => string | undefined;
}

/** An engine answers generation requests for one provider name. */
export interface Engine {
  /** The `provider` name models use. */
  id: string;
  /** The plugin API it was written for (default: the current {@linkcode PLUGIN_API_VERSION}). */
  pluginApi?: number;
  /** What it can do (checked at planning time). */
  capabilities?: EngineCapabilities;
  /** Answer one request; throw a ThemisError with a `PROVIDER_*` code on failure. */
  generate(request: GenerationRequest, context: EngineContext): Promise<GenerationOutput>;
  /**
   * Check a model's settings (`extras`) without secrets or I/O; `themis validate` and planning
   * call it, so a typo such as `base_ulr` fails before any run. Throws a ThemisError.
   */
  validateModel?(model: ModelRef): void;
  /**
   * Check a model's settings and secrets before any call (a missing API key fails here,
   * naming the variable, rather than on every candidate). Throws a ThemisError.
   */
  preflight?(model: ModelRef, context: EngineContext): void;
}

/** What a hook may see and change around one stage of one candidate. */
export interface HookContext {
  /** The hook's settings from the spec. */
  config: JsonObject;
  /** The candidate. */
  candidateId: string;
  /** Its trial. */
  trialId: string;
}

/**
 * Ordered pre/post hooks around inference, extraction and evaluation. Each returns the
 * (possibly changed) value it was given. Hooks run where the stage runs (a worker or inline).
 */
export interface Hook {
  /** The id a spec's `hooks` name. */
  id: string;
  /** The plugin API it was written for (default: the current {@linkcode PLUGIN_API_VERSION}). */
  pluginApi?: number;
  /** Change a request before the engine sees it. */
  preInference?(request: GenerationRequest, context: HookContext): GenerationRequest;
  /** Change an engine's output before it is recorded. */
  postInference?(output: GenerationOutput, context: HookContext): GenerationOutput;
  /** Change the text before extractors see it. */
  preExtraction?(text: string, context: HookContext): string;
  /** Change a parse's answer before it is recorded. */
  postExtraction?(answer: Json, context: HookContext): Json;
  /** Change what a metric sees. */
  preEvaluation?(input: MetricInput, context: HookContext): MetricInput;
  /** Change a metric's result before it is recorded. */
  postEvaluation?(result: MetricResult, context: HookContext): MetricResult;
}

/**
 * A plugin module: a TypeScript/JavaScript file whose default export (or `plugins` export)
 * lists the plugins it provides. Referenced from a spec by path, loaded in every worker.
 *
 * @example A metric plugin: the answer's length in words
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Metric, PluginModule } from "./types.ts";
 *
 * const words: Metric = {
 *   id: "word_count",
 *   range: { min: 0, max: null },
 *   score: ({ text }) => ({ value: text.split(/\s+/).filter(Boolean).length }),
 * };
 * const plugins: PluginModule = { metrics: [words] };
 * const input = { prediction: "", text: "four score and seven", item: {}, reference: undefined };
 * assert.deepEqual(plugins.metrics![0].score(input, {}), { value: 4 });
 * ```
 */
export interface PluginModule {
  /** Engines, by the `provider` name models use. */
  engines?: Engine[];
  /** Extractors for parses. */
  extractors?: Extractor[];
  /** Metrics for scores. */
  metrics?: Metric[];
  /** Hooks around the stages. */
  hooks?: Hook[];
}
