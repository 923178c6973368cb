import type { Json, JsonObject } from "../core/json.ts";

/** Version of the plugin contract; a plugin declaring another major version is rejected. */
export const PLUGIN_API_VERSION = 1;

/** One chat message as rendered for an engine. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
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
  id: string;
  pluginApi?: number;
  /** Documentation for `docs/metrics.md`. */
  doc?: PluginDoc;
  /** Throws a ThemisError("SPEC_INVALID") with a clear message when the config is unusable. */
  validateConfig?(config: JsonObject): void;
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
  value: number;
  details?: JsonObject;
}

/**
 * The values a metric can produce. Statistics follow from it: a `binary` metric (only 0 and 1)
 * gets proportion intervals (Wilson by default), a bounded one gets intervals clipped to
 * [min, max], and `min` is the failing value an invalid answer scores. `null` = no bound.
 */
export interface MetricRange {
  min: number | null;
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
  id: string;
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
  validateConfig?(config: JsonObject): void;
  score(input: MetricInput, config: JsonObject): MetricResult;
  /**
   * Metrics that call a model (judges) implement this instead of `score`: it may await
   * `context.judge(...)`, which runs an engine and records the call.
   */
  evaluate?(input: MetricInput, config: JsonObject, context: MetricContext): Promise<MetricResult>;
}

/** One call of a model as a judge. */
export interface JudgeRequest {
  model: ModelRef;
  messages: ChatMessage[];
  params: JsonObject;
}

/** A judge's answer; `cached` when an identical call's answer was found in the store. */
export interface JudgeOutput {
  text: string;
  usage?: TokenUsage;
  cached: boolean;
}

/** What an evaluating metric may use. */
export interface MetricContext {
  judge(request: JudgeRequest): Promise<JudgeOutput>;
}

/** The model as the spec names it. */
export interface ModelRef {
  model_id: string;
  provider: string;
  extras: JsonObject;
}

/** Everything an engine gets for one candidate. */
export interface GenerationRequest {
  model: ModelRef;
  messages: ChatMessage[];
  params: JsonObject;
  /** Derived from the global seed and the candidate id (DESIGN §2). */
  seed: number;
  trialId: string;
  candidateId: string;
  sampleIndex: number;
  item: { id: string; payload: JsonObject };
}

export interface TokenUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

/** What an engine returns for one candidate. */
export interface GenerationOutput {
  text: string;
  finish_reason?: string;
  usage?: TokenUsage;
  /** Provider-side facts worth keeping (request id, fingerprint …), never secrets. */
  meta?: JsonObject;
}

/** What an engine can do; checked at planning time against what the spec asks for. */
export interface EngineCapabilities {
  jsonOutput?: boolean;
  logprobs?: boolean;
  seed?: boolean;
}

/** Per-call context handed to an engine: cancellation and runtime values (secrets, env). */
export interface EngineContext {
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
  pluginApi?: number;
  capabilities?: EngineCapabilities;
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
  config: JsonObject;
  candidateId: string;
  trialId: string;
}

/**
 * Ordered pre/post hooks around inference, extraction and evaluation. Each returns the
 * (possibly changed) value it was given. Hooks run where the stage runs (a worker or inline).
 */
export interface Hook {
  id: string;
  pluginApi?: number;
  preInference?(request: GenerationRequest, context: HookContext): GenerationRequest;
  postInference?(output: GenerationOutput, context: HookContext): GenerationOutput;
  preExtraction?(text: string, context: HookContext): string;
  postExtraction?(answer: Json, context: HookContext): Json;
  preEvaluation?(input: MetricInput, context: HookContext): MetricInput;
  postEvaluation?(result: MetricResult, context: HookContext): MetricResult;
}

/**
 * A plugin module: a TypeScript/JavaScript file whose default export (or `plugins` export)
 * lists the plugins it provides. Referenced from a spec by path, loaded in every worker.
 */
export interface PluginModule {
  engines?: Engine[];
  extractors?: Extractor[];
  metrics?: Metric[];
  hooks?: Hook[];
}
