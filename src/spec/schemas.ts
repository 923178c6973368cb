/**
 * The zod schemas of every spec: the single source of the spec types (`z.infer`).
 * Keys are snake_case as users write them in TOML.
 */
import { z } from "npm:zod@4.6.7";
import type { Json } from "../core/json.ts";

const id = z.string().regex(
  /^[A-Za-z0-9][A-Za-z0-9_.:\-]*$/,
  "ids use letters, digits, '_', '-', '.', ':' and start with a letter or digit",
);

// JSON values as TOML/JSON can express them.
const jsonValue: z.ZodType<Json> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ])
);
const jsonObject = z.record(z.string(), jsonValue);

// ---------------------------------------------------------------- project

export const BackoffSchema = z.strictObject({
  /** Seconds before the first retry. */
  initial: z.number().nonnegative().default(0.5),
  /** Upper bound of one wait, in seconds. */
  max: z.number().nonnegative().default(30),
  multiplier: z.number().min(1).default(2),
});

export const DEFAULT_RETRYABLE_CODES = [
  "PROVIDER_RATE_LIMIT",
  "PROVIDER_TIMEOUT",
  "PROVIDER_UNAVAILABLE",
  "PROVIDER_NETWORK",
  "PROVIDER_MALFORMED",
];

export const ExecutionPolicySchema = z.strictObject({
  /** Attempts per work item, the first included. */
  max_attempts: z.number().int().min(1).default(3),
  backoff: BackoffSchema.default(BackoffSchema.parse({})),
  max_in_flight: z.number().int().min(1).default(16),
  circuit_breaker_threshold: z.number().int().min(1).default(5),
  retryable_codes: z.array(z.string()).default(DEFAULT_RETRYABLE_CODES),
  /** Seconds one attempt may take. */
  attempt_timeout: z.number().positive().default(120),
  /** Per-provider limits, keyed by provider name. */
  provider_limits: z.record(
    z.string(),
    z.strictObject({
      max_concurrency: z.number().int().min(1).optional(),
      requests_per_minute: z.number().positive().optional(),
      tokens_per_minute: z.number().positive().optional(),
    }),
  ).default({}),
});

export const ExecutorSchema = z.strictObject({
  /** `pool` runs plugin code in worker threads; `inline` in the main thread. */
  kind: z.enum(["inline", "pool"]).default("pool"),
  max_threads: z.number().int().min(1).optional(),
  tasks_per_worker: z.number().int().min(1).default(16),
});

export const StorageSchema = z.strictObject({
  /** Store root, relative to the project file (or to the current folder without one). */
  root: z.string().min(1).default("themis-store"),
  /** false keeps dataset payloads and rendered prompts out of the run directory. */
  store_item_payloads: z.boolean().default(true),
  /** An event segment (and a plan segment) is closed once it holds this many MB. */
  segment_mb: z.number().positive().max(48).default(32),
});

export const AnalyticsSchema = z.strictObject({
  /** DuckDB's memory bound for the analytics cache; the rest spills to `temp_directory`. */
  memory_limit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, {
    message: 'a size such as "512MB" or "2GB"',
  }).default("512MB"),
  /** DuckDB threads (default: the machine's cores). */
  threads: z.number().int().min(1).optional(),
  /** Spill folder, relative to the project file (default: `<store>/.cache/duckdb-tmp`). */
  temp_directory: z.string().min(1).optional(),
});

export const PriceSchema = z.strictObject({
  input_per_million: z.number().nonnegative(),
  output_per_million: z.number().nonnegative(),
  /**
   * Fraction taken off both prices for generations made through a provider's Batch API
   * (unset: 0.5, the discount OpenAI and Anthropic give).
   */
  batch_discount: z.number().min(0).max(1).optional(),
});

/** Requests and bytes a provider accepts in one batch. */
export const BATCH_LIMITS = {
  openai: { requests: 50_000, bytes: 200 * 1024 * 1024 },
  anthropic: { requests: 100_000, bytes: 256 * 1024 * 1024 },
} as const;

/** The `batch` backend: pending generations go to a provider's Batch API (docs/scale_out.md). */
export const BatchBackendSchema = z.strictObject({
  kind: z.literal("batch"),
  /** Whose Batch API: every model of the spec must use this provider. */
  provider: z.enum(["openai", "anthropic"]),
  /** OpenAI's completion window (the only value OpenAI accepts today is "24h"). */
  completion_window: z.string().min(1).default("24h"),
  /** Requests per batch, at most the provider's limit (OpenAI 50,000; Anthropic 100,000). */
  max_requests: z.number().int().min(1).max(100_000).optional(),
  /** Bytes of requests per batch, at most the provider's limit (200 MB; 256 MB). */
  max_bytes: z.number().int().min(1024).max(256 * 1024 * 1024).optional(),
  /** Seconds between polls while `themis resume --wait` waits for batches to end. */
  poll_interval: z.number().positive().default(60),
});

/**
 * Where a run executes: `local` (now, in this process), `worker_pool` (shards run by a
 * scheduler), or `batch` (a provider's Batch API). The plain string form is kept; `"batch"`
 * alone names no provider, which `submit` reports.
 */
export const ExecutionBackendSchema = z.union([
  z.enum(["local", "worker_pool", "batch"]),
  z.strictObject({ kind: z.literal("local") }),
  z.strictObject({ kind: z.literal("worker_pool") }),
  BatchBackendSchema,
]);

export const ProjectSpecSchema = z.strictObject({
  project_name: id,
  researcher_id: z.string().optional(),
  global_seed: z.number().int().nonnegative().default(0),
  storage: StorageSchema.default(StorageSchema.parse({})),
  analytics: AnalyticsSchema.default(AnalyticsSchema.parse({})),
  execution_policy: ExecutionPolicySchema.default(ExecutionPolicySchema.parse({})),
  execution_backend: ExecutionBackendSchema.default("local"),
  executor: ExecutorSchema.default(ExecutorSchema.parse({})),
  /** Prices per model id, in currency units per million tokens. */
  pricing: z.record(z.string(), PriceSchema).default({}),
});

// ---------------------------------------------------------------- datasets

/** A field of a row: a top-level key, or a dotted path into nested values (`answers.text.0`). */
const fieldPath = z.string().min(1, "a field name must not be empty");

/** What every dataset kind accepts besides where its rows come from. */
const datasetCommon = {
  /**
   * The field holding each row's id. Unset: `id` when a row has it, else the hash of the row.
   * Set: every row must have it.
   */
  id_field: fieldPath.optional(),
  /** Extra top-level fields copied from nested paths: `{ answer = "answers.text" }`. */
  fields: z.record(z.string().min(1), fieldPath).optional(),
};

/** A file read through DuckDB; `path` is relative to the spec file. */
const datasetFile = { path: z.string().min(1, "a dataset file needs a path"), ...datasetCommon };

export const DatasetSpecSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("inline"),
    items: z.array(jsonObject).min(1, "an inline dataset needs at least one item"),
    ...datasetCommon,
  }),
  /** JSON Lines: one JSON object per line (Hugging Face `to_json(lines=True)` exports). */
  z.strictObject({ kind: z.literal("jsonl"), ...datasetFile }),
  /** CSV with a header row; every value is read as text (empty cells as null). */
  z.strictObject({
    kind: z.literal("csv"),
    ...datasetFile,
    delimiter: z.string().length(1, "a CSV delimiter is one character").optional(),
  }),
  /** Parquet (Hugging Face hub exports); nested columns become nested JSON. */
  z.strictObject({ kind: z.literal("parquet"), ...datasetFile }),
  /** Rows from a dataset provider plugin (a module listed in `plugins`). */
  z.strictObject({
    kind: z.literal("provider"),
    provider: z.string().min(1),
    config: jsonObject.optional(),
    ...datasetCommon,
  }),
]);

/** Metadata equality: items whose field equals the value (every entry must hold). */
const whereClause = z.record(fieldPath, z.union([z.string(), z.number(), z.boolean()]));

export const DatasetQuerySchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("all") }),
  z.strictObject({
    kind: z.literal("subset"),
    count: z.number().int().min(1),
    seed: z.number().int().nonnegative().default(0),
    /** Filter first, then pick. */
    where: whereClause.optional(),
  }),
  z.strictObject({
    kind: z.literal("stratified"),
    count: z.number().int().min(1),
    /** Items are grouped by this field; each group keeps its share of `count`. */
    field: fieldPath,
    seed: z.number().int().nonnegative().default(0),
    where: whereClause.optional(),
  }),
  z.strictObject({ kind: z.literal("item_ids"), ids: z.array(z.string()).min(1) }),
  z.strictObject({ kind: z.literal("filter"), where: whereClause }),
]);

/**
 * Slices from data: one slice per value of an item field (or per combination of several
 * fields' values), each with its value as a dimension and a filter for it.
 */
const sliceBy = {
  /** The item field(s) whose values make the slices (docs/datasets.md#slices-from-data). */
  slice_by: z.union([fieldPath, z.array(fieldPath).min(1, "slice_by needs at least one field")])
    .optional(),
  /** The most slices `slice_by` may make (default 100): a bound against a field of ids. */
  max_slices: z.number().int().min(1).optional(),
};

// ---------------------------------------------------------------- prompts, parses, scores

export const MessageSchema = z.strictObject({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
});

export const PromptVariantSchema = z.strictObject({
  id,
  family: z.string().optional(),
  messages: z.array(MessageSchema).min(1, "a prompt variant needs at least one message"),
  variables: jsonObject.default({}),
});

export const PluginRefSchema = z.strictObject({
  id: z.string().min(1),
  config: jsonObject.default({}),
});

export const ParseSpecSchema = z.strictObject({
  name: id,
  /** Tried in order; the first extractor that succeeds gives the answer. */
  extractors: z.array(PluginRefSchema).min(1, "a parse needs at least one extractor"),
});

export const ReductionSchema = z.enum(["mean", "max", "majority", "pass_at_k"]);

/** How aggregates count a sample whose parse found no answer (or whose judge gave none). */
export const OnInvalidSchema = z.enum(["zero", "exclude"], {
  error: 'on_invalid is "zero" (an invalid answer scores the metric\'s failing value, the ' +
    'default) or "exclude" (it leaves the mean; it is still counted in n_invalid)',
});

/** Confidence interval methods of aggregates. */
export const IntervalMethodSchema = z.enum(["wilson", "clopper_pearson", "t", "bootstrap"], {
  error: 'ci is "wilson" or "clopper_pearson" (0/1 metrics), "t" or "bootstrap"',
});

/** An item field naming a cluster of items that are not independent (a passage, a source). */
const clusterField = z.string().regex(
  /^[^.\s][^\s]*$/,
  'cluster names an item field, e.g. "passage_id" (nested with dots: "meta.passage")',
);

export const ScoreSpecSchema = z.strictObject({
  name: id,
  /** The parse whose answer the metrics read; the raw text when absent. */
  parse: z.string().optional(),
  metrics: z.array(PluginRefSchema).min(1, "a score needs at least one metric"),
  /** How a trial's samples reduce to one value in aggregates. */
  reduction: ReductionSchema.default("mean"),
  k: z.number().int().min(1).optional(),
  // Read-side policies below: they change how recorded scores are read, never the score hash.
  /** Samples without an answer: the metric's failing value (`zero`, default) or left out. */
  on_invalid: OnInvalidSchema.optional(),
  /** true: samples whose generation failed score the failing value too (default: left out). */
  count_failed: z.boolean().optional(),
  /** Item field whose equal values form a cluster: cluster-robust standard errors. */
  cluster: clusterField.optional(),
  /** Interval of the aggregate's mean (default: Wilson for 0/1 metrics, else t). */
  ci: IntervalMethodSchema.optional(),
});

const inferenceParams = jsonObject;

// ---------------------------------------------------------------- benchmark

export const ModelSpecSchema = z.strictObject({
  model_id: id,
  provider: z.string().min(1),
  extras: jsonObject.default({}),
});

export const SliceSpecSchema = z.strictObject({
  slice_id: id,
  dataset: DatasetSpecSchema,
  dataset_query: DatasetQuerySchema.default({ kind: "all" }),
  ...sliceBy,
  dimensions: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  prompt_variant_ids: z.array(z.string()).optional(),
  prompt_families: z.array(z.string()).optional(),
  /** Inference params for this slice only, merged over the grid's. */
  generation: z.strictObject({ params: inferenceParams.default({}) }).optional(),
  parses: z.array(ParseSpecSchema).default([]),
  scores: z.array(ScoreSpecSchema).default([]),
});

export const InferenceGridSchema = z.strictObject({
  /** Base parameter sets. */
  params: z.array(inferenceParams).min(1).default([{}]),
  /** Each override is merged over each base set: the grid is params × overrides. */
  overrides: z.array(inferenceParams).min(1).default([{}]),
});

/** Plugin modules (paths relative to the spec file, or URLs) whose plugins the spec uses. */
const pluginModules = z.array(z.string().min(1)).default([]);

export const BenchmarkSpecSchema = z.strictObject({
  benchmark_id: id,
  description: z.string().optional(),
  plugins: pluginModules,
  /** Ordered pre/post hooks around inference, extraction and evaluation. */
  hooks: z.array(PluginRefSchema).default([]),
  models: z.array(ModelSpecSchema).min(1, "a benchmark needs at least one model"),
  slices: z.array(SliceSpecSchema).min(1, "a benchmark needs at least one slice"),
  prompt_variants: z.array(PromptVariantSchema).min(1, "a benchmark needs a prompt variant"),
  inference_grid: InferenceGridSchema.default({ params: [{}], overrides: [{}] }),
  num_samples: z.number().int().min(1).default(1),
  /** The cluster field of every score that names none (see ScoreSpec `cluster`). */
  cluster: clusterField.optional(),
});

// ---------------------------------------------------------------- experiment (compiled)

export const TaskSpecSchema = z.strictObject({
  task_id: id,
  dataset: DatasetSpecSchema,
  dataset_query: DatasetQuerySchema.default({ kind: "all" }),
  ...sliceBy,
  dimensions: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  prompts: z.array(PromptVariantSchema).min(1),
  /** Fully expanded inference parameter sets. */
  inference: z.array(inferenceParams).min(1).default([{}]),
  parses: z.array(ParseSpecSchema).default([]),
  scores: z.array(ScoreSpecSchema).default([]),
});

export const ExperimentSpecSchema = z.strictObject({
  experiment_id: id,
  description: z.string().optional(),
  plugins: pluginModules,
  hooks: z.array(PluginRefSchema).default([]),
  models: z.array(ModelSpecSchema).min(1, "an experiment needs at least one model"),
  tasks: z.array(TaskSpecSchema).min(1, "an experiment needs at least one task"),
  num_samples: z.number().int().min(1).default(1),
  /** The cluster field of every score that names none (see ScoreSpec `cluster`). */
  cluster: clusterField.optional(),
  /** Set when compiled from a benchmark. */
  benchmark_id: z.string().optional(),
});

export type ProjectSpec = z.infer<typeof ProjectSpecSchema>;
export type BatchBackend = z.infer<typeof BatchBackendSchema>;
export type ProjectSpecInput = z.input<typeof ProjectSpecSchema>;
export type ExecutionPolicy = z.infer<typeof ExecutionPolicySchema>;
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;
export type DatasetQuery = z.infer<typeof DatasetQuerySchema>;
export type PromptVariant = z.infer<typeof PromptVariantSchema>;
export type PluginRef = z.infer<typeof PluginRefSchema>;
export type ParseSpec = z.infer<typeof ParseSpecSchema>;
export type ScoreSpec = z.infer<typeof ScoreSpecSchema>;
export type OnInvalid = z.infer<typeof OnInvalidSchema>;
export type IntervalMethodName = z.infer<typeof IntervalMethodSchema>;
export type ModelSpec = z.infer<typeof ModelSpecSchema>;
export type SliceSpec = z.infer<typeof SliceSpecSchema>;
export type BenchmarkSpec = z.infer<typeof BenchmarkSpecSchema>;
export type BenchmarkSpecInput = z.input<typeof BenchmarkSpecSchema>;
export type TaskSpec = z.infer<typeof TaskSpecSchema>;
export type ExperimentSpec = z.infer<typeof ExperimentSpecSchema>;
export type ExperimentSpecInput = z.input<typeof ExperimentSpecSchema>;
