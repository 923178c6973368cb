/**
 * The zod schemas of handoffs (docs/handoffs.md): bundle manifests, and the records that bring
 * work done elsewhere back into a store. They are the single source of these types.
 */
import { z } from "npm:zod@4.6.7";
import type { Json } from "../core/json.ts";
import { formatPath } from "./validate_spec.ts";

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
const count = z.number().int().nonnegative();

/** Token usage as a record reports it (either count may be missing). */
export const UsageRecordSchema = z.strictObject({
  prompt_tokens: count.nullable().optional(),
  completion_tokens: count.nullable().optional(),
});

/** A failure reported by whoever did the work. */
export const ErrorRecordSchema = z.object({
  code: z.string().min(1).nullable().optional(),
  message: z.string(),
});

/** What a generation produced, as a record carries it. */
const generationFields = {
  text: z.string(),
  finish_reason: z.string().nullable().optional(),
  usage: UsageRecordSchema.optional(),
  latency_ms: z.number().nonnegative().optional(),
  meta: jsonObject.optional(),
};

/** A generation answering one line of a generation bundle (themis form). */
export const GenerationRecordSchema = z.strictObject({
  custom_id: z.string().min(1),
  ...generationFields,
});

/** A generation that failed elsewhere: stays pending, the next export lists it again. */
export const GenerationFailureRecordSchema = z.strictObject({
  custom_id: z.string().min(1),
  error: ErrorRecordSchema,
});

/** One line of an OpenAI Batch API output file. */
export const BatchOutputLineSchema = z.object({
  id: z.string().optional(),
  custom_id: z.string().min(1),
  response: z.object({
    status_code: z.number().int(),
    request_id: z.string().optional(),
    body: z.unknown(),
  }).nullable(),
  error: ErrorRecordSchema.nullable().optional(),
});

/** A generation made without any bundle: it names its trial (and sample, default 0). */
export const CandidateRecordSchema = z.strictObject({
  trial_id: z.string().min(1),
  candidate_id: z.string().min(1).optional(),
  sample: count.optional(),
  ...generationFields,
});

/** One metric value of a score. */
export const MetricRecordSchema = z.strictObject({
  metric: z.string().min(1),
  value: z.number().refine(Number.isFinite, "a metric value must be a finite number"),
  details: jsonObject.optional(),
});

/** The metrics of one (candidate, score) line of an evaluation bundle. */
export const EvaluationRecordSchema = z.strictObject({
  custom_id: z.string().min(1),
  metrics: z.array(MetricRecordSchema).min(1),
});

/** The shortcut for a score with one metric: its value alone. */
export const EvaluationValueRecordSchema = z.strictObject({
  custom_id: z.string().min(1),
  value: z.number().refine(Number.isFinite, "a metric value must be a finite number"),
  details: jsonObject.optional(),
});

/** A score that could not be computed elsewhere: stays pending. */
export const EvaluationFailureRecordSchema = GenerationFailureRecordSchema;

/** A score definition as an evaluation bundle carries it. */
export const BundleScoreSchema = z.strictObject({
  name: z.string(),
  task: z.string(),
  parse: z.string().nullable(),
  parse_hash: z.string().nullable(),
  metrics: z.array(z.strictObject({ id: z.string(), config: jsonObject })),
  reduction: z.string(),
});

/** `bundle.json`: what a bundle holds and the hashes that prove it is unchanged. */
export const BundleManifestSchema = z.strictObject({
  bundle_version: z.literal(1),
  kind: z.enum(["generation", "evaluation"]),
  format: z.enum(["openai-batch", "themis-evaluation"]),
  bundle_id: z.string().min(1),
  tool: z.strictObject({ name: z.string(), version: z.string() }),
  run_id: z.string().min(1),
  plan_hash: z.string().regex(/^[0-9a-f]{64}$/),
  source: z.strictObject({
    kind: z.enum(["benchmark", "experiment"]),
    spec: jsonObject,
    base_dir: z.string(),
  }),
  file: z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]+\.jsonl$/),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    lines: count,
    bytes: count,
  }),
  /** sha256 of each line (first 16 hex digits), so a changed line can be named. */
  line_hashes: z.array(z.string().regex(/^[0-9a-f]{16}$/)),
  counts: z.record(z.string(), count),
  scores: z.record(z.string(), BundleScoreSchema).optional(),
});

export type UsageRecord = z.infer<typeof UsageRecordSchema>;
export type ErrorRecord = z.infer<typeof ErrorRecordSchema>;
export type GenerationRecord = z.infer<typeof GenerationRecordSchema>;
export type GenerationFailureRecord = z.infer<typeof GenerationFailureRecordSchema>;
export type BatchOutputLine = z.infer<typeof BatchOutputLineSchema>;
export type CandidateRecord = z.infer<typeof CandidateRecordSchema>;
export type MetricRecord = z.infer<typeof MetricRecordSchema>;
export type EvaluationRecord = z.infer<typeof EvaluationRecordSchema>;
export type BundleScore = z.infer<typeof BundleScoreSchema>;
export type BundleManifest = z.infer<typeof BundleManifestSchema>;

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
 * import { checkHandoff } from "./handoff_schemas.ts";
 * const checked = checkHandoff("generation", { custom_id: "c1", text: 4 });
 * console.assert(!checked.ok && checked.issues[0].startsWith("text:"));
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
