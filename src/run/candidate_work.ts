/**
 * The work a worker (or the inline executor) runs: a generation attempt, or one candidate's
 * pending parses and scores. Both come back as plain data and never throw for plugin
 * failures; each failure names the stage it happened in. Generation and stages are separate
 * tasks so a generation is recorded before any metric runs: a metric that hangs or crashes
 * never costs another model call.
 */
import type { Json, JsonObject } from "../core/json.ts";
import type { PlannedParse, PlannedScore } from "../plan/plan_trials.ts";
import type { Registry } from "../plugins/registry.ts";
import type {
  ChatMessage,
  GenerationOutput,
  GenerationRequest,
  ModelRef,
  TokenUsage,
} from "../plugins/types.ts";
import type { PluginRef } from "../spec/schemas.ts";
import { runGenerationWork } from "./generation_work.ts";
import { recordingSecrets, redactValues } from "./secrets.ts";
import { runStagesWork } from "./stage_work.ts";
import type { MetricValue, ParseOutcome } from "./stages.ts";
import { type PhaseBoard, type StageTimeouts, TaskClock } from "./task_clock.ts";
import type { WorkError } from "./work_error.ts";

export { toWorkError, type WorkError } from "./work_error.ts";

/** A generation attempt. */
export interface GenerationTask {
  kind: "generation";
  request: GenerationRequest;
  hooks: PluginRef[];
  timeouts: StageTimeouts;
  /** Only inline tasks carry runtime values; workers read their own. */
  runtime?: Record<string, string>;
}

/** One candidate's pending parses and scores over its text. */
export interface StagesTask {
  kind: "stages";
  trialId: string;
  candidateId: string;
  text: string;
  item: JsonObject;
  parses: PlannedParse[];
  scores: PlannedScore[];
  /** Answers of parses already in the store, by parse hash (null: parsed, but no answer). */
  knownAnswers: Record<string, { ok: boolean; answer?: Json }>;
  hooks: PluginRef[];
  timeouts: StageTimeouts;
  runtime?: Record<string, string>;
  /** Judge answers this candidate already has in the store, by judge call id. */
  judgeCache?: Record<string, { text: string; usage?: TokenUsage }>;
}

/** Any task an executor runs. */
export type WorkTask = GenerationTask | StagesTask;

/** What came of a generation attempt. */
export type GenerationOutcome =
  | { ok: true; output: GenerationOutput; latencyMs: number }
  | { ok: false; error: WorkError };

/** What came of a stages task: one entry per parse and score it was given. */
export interface StagesOutcome {
  parses: Array<{ hash: string; outcome?: ParseOutcome; error?: WorkError }>;
  scores: Array<{ hash: string; metrics?: MetricValue[]; error?: WorkError; skipped?: string }>;
  judgeCalls?: JudgeCall[];
}

/** The result type of a task. */
export type WorkResult<T extends WorkTask> = T extends GenerationTask ? GenerationOutcome
  : StagesOutcome;

/** One judge call made (or found cached) while scoring. */
export interface JudgeCall {
  id: string;
  score: string;
  metric: string;
  model: ModelRef;
  messages: ChatMessage[];
  params: JsonObject;
  text: string;
  usage?: TokenUsage;
  latencyMs: number;
  cached: boolean;
}

/** What one candidate's work wrote, in the shape the event recorder reads. */
export interface CandidateResult extends StagesOutcome {
  generation?: GenerationOutcome;
}

/** Where a task runs: secrets it may read, and where its phases are published. */
export interface RunWorkOptions {
  secret?: (name: string) => string | undefined;
  board?: PhaseBoard;
  /** Awaited after each phase (see {@linkcode TaskClock}). */
  settle?: () => Promise<void>;
}

/**
 * Run one task against a registry. Every secret the task's plugins read is redacted from what
 * it returns (a server may echo a key inside a completion), so no key reaches an event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runWork } from "./candidate_work.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * const timeouts = { generation: 1e3, parse: 1e3, score: 1e3, judge: 1e3, hook: 1e3 };
 * const result = await runWork({
 *   kind: "stages", trialId: "t", candidateId: "c", text: "x = 42", item: { answer: 42 },
 *   parses: [{ hash: "p", taskId: "t", name: "num", extractors: [{ id: "first_number", config: {} }] }],
 *   scores: [], knownAnswers: {}, hooks: [], timeouts,
 * }, createRegistry());
 * assert.equal(result.parses[0].outcome?.answer, 42);
 * ```
 */
export async function runWork<T extends WorkTask>(
  task: T,
  registry: Registry,
  options: RunWorkOptions = {},
): Promise<WorkResult<T>> {
  const secrets = recordingSecrets(options.secret ?? (() => undefined));
  const clock = new TaskClock(task.timeouts, options.board, options.settle);
  const context = { registry, secret: secrets.read, clock };
  const result = task.kind === "generation"
    ? await runGenerationWork(task, context)
    : await runStagesWork(task, context);
  return (secrets.values.size > 0 ? redactValues(result, secrets.values) : result) as WorkResult<
    T
  >;
}

/** A whole candidate in one call: the shape engine contract tests use. */
export interface CandidateTask {
  generation?: { request: GenerationRequest; timeoutMs: number };
  text?: string;
  item: JsonObject;
  parses: PlannedParse[];
  scores: PlannedScore[];
  knownAnswers: StagesTask["knownAnswers"];
  hooks: PluginRef[];
  runtime?: Record<string, string>;
  judgeCache?: StagesTask["judgeCache"];
}

/**
 * Run one candidate in-process — its generation, then its parses and scores — with every
 * timeout at the generation's. For tests and tools; the scheduler runs the two halves as
 * separate tasks.
 */
export async function runCandidateWork(
  task: CandidateTask,
  registry: Registry,
  secret: (name: string) => string | undefined = () => undefined,
): Promise<CandidateResult> {
  const ms = task.generation?.timeoutMs ?? 120_000;
  const timeouts = { generation: ms, parse: ms, score: ms, judge: ms, hook: ms };
  const result: CandidateResult = { parses: [], scores: [] };
  let text = task.text;
  const request = task.generation?.request;
  if (request) {
    const gen = { kind: "generation" as const, request, hooks: task.hooks, timeouts };
    result.generation = await runWork({ ...gen, runtime: task.runtime }, registry, { secret });
    if (!result.generation.ok) return result;
    text = result.generation.output.text;
  }
  if (text === undefined) return result;
  const stages = await runWork(
    {
      kind: "stages",
      trialId: request?.trialId ?? "",
      candidateId: request?.candidateId ?? "",
      text,
      item: task.item,
      parses: task.parses,
      scores: task.scores,
      knownAnswers: task.knownAnswers,
      hooks: task.hooks,
      timeouts,
      runtime: task.runtime,
      judgeCache: task.judgeCache,
    },
    registry,
    { secret },
  );
  return { ...result, ...stages };
}
