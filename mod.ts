/**
 * themis: a local-first toolkit for evaluating language models.
 *
 * The {@linkcode Orchestrator} is the one entry point: open it on a project, hand it a
 * benchmark (or a compiled experiment), and read the result. Every fact of a run is an event
 * in a run directory under the project's store root; running an unchanged benchmark again
 * does no work. How another project depends on themis, the public surface and what is
 * deliberately left out of it: docs/library.md.
 *
 * @example Run a benchmark with the deterministic mock engine and read the aggregate
 * ```ts
 * import assert from "node:assert/strict";
 * import { Orchestrator } from "./mod.ts";
 *
 * const root = await Deno.makeTempDir();
 * const orchestrator = Orchestrator.fromProjectSpec({
 *   project_name: "demo",
 *   storage: { root },
 *   executor: { kind: "inline" },
 * });
 * try {
 *   const result = await orchestrator.run({
 *     benchmark_id: "arith",
 *     models: [{ model_id: "solver", provider: "mock", extras: { answers: { q1: "It is 4" } } }],
 *     prompt_variants: [{ id: "plain", messages: [{ role: "user", content: "{item.q}?" }] }],
 *     slices: [{
 *       slice_id: "sums",
 *       dataset: { kind: "inline", items: [{ id: "q1", q: "2 + 2", answer: 4 }] },
 *       parses: [{ name: "num", extractors: [{ id: "first_number" }] }],
 *       scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
 *     }],
 *   }, { progress: { renderer: "none" } });
 *   const [row] = await result.aggregate({ groupBy: ["model"] });
 *   assert.equal(row.model, "solver");
 *   assert.equal(row.mean, 1);
 *   assert.equal(result.benchmarkId, "arith");
 * } finally {
 *   orchestrator.store.close();
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 * @module
 */

// The facade (API.md) and what its methods take and return.
export { Orchestrator } from "./src/orchestrator/orchestrator.ts";
export type {
  ExecutionOptions,
  OrchestratorOptions,
  PlanOptions,
  ProgressOptions,
  SpecInput,
} from "./src/orchestrator/orchestrator.ts";
export { Store } from "./src/orchestrator/store.ts";
export { openResult } from "./src/orchestrator/open_result.ts";
export type { StoreOptions } from "./src/orchestrator/store.ts";
export type { AnalyticsOptions } from "./src/analytics/analytics.ts";
export { isRunHandle } from "./src/orchestrator/run_handle.ts";
export type { RunHandle } from "./src/orchestrator/run_handle.ts";
export type { BatchProgress, RunProgressSnapshot } from "./src/orchestrator/run_progress.ts";
export type { BatchFacts } from "./src/store/store_state.ts";
export type { ShardProgress, ShardRun } from "./src/orchestrator/shard_status.ts";
export type { ProgressStage, StageProgress } from "./src/run/progress_tally.ts";
export type { Shard } from "./src/plan/shard_plan.ts";
export type { ManifestProject, ManifestTrial, RunManifest } from "./src/plan/manifest.ts";
export type { PlannedParse, PlannedScore } from "./src/plan/plan_trials.ts";
export type {
  CompletionSource,
  CostEstimate,
  EstimateRow,
  StageWork,
} from "./src/plan/estimate.ts";
export type { DiffSide, FieldChange, RunDiff, SetDiff, StageItem } from "./src/plan/diff_specs.ts";
export type {
  BundleInput,
  BundleLine,
  DiffOptions,
  EstimateOptions,
  ExportedBundle,
  ExportOptions,
  ImportCandidatesOptions,
  LoadedBundle,
  RecordsInput,
  RunDescription,
  RunExecution,
  SliceDescription,
} from "./src/orchestrator/handoffs/mod.ts";
export type * from "./src/spec/handoff_types.ts";
export type {
  EventData,
  EventEnvelope,
  EventOf,
  EventType,
  ThemisEvent,
} from "./src/store/event_catalogue.ts";
export type * from "./src/store/event_types.ts";
export { TelemetryBus } from "./src/run/telemetry.ts";
export type { TelemetryEvent, TelemetrySubscriber } from "./src/run/telemetry.ts";
export { TOOL_VERSION } from "./src/orchestrator/version.ts";

// Specs: the types of what users write, and loading and validating them.
export type * from "./src/spec/spec_types.ts";
export { loadSpecFile } from "./src/spec/load_spec.ts";
export type { LoadedSpec, RawSpecFile } from "./src/spec/load_spec.ts";
export {
  validateBenchmark,
  validateExperiment,
  validateProject,
} from "./src/spec/validate_spec.ts";
export type { SpecSource } from "./src/spec/validate_spec.ts";
export { compileBenchmark } from "./src/spec/compile_benchmark.ts";
export { specJsonSchema } from "./src/spec/json_schema.ts";

// Plugins: what a plugin module exports, and the registry that holds them.
export { createRegistry, Registry } from "./src/plugins/registry.ts";
export type { DatasetPluginModule, PluginKind } from "./src/plugins/registry.ts";
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
  Hook,
  HookContext,
  JudgeOutput,
  JudgeRequest,
  Metric,
  MetricContext,
  MetricInput,
  MetricRange,
  MetricResult,
  ModelRef,
  PluginDoc,
  PluginModule,
  TokenUsage,
} from "./src/plugins/types.ts";
export type {
  DatasetProvider,
  DatasetProviderContext,
} from "./src/plugins/datasets/dataset_provider.ts";

// Results: what a run returns and what its methods answer.
export { BenchmarkResult, ExperimentResult } from "./src/results/experiment_result.ts";
export type {
  AggregateOptions,
  AggregateRow,
  ExecutionSummary,
} from "./src/results/experiment_result.ts";
export type { GroupStats, IntervalOptions, RowIntervalMethod } from "./src/results/aggregate.ts";
export type { SamplePolicyOptions, TrialOutcome } from "./src/results/trial_values.ts";
export type { LeaderboardOptions, LeaderboardRow } from "./src/results/leaderboard.ts";
export type {
  Condition,
  ConditionRow,
  PairedCompareOptions,
} from "./src/results/compare_conditions.ts";
export type { CompareRunsOptions, FlipRow, RunComparison } from "./src/results/compare_runs.ts";
export type { Correction, PairedRow, SideCounts } from "./src/results/paired_groups.ts";
export type { DetectOptions, DetectRow } from "./src/results/detect_effect.ts";
export type { PowerOptions } from "./src/results/stats/minimum_detectable_effect.ts";
export type { IntervalMethod } from "./src/results/stats/metric_interval.ts";
export type {
  IterTrialsOptions,
  TrialIdentity,
  TrialRecord,
  TrialStatus,
} from "./src/results/trial_records.ts";
export type {
  CandidateParse,
  CandidateScore,
  ItemOrigin,
  ItemStatus,
  TrialCandidate,
} from "./src/results/candidate_records.ts";
export type { TrialSummary } from "./src/results/trial_summaries.ts";
export type {
  FailureOptions,
  FailureRecord,
  InvalidExtraction,
  ItemLocation,
} from "./src/results/failures.ts";
export type {
  CandidateTimeline,
  JudgeCall,
  Lineage,
  TimelineError,
} from "./src/results/candidate_timeline.ts";
export type { ExportJsonOptions, ResultExport } from "./src/results/export_result.ts";
export type { PersistedArtifacts } from "./src/results/persist_artifacts.ts";
export type { OverlayView } from "./src/results/_scope.ts";
export { REPORT_FORMATS } from "./src/results/report/render_report.ts";
export type { ReportFormat, ReportOptions } from "./src/results/report/render_report.ts";
export type { ReportDataOptions } from "./src/results/report/report_data.ts";
export type { ReportTableId } from "./src/results/report/report_tables.ts";
export type { Row } from "./src/analytics/duckdb.ts";

// Errors and values shared by everything above.
export { isThemisError, ThemisError } from "./src/core/errors.ts";
export type { ErrorCode, ErrorDetails, ErrorIssue } from "./src/core/errors.ts";
export type { Json, JsonObject } from "./src/core/json.ts";
