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
const jsonValue: z.ZodType<Json, Json> = z.lazy(() =>
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
  initial: z.number().nonnegative().default(0.5).describe("Seconds before the first retry."),
  max: z.number().nonnegative().default(30).describe("Upper bound of one wait, in seconds."),
  multiplier: z.number().min(1).default(2).describe(
    "Growth of the bound from one retry to the next.",
  ),
}).describe(
  "Waits between retries: retry n waits a uniform time in [0, min(max, initial·multiplierⁿ⁻¹)] " +
    "seconds, never less than a provider's Retry-After.",
);

export const DEFAULT_RETRYABLE_CODES = [
  "PROVIDER_RATE_LIMIT",
  "PROVIDER_TIMEOUT",
  "PROVIDER_UNAVAILABLE",
  "PROVIDER_NETWORK",
  "PROVIDER_MALFORMED",
];

/** Most samples one trial may ask for: beyond this, a typo (`1000000000`) is likelier than intent. */
export const MAX_NUM_SAMPLES = 10_000;

/** Limits of one endpoint (provider, base_url, model), keyed by model id or provider name. */
export const EndpointLimitsSchema = z.strictObject({
  max_concurrency: z.number().int().min(1).optional().describe(
    "Requests in flight at once (the adaptive window never grows past it).",
  ),
  requests_per_minute: z.number().positive().optional().describe("Requests per minute."),
  tokens_per_minute: z.number().positive().optional().describe(
    "Prompt and completion tokens per minute (estimated, then corrected by reported usage).",
  ),
  burst_seconds: z.number().positive().default(1).describe(
    "Seconds of the rate that may go back to back (at least one request): requests are spread " +
      "evenly over the minute, never sent as a burst of a whole minute's quota.",
  ),
}).describe("Limits of one endpoint (provider, base_url, model).");

export const ExecutionPolicySchema = z.strictObject({
  max_attempts: z.number().int().min(1).default(3).describe(
    "Attempts per work item, the first included.",
  ),
  backoff: BackoffSchema.default(BackoffSchema.parse({})).describe("Waits between retries."),
  max_in_flight: z.number().int().min(1).max(100_000).default(16).describe(
    "Generations in flight at once; candidates whose generation ended add up to a quarter more " +
      "while their parses and scores run.",
  ),
  circuit_breaker_threshold: z.number().int().min(1).default(5).describe(
    "Consecutive failed generations with one error code after which an endpoint's remaining " +
      "work is left pending.",
  ),
  retryable_codes: z.array(z.string()).default(DEFAULT_RETRYABLE_CODES).describe(
    "Error codes that are retried (default: rate limit, timeout, unavailable, network, malformed).",
  ),
  attempt_timeout: z.number().positive().default(120).describe(
    "Seconds one generation attempt may take.",
  ),
  parse_timeout: z.number().positive().default(10).describe(
    "Seconds one parse (its extractor chain) may take.",
  ),
  score_timeout: z.number().positive().default(60).describe(
    "Seconds one score (its metrics, judge calls excluded) may take.",
  ),
  judge_timeout: z.number().positive().default(120).describe("Seconds one judge call may take."),
  hook_timeout: z.number().positive().default(10).describe("Seconds one hook call may take."),
  max_throttled_retries: z.number().int().min(0).default(20).describe(
    "Rate-limit answers (HTTP 429) retried without using up an attempt, per candidate: the " +
      "endpoint's window shrinks on each, so they are the scheduler's to absorb.",
  ),
  provider_limits: z.record(z.string(), EndpointLimitsSchema).default({}).describe(
    "Per-endpoint limits, keyed by model id or provider name (the model id wins).",
  ),
}).describe("Retries, timeouts, limits and the circuit breaker (docs/execution.md).");

export const ExecutorSchema = z.strictObject({
  kind: z.enum(["inline", "pool"]).default("pool").describe(
    "`pool` runs plugin code in worker threads; `inline` in the main thread.",
  ),
  max_threads: z.number().int().min(1).optional().describe(
    "Worker threads of the pool (default: the machine's cores).",
  ),
  tasks_per_worker: z.number().int().min(1).optional().describe(
    "Tasks one worker runs at once; default: enough for `max_in_flight` across the threads.",
  ),
  worker_heap_mb: z.number().int().min(32).default(2048).describe(
    "Heap limit of one worker (MB): a plugin past it stops its worker, not the run.",
  ),
}).describe("Where plugin code runs.");

export const StorageSchema = z.strictObject({
  root: z.string().min(1).default("themis-store").describe(
    "Store root, relative to the project file (or to the current folder without one).",
  ),
  store_item_payloads: z.boolean().default(true).describe(
    "false keeps dataset payloads and rendered prompts out of the run directory.",
  ),
  segment_mb: z.number().positive().max(48).default(32).describe(
    "An event segment (and a plan segment) is closed once it holds this many MB.",
  ),
}).describe("Where and how runs are stored.");

export const AnalyticsSchema = z.strictObject({
  memory_limit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, {
    message: 'a size such as "512MB" or "2GB"',
  }).default("512MB").describe(
    "DuckDB's memory bound for the analytics cache; the rest spills to `temp_directory`.",
  ),
  threads: z.number().int().min(1).optional().describe(
    "DuckDB threads (default: the machine's cores).",
  ),
  temp_directory: z.string().min(1).optional().describe(
    "Spill folder, relative to the project file (default: `<store>/.cache/duckdb-tmp`).",
  ),
  follow_runs: z.boolean().default(true).describe(
    "Refresh the cache every few seconds while a run writes (not while it keeps the cores " +
      "busy), so it ends nearly current.",
  ),
}).describe("Bounds of the analytics database (DuckDB).");

export const PriceSchema = z.strictObject({
  input_per_million: z.number().nonnegative().describe("Price of a million prompt tokens."),
  output_per_million: z.number().nonnegative().describe(
    "Price of a million completion tokens.",
  ),
  batch_discount: z.number().min(0).max(1).optional().describe(
    "Fraction taken off both prices for generations made through a provider's Batch API " +
      "(unset: 0.5, the discount OpenAI and Anthropic give).",
  ),
}).describe("A model's prices, in currency units per million tokens.");

/** Requests and bytes a provider accepts in one batch. */
export const BATCH_LIMITS = {
  openai: { requests: 50_000, bytes: 200 * 1024 * 1024 },
  anthropic: { requests: 100_000, bytes: 256 * 1024 * 1024 },
} as const;

export const BatchBackendSchema = z.strictObject({
  kind: z.literal("batch").describe("The batch backend."),
  provider: z.enum(["openai", "anthropic"]).describe(
    "Whose Batch API: every model of the spec must use this provider.",
  ),
  completion_window: z.string().min(1).default("24h").describe(
    'OpenAI\'s completion window (the only value OpenAI accepts today is "24h").',
  ),
  max_requests: z.number().int().min(1).max(100_000).optional().describe(
    "Requests per batch, at most the provider's limit (OpenAI 50,000; Anthropic 100,000).",
  ),
  max_bytes: z.number().int().min(1024).max(256 * 1024 * 1024).optional().describe(
    "Bytes of requests per batch, at most the provider's limit (200 MB; 256 MB).",
  ),
  poll_interval: z.number().positive().default(60).describe(
    "Seconds between polls while `themis resume <run> --wait` waits for batches to end.",
  ),
}).describe(
  "The `batch` backend: pending generations go to a provider's Batch API (docs/scale_out.md).",
);

export const ExecutionBackendSchema = z.union([
  z.enum(["local", "worker_pool", "batch"]),
  z.strictObject({ kind: z.literal("local").describe("Run now, in this process.") }),
  z.strictObject({
    kind: z.literal("worker_pool").describe("Plan for shards that a scheduler runs."),
  }),
  BatchBackendSchema,
]).describe(
  "Where a run executes: `local` (now, in this process), `worker_pool` (shards run by a " +
    'scheduler), or `batch` (a provider\'s Batch API). The plain string form is kept; `"batch"` ' +
    "alone names no provider, which `submit` reports.",
);

export const ProjectSpecSchema = z.strictObject({
  project_name: id.describe("A name for the project."),
  researcher_id: z.string().optional().describe("Who runs it (recorded in manifests)."),
  global_seed: z.number().int().nonnegative().default(0).describe(
    "Every candidate's seed derives from it and the candidate id.",
  ),
  storage: StorageSchema.default(StorageSchema.parse({})).describe("Where runs are stored."),
  analytics: AnalyticsSchema.default(AnalyticsSchema.parse({})).describe(
    "Bounds of the analytics database.",
  ),
  execution_policy: ExecutionPolicySchema.default(ExecutionPolicySchema.parse({})).describe(
    "Retries, timeouts, rate limits, circuit breaker.",
  ),
  execution_backend: ExecutionBackendSchema.default("local").describe(
    "What `submit` does: run now, plan shards, or send generations to a Batch API.",
  ),
  executor: ExecutorSchema.default(ExecutorSchema.parse({})).describe(
    "Where plugin code runs (worker threads or inline).",
  ),
  pricing: z.record(z.string(), PriceSchema).default({}).describe(
    "Prices per model id, in currency units per million tokens.",
  ),
}).describe("A project file (`themis.toml`): seed, store, execution settings, prices.");

// ---------------------------------------------------------------- datasets

/** A field of a row: a top-level key, or a dotted path into nested values (`answers.text.0`). */
const fieldPath = z.string().min(1, "a field name must not be empty");

/** What every dataset kind accepts besides where its rows come from. */
const datasetCommon = {
  id_field: fieldPath.optional().describe(
    "The field holding each row's id. Unset: `id` when a row has it, else the hash of the " +
      "row. Set: every row must have it.",
  ),
  fields: z.record(z.string().min(1), fieldPath).optional().describe(
    'Extra top-level fields copied from nested paths: `{ answer = "answers.text" }`.',
  ),
};

/** A file read through DuckDB; `path` is relative to the spec file. */
const datasetFile = {
  path: z.string().min(1, "a dataset file needs a path").describe(
    "The file (or a glob of files), relative to the spec file.",
  ),
  ...datasetCommon,
};

export const DatasetSpecSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("inline").describe("Items written in the spec."),
    items: z.array(jsonObject).min(1, "an inline dataset needs at least one item").describe(
      "The items, each a JSON object.",
    ),
    ...datasetCommon,
  }).describe("Items written in the spec."),
  z.strictObject({
    kind: z.literal("jsonl").describe("A JSON Lines file."),
    ...datasetFile,
  }).describe(
    "JSON Lines: one JSON object per line (Hugging Face `to_json(lines=True)` exports).",
  ),
  z.strictObject({
    kind: z.literal("csv").describe("A CSV file."),
    ...datasetFile,
    delimiter: z.string().length(1, "a CSV delimiter is one character").optional().describe(
      "The delimiter (default: detected).",
    ),
  }).describe("CSV with a header row; every value is read as text (empty cells as null)."),
  z.strictObject({
    kind: z.literal("parquet").describe("A Parquet file."),
    ...datasetFile,
  }).describe("Parquet (Hugging Face hub exports); nested columns become nested JSON."),
  z.strictObject({
    kind: z.literal("provider").describe("A dataset provider plugin."),
    provider: z.string().min(1).describe("The provider's id."),
    config: jsonObject.optional().describe("The provider's settings."),
    ...datasetCommon,
  }).describe("Rows from a dataset provider plugin (a module listed in `plugins`)."),
]).describe("Where a slice's items come from (docs/datasets.md).");

/** Metadata equality: items whose field equals the value (every entry must hold). */
const whereClause = z.record(fieldPath, z.union([z.string(), z.number(), z.boolean()]));

export const DatasetQuerySchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("all").describe("Every item.") }).describe("Every item."),
  z.strictObject({
    kind: z.literal("subset").describe("A seeded sample."),
    count: z.number().int().min(1).describe("How many items."),
    seed: z.number().int().nonnegative().default(0).describe("Seed of the pick."),
    where: whereClause.optional().describe("Filter first, then pick."),
  }).describe("`count` items picked with a seed: the same items on every machine."),
  z.strictObject({
    kind: z.literal("stratified").describe("A seeded sample per group."),
    count: z.number().int().min(1).describe("How many items in all."),
    field: fieldPath.describe(
      "Items are grouped by this field; each group keeps its share of `count`.",
    ),
    seed: z.number().int().nonnegative().default(0).describe("Seed of the pick."),
    where: whereClause.optional().describe("Filter first, then pick."),
  }).describe("`count` items picked per group of `field`, in proportion to the groups."),
  z.strictObject({
    kind: z.literal("item_ids").describe("Items by id."),
    ids: z.array(z.string()).min(1).describe("The ids, in order."),
  }).describe("The items with these ids."),
  z.strictObject({
    kind: z.literal("filter").describe("Items whose fields equal values."),
    where: whereClause.describe("Field → value; every entry must hold."),
  }).describe("The items whose fields equal the given values."),
]).describe("Which items of the dataset a slice uses.");

/**
 * Slices from data: one slice per value of an item field (or per combination of several
 * fields' values), each with its value as a dimension and a filter for it.
 */
const sliceBy = {
  slice_by: z.union([fieldPath, z.array(fieldPath).min(1, "slice_by needs at least one field")])
    .optional().describe(
      "The item field(s) whose values make one slice each (docs/datasets.md#slices-from-data).",
    ),
  max_slices: z.number().int().min(1).optional().describe(
    "The most slices `slice_by` may make (default 100): a bound against a field of ids.",
  ),
};

// ---------------------------------------------------------------- prompts, parses, scores

export const MessageSchema = z.strictObject({
  role: z.enum(["system", "user", "assistant"]).describe("Who speaks."),
  content: z.string().describe(
    "The text, with placeholders: `{item.<field>}`, `{slice.dimensions.<key>}`, " +
      "`{prompt.variables.<key>}`.",
  ),
}).describe("One message of a prompt template.");

export const PromptVariantSchema = z.strictObject({
  id: id.describe("Unique id of the variant."),
  family: z.string().optional().describe("A family slices can select variants by."),
  messages: z.array(MessageSchema).min(1, "a prompt variant needs at least one message")
    .describe("The messages, in order (few-shot examples work)."),
  variables: jsonObject.default({}).describe("Values usable as `{prompt.variables.<key>}`."),
}).describe("A prompt template.");

export const PluginRefSchema = z.strictObject({
  id: z.string().min(1).describe("The plugin's id (an extractor, metric or hook)."),
  config: jsonObject.default({}).describe("The plugin's settings."),
}).describe("A plugin by id, with its settings.");

export const ParseSpecSchema = z.strictObject({
  name: id.describe("Unique name of the parse in its slice."),
  extractors: z.array(PluginRefSchema).min(1, "a parse needs at least one extractor").describe(
    "Tried in order; the first extractor that succeeds gives the answer.",
  ),
}).describe("A parse: an ordered fallback chain of extractors turning text into an answer.");

export const ReductionSchema = z.enum(["mean", "max", "majority", "pass_at_k"]).describe(
  "How a trial's samples reduce to one value.",
);

export const OnInvalidSchema = z.enum(["zero", "exclude"], {
  error: 'on_invalid is "zero" (an invalid answer scores the metric\'s failing value, the ' +
    'default) or "exclude" (it leaves the mean; it is still counted in n_invalid)',
}).describe(
  "How aggregates count a sample whose parse found no answer (or whose judge gave none).",
);

export const IntervalMethodSchema = z.enum(["wilson", "clopper_pearson", "t", "bootstrap"], {
  error: 'ci is "wilson" or "clopper_pearson" (0/1 metrics), "t" or "bootstrap"',
}).describe("Confidence interval methods of aggregates.");

/** An item field naming a cluster of items that are not independent (a passage, a source). */
const clusterField = z.string().regex(
  /^[^.\s][^\s]*$/,
  'cluster names an item field, e.g. "passage_id" (nested with dots: "meta.passage")',
);

export const ScoreSpecSchema = z.strictObject({
  name: id.describe("Unique name of the score in its slice."),
  parse: z.string().optional().describe(
    "The parse whose answer the metrics read; the raw text when absent.",
  ),
  metrics: z.array(PluginRefSchema).min(1, "a score needs at least one metric").describe(
    "The metrics computed.",
  ),
  reduction: ReductionSchema.default("mean").describe(
    "How a trial's samples reduce to one value in aggregates.",
  ),
  k: z.number().int().min(1).optional().describe("The k of `pass_at_k`."),
  // Read-side policies below: they change how recorded scores are read, never the score hash.
  on_invalid: OnInvalidSchema.optional().describe(
    "Samples without an answer: the metric's failing value (`zero`, default) or left out.",
  ),
  count_failed: z.boolean().optional().describe(
    "true: samples whose generation failed score the failing value too (default: left out).",
  ),
  cluster: clusterField.optional().describe(
    "Item field whose equal values form a cluster: cluster-robust standard errors.",
  ),
  ci: IntervalMethodSchema.optional().describe(
    "Interval of the aggregate's mean (default: Wilson for 0/1 metrics, else t).",
  ),
}).describe("A score: named metrics over the raw text or over one parse's answer.");

const inferenceParams = jsonObject;

// ---------------------------------------------------------------- benchmark

export const ModelSpecSchema = z.strictObject({
  model_id: id.describe("Unique id of the model in the spec."),
  provider: z.string().min(1).describe(
    "The engine: `mock`, `openai`, `anthropic`, `llama_cpp`, or a plugin's.",
  ),
  extras: jsonObject.default({}).describe(
    "Engine settings (docs/providers.md); secrets never go here.",
  ),
}).describe("A model and the engine that runs it.");

const sliceDimensions = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const SliceSpecSchema = z.strictObject({
  slice_id: id.describe("Unique id of the slice."),
  dataset: DatasetSpecSchema.describe("Where the items come from."),
  dataset_query: DatasetQuerySchema.default({ kind: "all" }).describe(
    "Which items of the dataset (default: all).",
  ),
  ...sliceBy,
  dimensions: sliceDimensions.default({}).describe(
    "Labels aggregates can group by; prompts read them as `{slice.dimensions.<key>}`.",
  ),
  prompt_variant_ids: z.array(z.string()).optional().describe(
    "The prompt variants that apply (default: all).",
  ),
  prompt_families: z.array(z.string()).optional().describe(
    "The prompt families that apply (default: all).",
  ),
  generation: z.strictObject({
    params: inferenceParams.default({}).describe("Inference params merged over the grid's."),
  }).optional().describe("Inference params for this slice only, merged over the grid's."),
  parses: z.array(ParseSpecSchema).default([]).describe("The slice's parses."),
  scores: z.array(ScoreSpecSchema).default([]).describe("The slice's scores."),
}).describe("A slice: one dataset with its query, dimensions, prompts, parses and scores.");

export const InferenceGridSchema = z.strictObject({
  params: z.array(inferenceParams).min(1).default([{}]).describe("Base parameter sets."),
  overrides: z.array(inferenceParams).min(1).default([{}]).describe(
    "Each override is merged over each base set: the grid is params × overrides.",
  ),
}).describe("Inference parameter sets: every base set × every override.");

/** Plugin modules (paths relative to the spec file, or URLs) whose plugins the spec uses. */
const pluginModules = z.array(z.string().min(1)).default([]).describe(
  "Plugin modules (paths relative to the spec file, or URLs) whose plugins the spec uses.",
);

const numSamples = z.number().int().min(1).max(
  MAX_NUM_SAMPLES,
  `at most ${MAX_NUM_SAMPLES.toLocaleString("en-US")} samples per trial (more samples of a ` +
    "large plan belong in several runs, which the store merges)",
).default(1);

export const BenchmarkSpecSchema = z.strictObject({
  benchmark_id: id.describe("The benchmark's id."),
  description: z.string().optional().describe("What the benchmark measures."),
  plugins: pluginModules,
  hooks: z.array(PluginRefSchema).default([]).describe(
    "Ordered pre/post hooks around inference, extraction and evaluation.",
  ),
  models: z.array(ModelSpecSchema).min(1, "a benchmark needs at least one model").describe(
    "The models compared.",
  ),
  slices: z.array(SliceSpecSchema).min(1, "a benchmark needs at least one slice").describe(
    "The slices (datasets with their parses and scores).",
  ),
  prompt_variants: z.array(PromptVariantSchema).min(1, "a benchmark needs a prompt variant")
    .describe("The prompt templates."),
  inference_grid: InferenceGridSchema.default({ params: [{}], overrides: [{}] }).describe(
    "Inference parameter sets.",
  ),
  num_samples: numSamples.describe("Candidates per trial; raising it keeps samples 0 … n-1."),
  cluster: clusterField.optional().describe(
    "The cluster field of every score that names none (see ScoreSpec `cluster`).",
  ),
}).describe(
  "A benchmark, the public authoring form: models × slices × prompt variants × inference " +
    "grid × samples.",
);

// ---------------------------------------------------------------- experiment (compiled)

export const TaskSpecSchema = z.strictObject({
  task_id: id.describe("Unique id of the task (a benchmark's slice id)."),
  dataset: DatasetSpecSchema.describe("Where the items come from."),
  dataset_query: DatasetQuerySchema.default({ kind: "all" }).describe(
    "Which items of the dataset (default: all).",
  ),
  ...sliceBy,
  dimensions: sliceDimensions.default({}).describe(
    "Labels aggregates can group by; prompts read them as `{slice.dimensions.<key>}`.",
  ),
  prompts: z.array(PromptVariantSchema).min(1).describe("The prompt templates that apply."),
  inference: z.array(inferenceParams).min(1).default([{}]).describe(
    "Fully expanded inference parameter sets.",
  ),
  parses: z.array(ParseSpecSchema).default([]).describe("The task's parses."),
  scores: z.array(ScoreSpecSchema).default([]).describe("The task's scores."),
}).describe("A task: a slice with its prompts and inference sets spelled out.");

export const ExperimentSpecSchema = z.strictObject({
  experiment_id: id.describe("The experiment's id."),
  description: z.string().optional().describe("What the experiment measures."),
  plugins: pluginModules,
  hooks: z.array(PluginRefSchema).default([]).describe(
    "Ordered pre/post hooks around inference, extraction and evaluation.",
  ),
  models: z.array(ModelSpecSchema).min(1, "an experiment needs at least one model").describe(
    "The models compared.",
  ),
  tasks: z.array(TaskSpecSchema).min(1, "an experiment needs at least one task").describe(
    "The tasks.",
  ),
  num_samples: numSamples.describe("Candidates per trial; raising it keeps samples 0 … n-1."),
  cluster: clusterField.optional().describe(
    "The cluster field of every score that names none (see ScoreSpec `cluster`).",
  ),
  benchmark_id: z.string().optional().describe("Set when compiled from a benchmark."),
}).describe("An experiment, the compiled form of a benchmark: tasks with explicit prompts.");

// The types of these schemas, as documented interfaces (generated: \`deno task docs\`).
export type * from "./spec_types.ts";
