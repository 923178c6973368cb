import assert from "node:assert/strict";
import type { z } from "npm:zod@4.6.7";
import type * as S from "./spec_types.ts";
import type * as H from "./handoff_types.ts";
import type * as Z from "./schemas.ts";
import type * as ZH from "./handoff_schemas.ts";
import { handoffTypesSource, specTypesSource } from "./spec_type_sources.ts";

/**
 * true only when A and B are the same type (not merely assignable either way: an optional
 * field missing on one side, or a wider field, makes them differ).
 */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;

/** Compiles only when A and B are the same type. */
const same = <A, B>(..._: Same<A, B> extends true ? [] : [never]) => true;

Deno.test("spec_types.ts and handoff_types.ts are what `deno task docs` writes from the schemas", async () => {
  const read = (name: string) => Deno.readTextFile(new URL(name, import.meta.url));
  assert.equal(await read("./spec_types.ts"), specTypesSource());
  assert.equal(await read("./handoff_types.ts"), handoffTypesSource());
});

Deno.test("every generated spec type is the type of its schema", () => {
  // Type checking is the test: a generated type that drifts from its schema does not compile.
  const checks = [
    same<S.ProjectSpec, z.output<typeof Z.ProjectSpecSchema>>(),
    same<S.ProjectSpecInput, z.input<typeof Z.ProjectSpecSchema>>(),
    same<S.StorageSettings, z.output<typeof Z.StorageSchema>>(),
    same<S.StorageSettingsInput, z.input<typeof Z.StorageSchema>>(),
    same<S.AnalyticsSettings, z.output<typeof Z.AnalyticsSchema>>(),
    same<S.AnalyticsSettingsInput, z.input<typeof Z.AnalyticsSchema>>(),
    same<S.ExecutionPolicy, z.output<typeof Z.ExecutionPolicySchema>>(),
    same<S.ExecutionPolicyInput, z.input<typeof Z.ExecutionPolicySchema>>(),
    same<S.BackoffPolicy, z.output<typeof Z.BackoffSchema>>(),
    same<S.BackoffPolicyInput, z.input<typeof Z.BackoffSchema>>(),
    same<S.ExecutorSettings, z.output<typeof Z.ExecutorSchema>>(),
    same<S.ExecutorSettingsInput, z.input<typeof Z.ExecutorSchema>>(),
    same<S.ExecutionBackend, z.output<typeof Z.ExecutionBackendSchema>>(),
    same<S.ExecutionBackendInput, z.input<typeof Z.ExecutionBackendSchema>>(),
    same<S.BatchBackend, z.output<typeof Z.BatchBackendSchema>>(),
    same<S.BatchBackendInput, z.input<typeof Z.BatchBackendSchema>>(),
    same<S.ModelPrice, z.output<typeof Z.PriceSchema>>(),
    same<S.BenchmarkSpec, z.output<typeof Z.BenchmarkSpecSchema>>(),
    same<S.BenchmarkSpecInput, z.input<typeof Z.BenchmarkSpecSchema>>(),
    same<S.ModelSpec, z.output<typeof Z.ModelSpecSchema>>(),
    same<S.ModelSpecInput, z.input<typeof Z.ModelSpecSchema>>(),
    same<S.PromptVariant, z.output<typeof Z.PromptVariantSchema>>(),
    same<S.PromptVariantInput, z.input<typeof Z.PromptVariantSchema>>(),
    same<S.PromptMessage, z.output<typeof Z.MessageSchema>>(),
    same<S.InferenceGrid, z.output<typeof Z.InferenceGridSchema>>(),
    same<S.InferenceGridInput, z.input<typeof Z.InferenceGridSchema>>(),
    same<S.SliceSpec, z.output<typeof Z.SliceSpecSchema>>(),
    same<S.SliceSpecInput, z.input<typeof Z.SliceSpecSchema>>(),
    same<S.DatasetSpec, z.output<typeof Z.DatasetSpecSchema>>(),
    same<S.DatasetQuery, z.output<typeof Z.DatasetQuerySchema>>(),
    same<S.DatasetQueryInput, z.input<typeof Z.DatasetQuerySchema>>(),
    same<S.ParseSpec, z.output<typeof Z.ParseSpecSchema>>(),
    same<S.ParseSpecInput, z.input<typeof Z.ParseSpecSchema>>(),
    same<S.ScoreSpec, z.output<typeof Z.ScoreSpecSchema>>(),
    same<S.ScoreSpecInput, z.input<typeof Z.ScoreSpecSchema>>(),
    same<S.PluginRef, z.output<typeof Z.PluginRefSchema>>(),
    same<S.PluginRefInput, z.input<typeof Z.PluginRefSchema>>(),
    same<S.Reduction, z.output<typeof Z.ReductionSchema>>(),
    same<S.OnInvalid, z.output<typeof Z.OnInvalidSchema>>(),
    same<S.IntervalMethodName, z.output<typeof Z.IntervalMethodSchema>>(),
    same<S.ExperimentSpec, z.output<typeof Z.ExperimentSpecSchema>>(),
    same<S.ExperimentSpecInput, z.input<typeof Z.ExperimentSpecSchema>>(),
    same<S.TaskSpec, z.output<typeof Z.TaskSpecSchema>>(),
    same<S.TaskSpecInput, z.input<typeof Z.TaskSpecSchema>>(),
  ];
  assert.ok(checks.every(Boolean));
});

Deno.test("every generated handoff type is the type of its schema", () => {
  const checks = [
    same<H.GenerationRecord, z.output<typeof ZH.GenerationRecordSchema>>(),
    same<H.GenerationFailureRecord, z.output<typeof ZH.GenerationFailureRecordSchema>>(),
    same<H.CandidateRecord, z.output<typeof ZH.CandidateRecordSchema>>(),
    same<H.EvaluationRecord, z.output<typeof ZH.EvaluationRecordSchema>>(),
    same<H.EvaluationValueRecord, z.output<typeof ZH.EvaluationValueRecordSchema>>(),
    same<H.MetricRecord, z.output<typeof ZH.MetricRecordSchema>>(),
    same<H.UsageRecord, z.output<typeof ZH.UsageRecordSchema>>(),
    same<H.ErrorRecord, z.output<typeof ZH.ErrorRecordSchema>>(),
    same<H.BatchOutputLine, z.output<typeof ZH.BatchOutputLineSchema>>(),
    same<H.BundleManifest, z.output<typeof ZH.BundleManifestSchema>>(),
    same<H.BundleScore, z.output<typeof ZH.BundleScoreSchema>>(),
  ];
  assert.ok(checks.every(Boolean));
});
