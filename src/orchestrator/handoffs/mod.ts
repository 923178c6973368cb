/** Handoffs (bundles, imports), diffs, estimates and run descriptions. */
export { BUNDLE_MANIFEST, lineHash, loadBundle, planHash } from "./bundle_files.ts";
export type { BundleLine, ExportedBundle, LoadedBundle } from "./bundle_files.ts";
export {
  BUNDLE_FILES,
  EVALUATION_ID_SEPARATOR,
  exportEvaluationBundle,
  exportGenerationBundle,
} from "./export_bundle.ts";
export type { ExportOptions } from "./export_bundle.ts";
export { BATCH_URL, batchRequestLine } from "./generation_requests.ts";
export { importEvaluationResults, importGenerationResults } from "./import_results.ts";
export type { BundleInput } from "./import_results.ts";
export { importCandidates } from "./import_candidates.ts";
export type { ImportCandidatesOptions } from "./import_candidates.ts";
export type { RecordsInput } from "./read_records.ts";
export { estimateSpec } from "./estimate_run.ts";
export type { EstimateOptions } from "./estimate_run.ts";
export { diffSpecRuns } from "./diff_runs.ts";
export type { DiffOptions } from "./diff_runs.ts";
export { CANDIDATE_SEED_RULE, describeRun } from "./describe_run.ts";
export type { RunDescription, RunExecution, SliceDescription } from "./describe_run.ts";
export { formatDescription } from "./describe_markdown.ts";
export { REDACTED, redactSecrets } from "./redact.ts";
