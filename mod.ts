/**
 * themis: a local-first toolkit for evaluating language models.
 *
 * @example
 * ```ts
 * import { Orchestrator } from "./mod.ts";
 * const orchestrator = await Orchestrator.fromProjectFile("examples/demo/themis.toml");
 * // const result = await orchestrator.run(benchmark);
 * // console.table(await result.aggregate({ groupBy: ["model", "slice"] }));
 * ```
 * @module
 */
export { Orchestrator } from "./src/orchestrator/orchestrator.ts";
export type {
  ExecutionOptions,
  OrchestratorOptions,
  ProgressOptions,
  SpecInput,
} from "./src/orchestrator/orchestrator.ts";
export { Store } from "./src/orchestrator/store.ts";
export { isRunHandle } from "./src/orchestrator/run_handle.ts";
export type { RunHandle } from "./src/orchestrator/run_handle.ts";
export type { RunProgressSnapshot } from "./src/orchestrator/run_progress.ts";
export type { StageProgress } from "./src/run/progress_tally.ts";
export { TelemetryBus } from "./src/run/telemetry.ts";
export type { TelemetryEvent, TelemetrySubscriber } from "./src/run/telemetry.ts";
export { TOOL_VERSION } from "./src/orchestrator/version.ts";
export { isThemisError, ThemisError } from "./src/core/errors.ts";
export type { ErrorCode, ErrorDetails, ErrorIssue } from "./src/core/errors.ts";
export type { Json, JsonObject } from "./src/core/json.ts";
export { canonicalJson, contentHash } from "./src/core/canonical.ts";
export * from "./src/spec/mod.ts";
export { candidateId, candidateSeed, parseHash, scoreHash, trialHash } from "./src/plan/ids.ts";
export type { ManifestTrial, RunManifest } from "./src/plan/manifest.ts";
export { createRegistry, Registry } from "./src/plugins/registry.ts";
export { PLUGIN_API_VERSION } from "./src/plugins/types.ts";
export type {
  ChatMessage,
  Engine,
  EngineCapabilities,
  EngineContext,
  Extractor,
  ExtractResult,
  GenerationOutput,
  GenerationRequest,
  Metric,
  MetricInput,
  MetricResult,
  ModelRef,
  TokenUsage,
} from "./src/plugins/types.ts";
export { BenchmarkResult, ExperimentResult } from "./src/results/experiment_result.ts";
export type {
  AggregateOptions,
  AggregateRow,
  ExecutionSummary,
} from "./src/results/experiment_result.ts";
export type { Row } from "./src/analytics/duckdb.ts";
export type { ThemisEvent } from "./src/store/events.ts";
