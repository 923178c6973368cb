/**
 * The named schemas whose TypeScript declarations are committed as `spec_types.ts` and
 * `handoff_types.ts` (`deno task docs` writes them; tests check they are current and equal
 * to the schemas' own types).
 */
import { typeDeclarations } from "../core/type_declarations.ts";
import {
  AnalyticsSchema,
  BackoffSchema,
  BatchBackendSchema,
  BenchmarkSpecSchema,
  DatasetQuerySchema,
  DatasetSpecSchema,
  EndpointLimitsSchema,
  ExecutionBackendSchema,
  ExecutionPolicySchema,
  ExecutorSchema,
  ExperimentSpecSchema,
  InferenceGridSchema,
  IntervalMethodSchema,
  MessageSchema,
  ModelSpecSchema,
  OnInvalidSchema,
  ParseSpecSchema,
  PluginRefSchema,
  PriceSchema,
  ProjectSpecSchema,
  PromptVariantSchema,
  ReductionSchema,
  ScoreSpecSchema,
  SliceSpecSchema,
  StorageSchema,
  TaskSpecSchema,
} from "./schemas.ts";
import {
  BatchOutputLineSchema,
  BundleManifestSchema,
  BundleScoreSchema,
  CandidateRecordSchema,
  ErrorRecordSchema,
  EvaluationRecordSchema,
  EvaluationValueRecordSchema,
  GenerationFailureRecordSchema,
  GenerationRecordSchema,
  MetricRecordSchema,
  UsageRecordSchema,
} from "./handoff_schemas.ts";

/**
 * `src/spec/spec_types.ts`: the spec types (project, benchmark, experiment and their parts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { specTypesSource } from "./spec_type_sources.ts";
 * assert.match(specTypesSource(), /export interface BenchmarkSpecInput \{/);
 * ```
 */
export function specTypesSource(): string {
  return typeDeclarations([
    { name: "ProjectSpec", schema: ProjectSpecSchema },
    { name: "StorageSettings", schema: StorageSchema },
    { name: "AnalyticsSettings", schema: AnalyticsSchema },
    { name: "ExecutionPolicy", schema: ExecutionPolicySchema },
    { name: "BackoffPolicy", schema: BackoffSchema },
    { name: "EndpointLimits", schema: EndpointLimitsSchema },
    { name: "ExecutorSettings", schema: ExecutorSchema },
    { name: "ExecutionBackend", schema: ExecutionBackendSchema },
    { name: "BatchBackend", schema: BatchBackendSchema },
    { name: "ModelPrice", schema: PriceSchema },
    { name: "BenchmarkSpec", schema: BenchmarkSpecSchema },
    { name: "ModelSpec", schema: ModelSpecSchema },
    { name: "PromptVariant", schema: PromptVariantSchema },
    { name: "PromptMessage", schema: MessageSchema },
    { name: "InferenceGrid", schema: InferenceGridSchema },
    { name: "SliceSpec", schema: SliceSpecSchema },
    {
      name: "DatasetSpec",
      schema: DatasetSpecSchema,
      members: {
        inline: "InlineDataset",
        jsonl: "JsonlDataset",
        csv: "CsvDataset",
        parquet: "ParquetDataset",
        provider: "ProviderDataset",
      },
    },
    {
      name: "DatasetQuery",
      schema: DatasetQuerySchema,
      members: {
        all: "AllItemsQuery",
        subset: "SubsetQuery",
        stratified: "StratifiedQuery",
        item_ids: "ItemIdsQuery",
        filter: "FilterQuery",
      },
    },
    { name: "ParseSpec", schema: ParseSpecSchema },
    { name: "ScoreSpec", schema: ScoreSpecSchema },
    { name: "PluginRef", schema: PluginRefSchema },
    { name: "Reduction", schema: ReductionSchema },
    { name: "OnInvalid", schema: OnInvalidSchema },
    { name: "IntervalMethodName", schema: IntervalMethodSchema },
    { name: "ExperimentSpec", schema: ExperimentSpecSchema },
    { name: "TaskSpec", schema: TaskSpecSchema },
  ], {
    header: "The spec types: what users write (`…Input`) and what validation gives back.\n" +
      "Generated from the zod schemas of `schemas.ts`, which stay their one source.",
    jsonModule: "../core/json.ts",
  });
}

/**
 * `src/spec/handoff_types.ts`: bundle manifests and the records that bring work done
 * elsewhere back into a store (docs/handoffs.md).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { handoffTypesSource } from "./spec_type_sources.ts";
 * assert.match(handoffTypesSource(), /export interface GenerationRecord \{/);
 * ```
 */
export function handoffTypesSource(): string {
  return typeDeclarations([
    { name: "GenerationRecord", schema: GenerationRecordSchema },
    { name: "GenerationFailureRecord", schema: GenerationFailureRecordSchema },
    { name: "CandidateRecord", schema: CandidateRecordSchema },
    { name: "EvaluationRecord", schema: EvaluationRecordSchema },
    { name: "EvaluationValueRecord", schema: EvaluationValueRecordSchema },
    { name: "MetricRecord", schema: MetricRecordSchema },
    { name: "UsageRecord", schema: UsageRecordSchema },
    { name: "ErrorRecord", schema: ErrorRecordSchema },
    { name: "BatchOutputLine", schema: BatchOutputLineSchema },
    { name: "BundleManifest", schema: BundleManifestSchema },
    { name: "BundleScore", schema: BundleScoreSchema },
  ], {
    header: "The handoff types: bundle manifests and the records that bring work done elsewhere\n" +
      "back into a store (docs/handoffs.md). Generated from the zod schemas of\n" +
      "`handoff_schemas.ts`, which stay their one source.",
    jsonModule: "../core/json.ts",
  });
}
