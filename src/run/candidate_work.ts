/**
 * One candidate's work as one unit: an optional generation attempt, then the parses and scores
 * still pending for it. The inline executor and every pool worker run this same function, so
 * both give identical results; it returns plain data and never throws for plugin failures.
 */
import { errorMessage, isThemisError, ThemisError } from "../core/errors.ts";
import type { Json, JsonObject } from "../core/json.ts";
import type { PlannedParse, PlannedScore } from "../plan/plan_trials.ts";
import type { Registry } from "../plugins/registry.ts";
import type {
  ChatMessage,
  GenerationOutput,
  GenerationRequest,
  Hook,
  HookContext,
  MetricContext,
  MetricInput,
  MetricResult,
  ModelRef,
  TokenUsage,
} from "../plugins/types.ts";
import { contentHash } from "../core/canonical.ts";
import type { PluginRef } from "../spec/schemas.ts";
import { type MetricValue, type ParseOutcome, runParse, runScore } from "./stages.ts";

/** A failure as it crosses the worker boundary. */
export interface WorkError {
  code: string;
  message: string;
  where: string;
  details?: JsonObject;
  causes: string[];
}

/** The work of one candidate. */
export interface CandidateTask {
  /** Present when this task makes a generation attempt. */
  generation?: { request: GenerationRequest; timeoutMs: number };
  /** The candidate's text when it was generated before. */
  text?: string;
  item: JsonObject;
  parses: PlannedParse[];
  scores: PlannedScore[];
  /** Answers of parses already in the store, by parse hash (null: parsed, but no answer). */
  knownAnswers: Record<string, { ok: boolean; answer?: Json }>;
  hooks: PluginRef[];
  runtime?: Record<string, string>;
  /** Judge answers this candidate already has in the store, by judge call id. */
  judgeCache?: Record<string, { text: string; usage?: TokenUsage }>;
  /** Seconds one judge call may take. */
  judgeTimeoutMs?: number;
}

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

/** What came of one candidate task. */
export interface CandidateResult {
  generation?:
    | { ok: true; output: GenerationOutput; latencyMs: number }
    | { ok: false; error: WorkError };
  parses: Array<{ hash: string; outcome?: ParseOutcome; error?: WorkError }>;
  scores: Array<{ hash: string; metrics?: MetricValue[]; error?: WorkError; skipped?: string }>;
  judgeCalls?: JudgeCall[];
}

/** A ThemisError-shaped record of anything thrown, with where it happened. */
export function toWorkError(error: unknown, where: string): WorkError {
  const causes: string[] = [];
  let cause = (error as { cause?: unknown })?.cause;
  while (cause !== undefined && causes.length < 5) {
    causes.push(errorMessage(cause));
    cause = (cause as { cause?: unknown })?.cause;
  }
  if (isThemisError(error)) {
    return {
      code: error.code,
      message: error.message,
      where,
      details: JSON.parse(JSON.stringify(error.details ?? {})),
      causes,
    };
  }
  return { code: "PLUGIN_ERROR", message: errorMessage(error), where, causes };
}

/** Apply hooks of one phase in order. */
function applyHooks<T>(
  hooks: Array<{ hook: Hook; config: JsonObject }>,
  phase: keyof Hook,
  value: T,
  base: Omit<HookContext, "config">,
): T {
  let current = value;
  for (const { hook, config } of hooks) {
    const fn = hook[phase] as ((v: T, c: HookContext) => T) | undefined;
    if (typeof fn === "function") current = fn.call(hook, current, { ...base, config });
  }
  return current;
}

async function generateOnce(
  task: CandidateTask,
  registry: Registry,
  hooks: Array<{ hook: Hook; config: JsonObject }>,
  secret: (name: string) => string | undefined,
): Promise<CandidateResult["generation"]> {
  const { request, timeoutMs } = task.generation!;
  const base = { candidateId: request.candidateId, trialId: request.trialId };
  const where = `generation:${request.model.provider}/${request.model.model_id}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const started = performance.now();
  try {
    const engine = registry.engine(request.model.provider);
    const prepared = applyHooks(hooks, "preInference", request, base);
    const raced = await Promise.race([
      engine.generate(prepared, { signal: controller.signal, runtime: task.runtime, secret }),
      new Promise<never>((_, reject) =>
        controller.signal.addEventListener("abort", () =>
          reject(
            new ThemisError(
              "PROVIDER_TIMEOUT",
              `${request.model.provider}/${request.model.model_id} did not answer within ` +
                `${timeoutMs / 1000}s (execution_policy.attempt_timeout)`,
            ),
          ), { once: true })
      ),
    ]);
    const output = applyHooks(hooks, "postInference", raced, base);
    if (typeof output?.text !== "string") {
      throw new ThemisError("PROVIDER_MALFORMED", `engine "${engine.id}" returned no text`);
    }
    return { ok: true, output, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error: toWorkError(error, where) };
  } finally {
    clearTimeout(timer);
  }
}

function parseAll(
  task: CandidateTask,
  text: string,
  registry: Registry,
  hooks: Array<{ hook: Hook; config: JsonObject }>,
  base: Omit<HookContext, "config">,
): CandidateResult["parses"] {
  return task.parses.map((parse) => {
    try {
      const input = applyHooks(hooks, "preExtraction", text, base);
      const outcome = runParse(parse, input, registry);
      if (outcome.ok) {
        outcome.answer = applyHooks(hooks, "postExtraction", outcome.answer as Json, base);
      }
      return { hash: parse.hash, outcome };
    } catch (error) {
      return { hash: parse.hash, error: toWorkError(error, `parse:${parse.name}`) };
    }
  });
}

function hookedRegistry(
  registry: Registry,
  hooks: Array<{ hook: Hook; config: JsonObject }>,
  base: Omit<HookContext, "config">,
): Registry {
  if (!hooks.some(({ hook }) => hook.preEvaluation || hook.postEvaluation)) return registry;
  // Wrap metric lookups so evaluation hooks run around every metric call.
  return new Proxy(registry, {
    get(target, prop, receiver) {
      if (prop !== "metric") return Reflect.get(target, prop, receiver);
      return (id: string, where?: string) => {
        const metric = target.metric(id, where);
        return {
          ...metric,
          score: (input: MetricInput, config: JsonObject): MetricResult => {
            const prepared = applyHooks(hooks, "preEvaluation", input, base);
            return applyHooks(hooks, "postEvaluation", metric.score(prepared, config), base);
          },
        };
      };
    },
  });
}

/**
 * Run one candidate task against a registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCandidateWork } from "./candidate_work.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * const result = await runCandidateWork({ text: "42", item: { answer: "42" }, parses: [],
 *   scores: [], knownAnswers: {}, hooks: [] }, createRegistry());
 * assert.equal(result.parses.length, 0);
 * ```
 */
export async function runCandidateWork(
  task: CandidateTask,
  registry: Registry,
  secret: (name: string) => string | undefined = () => undefined,
): Promise<CandidateResult> {
  const hooks = task.hooks.map((ref) => ({
    hook: registry.hook(ref.id),
    config: ref.config as JsonObject,
  }));
  const result: CandidateResult = { parses: [], scores: [] };
  let text = task.text;
  if (task.generation) {
    result.generation = await generateOnce(task, registry, hooks, secret);
    if (!result.generation!.ok) return result;
    text = result.generation!.output.text;
  }
  if (text === undefined) return result;
  const request = task.generation?.request;
  const base = { candidateId: request?.candidateId ?? "", trialId: request?.trialId ?? "" };
  result.parses = parseAll(task, text, registry, hooks, base);
  const answers = { ...task.knownAnswers };
  for (const p of result.parses) {
    if (p.outcome) answers[p.hash] = { ok: p.outcome.ok, answer: p.outcome.answer };
  }
  const scoring = hookedRegistry(registry, hooks, base);
  const judgeCalls: JudgeCall[] = [];
  for (const score of task.scores) {
    let answer: Json | undefined;
    if (score.parseHash !== null) {
      const known = answers[score.parseHash];
      // An answer that could not be extracted is never scored as a wrong answer.
      if (!known?.ok) {
        result.scores.push({ hash: score.hash, skipped: known ? "no_answer" : "parse_missing" });
        continue;
      }
      answer = known.answer;
    }
    const context = judgeContext(
      task,
      registry,
      secret,
      (call) => judgeCalls.push({ ...call, score: score.hash }),
    );
    try {
      const metrics = await runScore(score, { text, answer, item: task.item }, scoring, context);
      result.scores.push({ hash: score.hash, metrics });
    } catch (error) {
      result.scores.push({ hash: score.hash, error: toWorkError(error, `score:${score.name}`) });
    }
  }
  if (judgeCalls.length > 0) result.judgeCalls = judgeCalls;
  return result;
}

/** The identity of a judge call: same model, messages and params, same answer reused. */
export function judgeCallId(model: ModelRef, messages: ChatMessage[], params: JsonObject): string {
  return contentHash({
    kind: "judge",
    model: { id: model.model_id, provider: model.provider, extras: model.extras },
    messages,
    params,
  });
}

function judgeContext(
  task: CandidateTask,
  registry: Registry,
  secret: (name: string) => string | undefined,
  record: (call: Omit<JudgeCall, "score">) => void,
): MetricContext {
  return {
    async judge(request) {
      const id = judgeCallId(request.model, request.messages, request.params);
      const call = { id, metric: "llm_judge", ...request };
      const cached = task.judgeCache?.[id];
      if (cached) {
        record({ ...call, text: cached.text, usage: cached.usage, latencyMs: 0, cached: true });
        return { text: cached.text, usage: cached.usage, cached: true };
      }
      const engine = registry.engine(request.model.provider);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), task.judgeTimeoutMs ?? 120_000);
      const started = performance.now();
      try {
        const output = await engine.generate({
          model: request.model,
          messages: request.messages,
          params: request.params,
          seed: 0,
          trialId: "",
          candidateId: id,
          sampleIndex: 0,
          item: { id: "", payload: task.item },
        }, { signal: controller.signal, runtime: task.runtime, secret });
        const latencyMs = Math.round(performance.now() - started);
        record({ ...call, text: output.text, usage: output.usage, latencyMs, cached: false });
        return { text: output.text, usage: output.usage, cached: false };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
