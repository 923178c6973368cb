import type { Json } from "../core/json.ts";
import { contentHash } from "../core/canonical.ts";
import type { PlannedParse } from "../plan/plan_trials.ts";
import type { ChatMessage, HookContext, MetricContext, ModelRef } from "../plugins/types.ts";
import type { JsonObject } from "../core/json.ts";
import type { JudgeCall, StagesOutcome, StagesTask } from "./candidate_work.ts";
import { configuredHooks, type WorkContext } from "./generation_work.ts";
import { type ConfiguredHook, runHooks } from "./run_hooks.ts";
import { type ParseOutcome, runParse, scoreMetrics } from "./stages.ts";
import { toWorkError } from "./work_error.ts";

/** The identity of a judge call: same model, messages and params, same answer reused. */
export function judgeCallId(model: ModelRef, messages: ChatMessage[], params: JsonObject): string {
  return contentHash({
    kind: "judge",
    model: { id: model.model_id, provider: model.provider, extras: model.extras },
    messages,
    params,
  });
}

interface Scope {
  task: StagesTask;
  context: WorkContext;
  hooks: ConfiguredHook[];
  base: Omit<HookContext, "config">;
}

type ParseResult = StagesOutcome["parses"][number];

/** One parse as a `parse` phase: its outcome right away when the extractors are synchronous. */
function parseOne(
  parse: PlannedParse,
  item: number,
  scope: Scope,
): ParseResult | Promise<ParseResult> {
  const { task, context, hooks } = scope;
  const where = `parse:${parse.name}`;
  try {
    const outcome = hooks.length > 0 ? hookedParse(parse, item, scope) : context.clock.call(
      "parse",
      item,
      where,
      () => runParse(parse, task.text, context.registry),
    );
    if (!(outcome instanceof Promise)) return { hash: parse.hash, outcome };
    return outcome.then(
      (outcome) => ({ hash: parse.hash, outcome }),
      (error) => ({ hash: parse.hash, error: toWorkError(error, where, "parse") }),
    );
  } catch (error) {
    return { hash: parse.hash, error: toWorkError(error, where, "parse") };
  }
}

/** A parse with hooks: `preExtraction` on the text, `postExtraction` on the answer. */
async function hookedParse(parse: PlannedParse, item: number, scope: Scope): Promise<ParseOutcome> {
  const { task, context, hooks, base } = scope;
  const hooked = { base, clock: context.clock, item };
  const text = await runHooks(hooks, "preExtraction", task.text, hooked);
  const outcome = await context.clock.run(
    "parse",
    item,
    `parse:${parse.name}`,
    () => runParse(parse, text, context.registry),
  );
  if (outcome.ok) {
    outcome.answer = await runHooks(hooks, "postExtraction", outcome.answer as Json, hooked);
  }
  return outcome;
}

/**
 * One candidate's pending parses, then its pending scores, over its text: each extractor chain
 * a `parse` phase, each metric call a `score` phase, each judge call a `judge` phase inside it.
 * A score over a parse without an answer is skipped, never scored as wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runStagesWork } from "./stage_work.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * import { TaskClock } from "./task_clock.ts";
 * const timeouts = { generation: 1e3, parse: 1e3, score: 1e3, judge: 1e3, hook: 1e3 };
 * const out = await runStagesWork({ kind: "stages", trialId: "t", candidateId: "c", text: "none",
 *   item: { answer: "4" }, hooks: [], timeouts, knownAnswers: {},
 *   parses: [{ hash: "p", taskId: "t", name: "num", extractors: [{ id: "first_number", config: {} }] }],
 *   scores: [{ hash: "s", taskId: "t", name: "acc", parseHash: "p", parseName: "num",
 *     metrics: [{ id: "exact_match", config: {} }], reduction: "mean" }],
 * }, { registry: createRegistry(), secret: () => undefined, clock: new TaskClock(timeouts) });
 * assert.deepEqual(out.scores, [{ hash: "s", skipped: "no_answer" }]);
 * ```
 */
export async function runStagesWork(
  task: StagesTask,
  context: WorkContext,
): Promise<StagesOutcome> {
  const base = { candidateId: task.candidateId, trialId: task.trialId };
  let hooks: ConfiguredHook[] = NO_HOOKS;
  try {
    if (task.hooks.length > 0) hooks = configuredHooks(task.hooks, context.registry);
  } catch (error) {
    const failure = toWorkError(error, "hooks", "hook");
    return {
      parses: task.parses.map((p) => ({ hash: p.hash, error: failure })),
      scores: task.scores.map((s) => ({ hash: s.hash, error: failure })),
    };
  }
  const scope: Scope = { task, context, hooks, base };
  const result: StagesOutcome = { parses: [], scores: [] };
  // Synchronous plugins run without a promise per call: awaits only where one came back.
  for (let i = 0; i < task.parses.length; i++) {
    const parsed = parseOne(task.parses[i], i, scope);
    result.parses.push(parsed instanceof Promise ? await parsed : parsed);
  }
  const judgeCalls: JudgeCall[] = [];
  for (let j = 0; j < task.scores.length; j++) {
    const score = task.scores[j];
    const item = task.parses.length + j;
    let answer: Json | undefined;
    if (score.parseHash !== null) {
      const known = answerOf(score.parseHash, result, task);
      // An answer that could not be extracted is never scored as a wrong answer.
      if (!known?.ok) {
        result.scores.push({ hash: score.hash, skipped: known ? "no_answer" : "parse_missing" });
        continue;
      }
      answer = known.answer;
    }
    const judge = judgeContext(
      scope,
      item,
      (call) => judgeCalls.push({ ...call, score: score.hash }),
    );
    try {
      const metrics = scoreMetrics(
        score,
        { text: task.text, answer, item: task.item },
        context.registry,
        { context: judge, clock: context.clock, item, hooks, base },
      );
      result.scores.push({
        hash: score.hash,
        metrics: metrics instanceof Promise ? await metrics : metrics,
      });
    } catch (error) {
      result.scores.push({
        hash: score.hash,
        error: toWorkError(error, `score:${score.name}`, "score"),
      });
    }
  }
  if (judgeCalls.length > 0) result.judgeCalls = judgeCalls;
  return result;
}

const NO_HOOKS: ConfiguredHook[] = [];

/** A parse's answer: from this task's parses, else from the store (undefined: neither). */
function answerOf(
  hash: string,
  result: StagesOutcome,
  task: StagesTask,
): { ok: boolean; answer?: Json } | undefined {
  for (let i = result.parses.length - 1; i >= 0; i--) {
    const { hash: parsed, outcome } = result.parses[i];
    if (parsed === hash && outcome) return outcome;
  }
  return Object.hasOwn(task.knownAnswers, hash) ? task.knownAnswers[hash] : undefined;
}

function judgeContext(
  scope: Scope,
  item: number,
  record: (call: Omit<JudgeCall, "score">) => void,
): MetricContext {
  const { task, context } = scope;
  return {
    async judge(request) {
      const id = judgeCallId(request.model, request.messages, request.params);
      const call = { id, metric: "llm_judge", ...request };
      const cached = task.judgeCache?.[id];
      if (cached) {
        record({ ...call, text: cached.text, usage: cached.usage, latencyMs: 0, cached: true });
        return { text: cached.text, usage: cached.usage, cached: true };
      }
      const engine = context.registry.engine(request.model.provider);
      const controller = new AbortController();
      const started = performance.now();
      const output = await context.clock.run(
        "judge",
        item,
        `judge:${request.model.provider}/${request.model.model_id}`,
        () =>
          engine.generate({
            model: request.model,
            messages: request.messages,
            params: request.params,
            seed: 0,
            trialId: "",
            candidateId: id,
            sampleIndex: 0,
            item: { id: "", payload: task.item },
          }, { signal: controller.signal, runtime: task.runtime, secret: context.secret }),
        () => controller.abort(),
      );
      const latencyMs = Math.round(performance.now() - started);
      record({ ...call, text: output.text, usage: output.usage, latencyMs, cached: false });
      return { text: output.text, usage: output.usage, cached: false };
    },
  };
}
