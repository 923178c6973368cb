/**
 * The zod schemas of handoffs (docs/handoffs.md): bundle manifests, and the records that bring
 * work done elsewhere back into a store. They are the single source of these types.
 */
import { z } from "npm:zod@4.6.7";
import type { Json } from "../core/json.ts";
import { formatPath } from "./validate_spec.ts";

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
const count = z.number().int().nonnegative();

export const UsageRecordSchema = z.strictObject({
  prompt_tokens: count.nullable().optional().describe("Prompt tokens (null: not reported)."),
  completion_tokens: count.nullable().optional().describe(
    "Completion tokens (null: not reported).",
  ),
}).describe("Token usage as a record reports it (either count may be missing).");

export const ErrorRecordSchema = z.object({
  code: z.string().min(1).nullable().optional().describe(
    "A stable error code (`PROVIDER_TIMEOUT`, …), when known.",
  ),
  message: z.string().describe("What failed."),
}).describe("A failure reported by whoever did the work.");

/** What a generation produced, as a record carries it. */
const generationFields = {
  text: z.string().describe("The generated text."),
  finish_reason: z.string().nullable().optional().describe(
    "Why generation stopped (`stop`, `length`, …), when known.",
  ),
  usage: UsageRecordSchema.optional().describe("Token usage, when known."),
  latency_ms: z.number().nonnegative().optional().describe("How long the call took."),
  meta: jsonObject.optional().describe("Anything else worth keeping with the generation."),
};

const customId = z.string().min(1).describe("The `custom_id` of the bundle line it answers.");

export const GenerationRecordSchema = z.strictObject({
  custom_id: customId,
  ...generationFields,
}).describe("A generation answering one line of a generation bundle (themis form).");

export const GenerationFailureRecordSchema = z.strictObject({
  custom_id: customId,
  error: ErrorRecordSchema.describe("What failed."),
}).describe("A generation that failed elsewhere: stays pending, the next export lists it again.");

export const BatchOutputLineSchema = z.object({
  id: z.string().optional().describe("The provider's id of the line."),
  custom_id: customId,
  response: z.object({
    status_code: z.number().int().describe("The HTTP status of the request."),
    request_id: z.string().optional().describe("The provider's request id."),
    body: z.unknown().describe("The response body (a chat completion on success)."),
  }).nullable().describe("The response (null when the request failed before one)."),
  error: ErrorRecordSchema.nullable().optional().describe("The error, when the request failed."),
}).describe("One line of an OpenAI Batch API output file.");

export const CandidateRecordSchema = z.strictObject({
  trial_id: z.string().min(1).describe("The trial the generation answers."),
  candidate_id: z.string().min(1).optional().describe(
    "The candidate id, if known (it must then match the trial and sample).",
  ),
  sample: count.optional().describe("The sample index (default 0)."),
  ...generationFields,
}).describe("A generation made without any bundle: it names its trial (and sample, default 0).");

export const MetricRecordSchema = z.strictObject({
  metric: z.string().min(1).describe("The metric's id."),
  value: z.number().refine(Number.isFinite, "a metric value must be a finite number").describe(
    "The value (finite).",
  ),
  details: jsonObject.optional().describe("What the metric saw (prediction, reference, …)."),
}).describe("One metric value of a score.");

export const EvaluationRecordSchema = z.strictObject({
  custom_id: customId,
  metrics: z.array(MetricRecordSchema).min(1).describe("The score's metric values."),
}).describe("The metrics of one (candidate, score) line of an evaluation bundle.");

export const EvaluationValueRecordSchema = z.strictObject({
  custom_id: customId,
  value: z.number().refine(Number.isFinite, "a metric value must be a finite number").describe(
    "The value of the score's one metric (finite).",
  ),
  details: jsonObject.optional().describe("What the metric saw (prediction, reference, …)."),
}).describe("The shortcut for a score with one metric: its value alone.");

/** A score that could not be computed elsewhere: stays pending. */
export const EvaluationFailureRecordSchema = GenerationFailureRecordSchema;

export const BundleScoreSchema = z.strictObject({
  name: z.string().describe("The score's name."),
  task: z.string().describe("The task (slice) it belongs to."),
  parse: z.string().nullable().describe("The parse it reads (null: the raw text)."),
  parse_hash: z.string().nullable().describe("That parse's hash."),
  metrics: z.array(z.strictObject({
    id: z.string().describe("The metric's id."),
    config: jsonObject.describe("The metric's settings."),
  })).describe("The metrics to compute."),
  reduction: z.string().describe("How samples reduce to one value."),
}).describe("A score definition as an evaluation bundle carries it.");

export const BundleManifestSchema = z.strictObject({
  bundle_version: z.literal(1).describe("Version of this format."),
  kind: z.enum(["generation", "evaluation"]).describe("What work the bundle holds."),
  format: z.enum(["openai-batch", "themis-evaluation"]).describe("The format of its lines."),
  bundle_id: z.string().min(1).describe("The bundle's id."),
  tool: z.strictObject({
    name: z.string().describe("`themis`."),
    version: z.string().describe("The version that wrote it."),
  }).describe("What wrote the bundle."),
  run_id: z.string().min(1).describe("The run the bundle was cut from."),
  plan_hash: z.string().regex(/^[0-9a-f]{64}$/).describe(
    "sha256 of the plan, checked when results come back.",
  ),
  source: z.strictObject({
    kind: z.enum(["benchmark", "experiment"]).describe("Which kind of spec."),
    spec: jsonObject.describe("The spec as written."),
    base_dir: z.string().describe("The folder its relative paths resolve from."),
  }).describe("The spec the run was planned from."),
  file: z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]+\.jsonl$/).describe("The JSONL file's name."),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).describe("sha256 of the file."),
    lines: count.describe("Its lines."),
    bytes: count.describe("Its size."),
  }).describe("The work file."),
  line_hashes: z.array(z.string().regex(/^[0-9a-f]{16}$/)).describe(
    "sha256 of each line (first 16 hex digits), so a changed line can be named.",
  ),
  counts: z.record(z.string(), count).describe("Work items by kind."),
  scores: z.record(z.string(), BundleScoreSchema).optional().describe(
    "The scores of an evaluation bundle, by score hash.",
  ),
}).describe("`bundle.json`: what a bundle holds and the hashes that prove it is unchanged.");

// The types of these schemas, as documented interfaces (generated: \`deno task docs\`).
export type * from "./handoff_types.ts";

/** The schemas `checkHandoff` knows, by name. */
export const HANDOFF_SCHEMAS = {
  generation: GenerationRecordSchema,
  generationFailure: GenerationFailureRecordSchema,
  batchOutput: BatchOutputLineSchema,
  candidate: CandidateRecordSchema,
  evaluation: EvaluationRecordSchema,
  evaluationValue: EvaluationValueRecordSchema,
  evaluationFailure: EvaluationFailureRecordSchema,
  bundleManifest: BundleManifestSchema,
} as const;

type Schemas = typeof HANDOFF_SCHEMAS;

/** A checked value, or every issue found, each as `path: message`. */
export type HandoffCheck<T> = { ok: true; value: T } | { ok: false; issues: string[] };

/**
 * Check a value against one of the handoff schemas, collecting every issue (never throws).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkHandoff } from "./handoff_schemas.ts";
 * const checked = checkHandoff("generation", { custom_id: "c1", text: 4 });
 * assert.ok(!checked.ok && checked.issues[0].startsWith("text:"));
 * ```
 */
export function checkHandoff<K extends keyof Schemas>(
  kind: K,
  value: unknown,
): HandoffCheck<z.infer<Schemas[K]>> {
  const parsed = HANDOFF_SCHEMAS[kind].safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data as z.infer<Schemas[K]> };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => {
      const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
      const message = issue.code === "unrecognized_keys"
        ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${
          issue.keys.map((k) => `"${k}"`).join(", ")
        }`
        : issue.message;
      return `${formatPath(path)}: ${message}`;
    }),
  };
}
