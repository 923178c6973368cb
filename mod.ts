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
export type { BatchProgress, RunProgressSnapshot } from "./src/orchestrator/run_progress.ts";
export type { ShardProgress } from "./src/orchestrator/shard_status.ts";
export type { BatchRecord } from "./src/orchestrator/batch/batch_log.ts";
export { parseShard, shardRunId } from "./src/plan/shard_plan.ts";
export type { Shard, ShardOf } from "./src/plan/shard_plan.ts";
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
export type {
  DatasetProvider,
  DatasetProviderContext,
} from "./src/plugins/datasets/dataset_provider.ts";
export type { DatasetPluginModule, PluginKind } from "./src/plugins/registry.ts";
export { formatDescription, loadBundle, redactSecrets } from "./src/orchestrator/handoffs/mod.ts";
export type {
  BundleInput,
  DiffOptions,
  EstimateOptions,
  ExportedBundle,
  ExportOptions,
  ImportCandidatesOptions,
  LoadedBundle,
  RecordsInput,
  RunDescription,
} from "./src/orchestrator/handoffs/mod.ts";
export type { CostEstimate, EstimateRow, StageWork } from "./src/plan/estimate.ts";
export { diffFields } from "./src/plan/diff_specs.ts";
export type { FieldChange, RunDiff, SetDiff, StageItem } from "./src/plan/diff_specs.ts";
export { checkHandoff } from "./src/spec/handoff_schemas.ts";
export type {
  BatchOutputLine,
  BundleManifest,
  CandidateRecord,
  EvaluationRecord,
  GenerationRecord,
} from "./src/spec/handoff_schemas.ts";
export { openResult } from "./src/results/load_result.ts";
export type { GroupStats, IntervalOptions, RowIntervalMethod } from "./src/results/aggregate.ts";
export type { SamplePolicyOptions, TrialOutcome } from "./src/results/trial_values.ts";
export { type DetectOptions, type DetectRow, detectWithSd } from "./src/results/detect_effect.ts";
export { serveView } from "./src/view/mod.ts";
export type { ServeViewOptions, ViewServer } from "./src/view/mod.ts";
export type { LeaderboardOptions, LeaderboardRow } from "./src/results/leaderboard.ts";
export type {
  Condition,
  ConditionRow,
  PairedCompareOptions,
} from "./src/results/compare_conditions.ts";
export type { CompareRunsOptions, FlipRow, RunComparison } from "./src/results/compare_runs.ts";
export type { Correction, PairedRow, SideCounts } from "./src/results/paired_groups.ts";
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
export * as stats from "./src/results/stats/mod.ts";
