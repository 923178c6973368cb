/**
 * The event catalogue: every event type of a run's log and the shape of its data, as zod
 * schemas. It is the one definition the writer (types), the state fold (types), the analytics
 * projections (the DuckDB column types of `data`) and `docs/events.md` (generated) follow.
 */
import { z } from "npm:zod@4.6.7";
import type { EventDataMap } from "./event_types.ts";

/** Schema version of the event envelope; readers upcast older versions (docs/events.md). */
export const EVENT_VERSION = 2;

const json = z.json();
const count = z.number().int().min(0);
const stages = z.array(z.enum(["generation", "parse", "score"]));

const errorData = z.object({
  code: z.string().describe("stable error code (`PROVIDER_TIMEOUT`, `PLUGIN_ERROR`, …)"),
  message: z.string().describe("what failed and how to fix it"),
  where: z.string().optional().describe(
    "the stage and plugin that failed (`generation:openai/gpt`)",
  ),
  stage: z.enum(["generation", "parse", "score", "judge", "hook"]).optional().describe(
    "the stage the failure happened in",
  ),
  retryable: z.boolean().optional().describe("whether the policy retries this code"),
  causes: z.array(z.string()).optional().describe("messages of the error's causes"),
  details: z.record(z.string(), json).optional().describe("the error's details"),
  provider: z.string().optional().describe("provider of the failed generation"),
  model: z.string().optional().describe("model of the failed generation"),
}).strict();

const usage = z.object({
  prompt_tokens: count.nullable().describe("prompt tokens (null: the engine did not say)"),
  completion_tokens: count.nullable().describe("completion tokens (null: not said)"),
}).strict();

const plannedCounts = z.object({
  trials: count.describe("trials"),
  candidates: count.describe("candidates (trials × samples)"),
  parses: count.describe("parse work items"),
  scores: count.describe("score work items"),
}).strict();

/** Marks of facts that came from an import rather than a local execution. */
const importMarks = {
  source: z.enum(["import", "batch"]).optional().describe(
    "`import` for imported facts, `batch` for generations a provider's Batch API made",
  ),
  bundle: z.string().nullable().optional().describe("the bundle id the facts came from"),
  batch: z.string().optional().describe("the provider's batch id the facts came from"),
};

const batchState = z.enum([
  "validating",
  "in_progress",
  "finalizing",
  "cancelling",
  "completed",
  "failed",
  "expired",
  "cancelled",
]);

const batchCounts = z.object({
  total: count.describe("requests in the batch"),
  completed: count.describe("requests that succeeded so far"),
  failed: count.describe("requests that failed so far (errors, expired, cancelled)"),
}).strict();

const extractionAttempt = z.object({
  extractor: z.string().describe("the extractor"),
  ok: z.boolean().describe("whether it found an answer"),
  error: z.string().optional().describe("why not"),
}).strict();

const chatMessage = z.object({
  role: z.string().describe("who speaks"),
  content: z.string().describe("the text"),
}).strict();

const metricValue = z.object({
  metric: z.string().describe("the metric id"),
  value: z.number().describe("its value"),
  details: z.record(z.string(), json).optional().describe("what it saw and decided"),
}).strict();

/** Where an event type's data lives and what it says. */
interface CatalogueEntry {
  overlay: "none" | "trial" | "gen" | "tf" | "ev";
  description: string;
  data: z.ZodObject;
}

/** Every event type, with its data schema. Keys name past facts. */
export const EVENT_CATALOGUE = {
  "run.started": {
    overlay: "none",
    description: "an execution of the run began (a run, a resume, a stage command or an import)",
    data: z.object({
      stages: stages.describe("the stages this execution runs"),
      executor: z.string().describe("`pool`, `inline` or `import`"),
      note: z.string().optional().describe("why the executor differs from the project's"),
      tool_version: z.string().describe("themis version"),
      counts: plannedCounts.describe("planned trials, candidates, parse and score work items"),
      ...importMarks,
    }).strict(),
  },
  "run.finished": {
    overlay: "none",
    description: "the execution ended (also after a cancel, a budget or a breaker stop)",
    data: z.object({
      stages: stages.describe("the stages this execution ran"),
      counts: z.record(z.string(), json).describe("what this execution did (execution counts)"),
      cancelled: z.boolean().describe("true when it was cancelled"),
      stopped: z.string().nullable().optional().describe(
        "why it stopped early: `max_cost`, `cancelled`, `circuit_open`, or null",
      ),
    }).strict(),
  },
  "trial.planned": {
    overlay: "trial",
    description: "v1 only (read, never written): a run reached a trial. Version 2 keeps the " +
      "run's trials in its plan segments (`plan/`)",
    data: z.object({
      benchmark_id: z.string().nullable().optional().describe("the benchmark id"),
      slice_id: z.string().describe("slice (task) id"),
      model_id: z.string().describe("model id"),
      provider: z.string().optional().describe("the model's engine"),
      prompt_variant_id: z.string().describe("prompt variant id"),
      params: z.record(z.string(), json).optional().describe("inference parameters"),
      params_index: count.describe("index of the parameters in the slice's grid"),
      item_id: z.string().describe("dataset item id"),
      dimensions: z.record(z.string(), json).optional().describe("the slice's dimensions"),
      num_samples: count.describe("candidates planned"),
      item: z.record(z.string(), json).optional().describe("the item's payload"),
      messages: z.array(chatMessage).optional().describe("the rendered prompt"),
      ...importMarks,
    }).strict(),
  },
  "generation.completed": {
    overlay: "gen",
    description: "a candidate was generated",
    data: z.object({
      sample: count.describe("sample index"),
      model: z.string().optional().describe("model id (from version 2)"),
      text: z.string().describe("the model's output"),
      finish_reason: z.string().nullable().describe("why generation stopped (engine's words)"),
      usage: usage.describe("token counts"),
      latency_ms: z.number().nullable().describe("wall time of the successful attempt"),
      attempts: count.describe("attempts it took (1 = first try)"),
      meta: z.record(z.string(), json).describe("engine metadata (request id, …)"),
      ...importMarks,
    }).strict(),
  },
  "generation.failed": {
    overlay: "gen",
    description: "a candidate's generation failed after its attempts (resume tries again)",
    data: z.object({
      sample: count.describe("sample index"),
      error: errorData.describe("the last attempt's error"),
      attempts: count.describe("attempts made"),
      ...importMarks,
    }).strict(),
  },
  "attempt.retried": {
    overlay: "gen",
    description: "a generation attempt failed with a retryable error; another follows",
    data: z.object({
      attempt: count.describe("the failed attempt's number"),
      error: errorData.describe("its error"),
      delay_ms: z.number().describe("backoff before the next attempt"),
    }).strict(),
  },
  "parse.completed": {
    overlay: "tf",
    description: "a parse found an answer in a candidate's text",
    data: z.object({
      name: z.string().describe("parse name"),
      answer: json.describe("the extracted answer"),
      extractor: z.string().describe("the extractor that answered"),
      attempts: z.array(extractionAttempt).describe("every extractor tried, in order"),
      ...importMarks,
    }).strict(),
  },
  "parse.failed": {
    overlay: "tf",
    description: "a parse found no answer (`kind = invalid`: final) or failed (`error`: retried)",
    data: z.object({
      name: z.string().describe("parse name"),
      kind: z.enum(["invalid", "error"]).describe("`invalid`: no extractor answered; `error`"),
      attempts: z.array(extractionAttempt).optional().describe("extractors tried (invalid)"),
      error: errorData.optional().describe("the error (kind = error)"),
      ...importMarks,
    }).strict(),
  },
  "score.completed": {
    overlay: "ev",
    description: "a score's metrics were computed for a candidate, or (`invalid`) its parse " +
      "found no answer and each metric holds its failing value",
    data: z.object({
      name: z.string().describe("score name"),
      parse: z.string().nullable().describe("the parse hash it read (null: the raw text)"),
      metrics: z.array(metricValue).describe("each metric's value and details"),
      invalid: z.literal(true).optional().describe(
        "the parse found no answer: nothing was scored, each metric's value is its failing " +
          "value (the range's minimum); aggregates count it in `n_invalid`",
      ),
      ...importMarks,
    }).strict(),
  },
  "score.failed": {
    overlay: "ev",
    description: "a score failed (`kind = error`, retried) or its judge gave no verdict " +
      "(`invalid`, final)",
    data: z.object({
      name: z.string().describe("score name"),
      parse: z.string().nullable().describe("the parse hash it read"),
      kind: z.enum(["invalid", "error"]).optional().describe("`invalid` or `error`"),
      error: errorData.describe("the error"),
      ...importMarks,
    }).strict(),
  },
  "judge.completed": {
    overlay: "ev",
    description: "an LLM judge answered while a score was computed (the judge-call cache)",
    data: z.object({
      id: z.string().describe("judge call id (model, messages, params)"),
      metric: z.string().describe("metric id"),
      model_id: z.string().describe("judge model"),
      provider: z.string().describe("judge provider"),
      messages: z.array(chatMessage).describe("messages sent"),
      params: z.record(z.string(), json).describe("inference parameters"),
      text: z.string().describe("the judge's answer"),
      usage: usage.describe("token counts"),
      latency_ms: z.number().nullable().describe("wall time of the call"),
    }).strict(),
  },
  "batch.submitted": {
    overlay: "none",
    description: "pending generations were sent to a provider's Batch API as one batch (the " +
      "`batch` backend); its results are imported by `resume`",
    data: z.object({
      batch: z.string().describe("the provider's batch id"),
      provider: z.enum(["openai", "anthropic"]).describe("whose Batch API"),
      model: z.string().describe("the model id of every request in the batch"),
      part: count.describe("index of the batch among those this submit sent for the model"),
      requests: count.describe("requests in the batch"),
      bytes: count.describe("bytes of the requests (JSONL) sent"),
      input_file: z.string().nullable().describe("the uploaded input file (OpenAI), else null"),
      custom_ids: z.array(z.string()).describe("the candidate ids the batch holds, in order"),
    }).strict(),
  },
  "batch.status": {
    overlay: "none",
    description: "a batch's state as the provider reported it, written when it changed",
    data: z.object({
      batch: z.string().describe("the provider's batch id"),
      state: batchState.describe("normalized state (`completed`, `expired` … end a batch)"),
      provider_status: z.string().describe("the provider's own word for it"),
      counts: batchCounts.describe("request counts the provider reports"),
      output_file: z.string().nullable().optional().describe("results file (OpenAI)"),
      error_file: z.string().nullable().optional().describe("errors file (OpenAI)"),
    }).strict(),
  },
  "batch.imported": {
    overlay: "none",
    description: "an ended batch's results were imported as generation events: nothing of it " +
      "is in flight any more",
    data: z.object({
      batch: z.string().describe("the provider's batch id"),
      state: batchState.describe("the state it ended in"),
      generated: count.describe("generations imported"),
      failed: count.describe("requests recorded as failed generations"),
      skipped: count.describe("results the store already held"),
    }).strict(),
  },
  "circuit.opened": {
    overlay: "none",
    description: "an endpoint's circuit breaker opened: its remaining work stays pending",
    data: z.object({
      provider: z.string().describe("provider"),
      base_url: z.string().nullable().optional().describe(
        "the endpoint's base URL (null: the engine's default)",
      ),
      model: z.string().optional().describe("the model name the endpoint serves"),
      code: z.string().describe("the repeated error code"),
      message: z.string().describe("the last error message"),
      failures: count.describe("consecutive identical failures"),
    }).loose(),
  },
  "concurrency.changed": {
    overlay: "none",
    description: "an endpoint's adaptive window of requests in flight changed",
    data: z.object({
      provider: z.string().describe("provider"),
      base_url: z.string().nullable().describe(
        "the endpoint's base URL (null: the engine's default)",
      ),
      model: z.string().describe("the model name the endpoint serves"),
      from: count.describe("the window before"),
      to: count.describe("the window after"),
      reason: z.enum(["throttled", "recovered"]).describe(
        "`throttled`: the endpoint said too much (429, an overloaded 503); `recovered`: healthy answers grew it",
      ),
      code: z.string().optional().describe("the throttling error code"),
    }).strict(),
  },
} as const satisfies Record<EventType, CatalogueEntry>;

/** Every event type. */
export type EventType = keyof EventDataMap;

/** The data of one event type (`event_types.ts`, generated from this catalogue). */
export type EventData<T extends EventType> = EventDataMap[T];

/** The envelope every event shares. */
export interface EventEnvelope {
  /** Schema version of the event (readers upcast older ones). */
  v: number;
  /** Sequence number in the run's log, from 0. */
  seq: number;
  /** When it was written (ISO 8601). */
  ts: string;
  /** The run whose log holds it. */
  run: string;
  /** The trial it is about, if any. */
  trial?: string;
  /** The candidate it is about, if any. */
  cand?: string;
  /** `gen`, `tf:<parse hash>` or `ev:<score hash>`. */
  overlay?: string;
}

/** One event of a given type. */
export type EventOf<T extends EventType> = EventEnvelope & { type: T; data: EventData<T> };

/** One line of a run's event log: a union discriminated by `type`. */
export type ThemisEvent = { [T in EventType]: EventOf<T> }[EventType];

/** An event before the writer gives it a version, sequence number, time and run. */
export type NewEvent = {
  [T in EventType]: Omit<EventOf<T>, "v" | "seq" | "ts" | "run">;
}[EventType];

/** The event types, in catalogue order. */
export const EVENT_TYPES: ReadonlyArray<EventType> = Object.keys(EVENT_CATALOGUE) as EventType[];

/** True for a known event type. */
export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_CATALOGUE, type);
}

/** Types the writer of version 2 no longer writes (read from version 1 logs). */
export const READ_ONLY_TYPES: ReadonlySet<EventType> = new Set(["trial.planned"]);

const envelopeSchema = {
  v: z.number().int().min(1),
  seq: z.number().int().min(0),
  ts: z.iso.datetime(),
  run: z.string().min(1),
  trial: z.string().optional(),
  cand: z.string().optional(),
  overlay: z.string().optional(),
};

const [firstEvent, ...otherEvents] = EVENT_TYPES.map((type) =>
  z.object({ ...envelopeSchema, type: z.literal(type), data: EVENT_CATALOGUE[type].data }).strict()
);

/** The whole event (envelope and data), validated by type. */
export const EventSchema = z.discriminatedUnion("type", [firstEvent, ...otherEvents]);
