/**
 * The stage functions: one candidate's parse chain and scores. The registry only looks plugins
 * up and the task's clock only keeps time, so the inline executor and the worker pool run the
 * very same code.
 */
import { errorMessage, ThemisError } from "../core/errors.ts";
import type { Json, JsonObject } from "../core/json.ts";
import type { PlannedParse, PlannedScore } from "../plan/plan_trials.ts";
import type { Registry } from "../plugins/registry.ts";
import type {
  HookContext,
  Metric,
  MetricContext,
  MetricInput,
  MetricResult,
} from "../plugins/types.ts";
import type { PluginRef } from "../spec/schemas.ts";
import { type ConfiguredHook, runHooks } from "./run_hooks.ts";
import { PhaseFailure, TaskClock } from "./task_clock.ts";

/** One extractor attempt of a parse chain. */
export interface ExtractionAttempt {
  extractor: string;
  ok: boolean;
  error?: string;
}

/** The outcome of a parse chain. */
export interface ParseOutcome {
  ok: boolean;
  answer?: Json;
  extractor?: string;
  attempts: ExtractionAttempt[];
}

/**
 * Run a parse's extractors in order; the first that succeeds gives the answer. Every attempt is
 * kept so a researcher can see why a text did not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runParse } from "./stages.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * const out = runParse({ hash: "h", taskId: "t", name: "n",
 *   extractors: [{ id: "first_number", config: {} }] }, "x = 42", createRegistry());
 * assert.equal(out.answer, 42);
 * ```
 */
export function runParse(parse: PlannedParse, text: string, registry: Registry): ParseOutcome {
  const attempts: ExtractionAttempt[] = [];
  for (const ref of parse.extractors) {
    const result = registry.extractor(ref.id).extract(text, ref.config as JsonObject);
    if (result.ok) {
      attempts.push({ extractor: ref.id, ok: true });
      return { ok: true, answer: result.answer, extractor: ref.id, attempts };
    }
    attempts.push({ extractor: ref.id, ok: false, error: result.error });
  }
  return { ok: false, attempts };
}

/** One metric's value inside a score. */
export interface MetricValue {
  metric: string;
  value: number;
  details?: JsonObject;
}

/** What a score reads for one candidate. */
export interface ScoreInput {
  text: string;
  /** The parse answer when the score reads a parse. */
  answer?: Json;
  item: JsonObject;
}

/** Where a score's metrics run: the task's clock, its place in the task, evaluation hooks. */
export interface ScoreOptions {
  context?: MetricContext;
  clock?: TaskClock;
  /** The score's index among the task's work items (for the clock's board). */
  item?: number;
  hooks?: ReadonlyArray<ConfiguredHook>;
  base?: Omit<HookContext, "config">;
}

const unclocked = new TaskClock({
  generation: Infinity,
  parse: Infinity,
  score: Infinity,
  judge: Infinity,
  hook: Infinity,
});

/**
 * Compute a score's metrics for one candidate, each metric call a `score` phase of the task's
 * clock (evaluation hooks run around it as `hook` phases). A metric that throws, or returns a
 * non-finite value, fails the score with a `PLUGIN_ERROR` naming the metric.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runScore } from "./stages.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * const score = { hash: "h", taskId: "t", name: "acc", parseHash: null, parseName: null,
 *   reduction: "mean" as const,
 *   metrics: [{ id: "exact_match", config: {} }] };
 * const values = await runScore(score, { text: "4", item: { answer: "4" } }, createRegistry());
 * assert.deepEqual(values, [
 *   { metric: "exact_match", value: 1, details: { prediction: "4", reference: "4" } },
 * ]);
 * ```
 */
export async function runScore(
  score: PlannedScore,
  input: ScoreInput,
  registry: Registry,
  options: ScoreOptions = {},
): Promise<MetricValue[]> {
  return await scoreMetrics(score, input, registry, options);
}

/**
 * {@linkcode runScore} without a promise when every metric call (and hook) is synchronous:
 * its values are returned, its failure thrown. A promise comes back otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scoreMetrics } from "./stages.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * const score = { hash: "h", taskId: "t", name: "acc", parseHash: null, parseName: null,
 *   reduction: "mean" as const, metrics: [{ id: "exact_match", config: {} }] };
 * const values = scoreMetrics(score, { text: "4", item: { answer: "4" } }, createRegistry());
 * assert.ok(Array.isArray(values) && values[0].value === 1);
 * ```
 */
export function scoreMetrics(
  score: PlannedScore,
  input: ScoreInput,
  registry: Registry,
  options: ScoreOptions = {},
): MetricValue[] | Promise<MetricValue[]> {
  const run: ScoreRun = {
    score,
    input,
    registry,
    prediction: score.parseHash === null ? input.text : (input.answer ?? null),
    clock: options.clock ?? unclocked,
    item: options.item ?? 0,
    hooks: options.hooks ?? [],
    base: options.base ?? { candidateId: "", trialId: "" },
    context: options.context ?? noJudge,
    values: [],
  };
  for (const ref of score.metrics) {
    const value = metricValue(ref, run);
    if (value instanceof Promise) return restOfScore(value, run);
    run.values.push(value);
  }
  return run.values;
}

/** One score's metric calls: what each reads, where it runs, and the values so far. */
interface ScoreRun {
  score: PlannedScore;
  input: ScoreInput;
  registry: Registry;
  prediction: Json;
  clock: TaskClock;
  item: number;
  hooks: ReadonlyArray<ConfiguredHook>;
  base: Omit<HookContext, "config">;
  context: MetricContext;
  values: MetricValue[];
}

/** One metric call: the plugin, its config, what it reads. */
interface MetricCall {
  metric: Metric;
  ref: PluginRef;
  input: MetricInput;
}

/** From the first metric that returned a promise on, the metrics one after the other. */
async function restOfScore(pending: Promise<MetricValue>, run: ScoreRun): Promise<MetricValue[]> {
  const { values, score } = run;
  values.push(await pending);
  while (values.length < score.metrics.length) {
    values.push(await metricValue(score.metrics[values.length], run));
  }
  return values;
}

/** One metric call as a `score` phase (evaluation hooks around it as `hook` phases). */
function metricValue(ref: PluginRef, run: ScoreRun): MetricValue | Promise<MetricValue> {
  const metric = run.registry.metric(ref.id);
  const config = ref.config as JsonObject;
  const field = typeof config.reference === "string" ? config.reference : "answer";
  const input: MetricInput = {
    prediction: run.prediction,
    text: run.input.text,
    item: run.input.item,
    reference: run.input.item[field],
  };
  const call: MetricCall = { metric, ref, input };
  if (run.hooks.length > 0) return hookedMetricValue(call, run);
  let result: MetricResult | Promise<MetricResult>;
  try {
    result = run.clock.call(
      "score",
      run.item,
      `score:${run.score.name}/${ref.id}`,
      () => callMetric(call, run.context),
    );
  } catch (failure) {
    throw namedMetricFailure(failure, ref.id);
  }
  if (!(result instanceof Promise)) return metricOf(result, ref.id);
  return result.then(
    (value) => metricOf(value, ref.id),
    (failure) => {
      throw namedMetricFailure(failure, ref.id);
    },
  );
}

async function hookedMetricValue(call: MetricCall, run: ScoreRun): Promise<MetricValue> {
  const { hooks, clock, item } = run;
  const { ref } = call;
  const hooked = { base: run.base, clock, item };
  const input = await runHooks(hooks, "preEvaluation", call.input, hooked);
  let result: MetricResult;
  try {
    result = await clock.run(
      "score",
      item,
      `score:${run.score.name}/${ref.id}`,
      () => callMetric({ ...call, input }, run.context),
    );
  } catch (failure) {
    throw namedMetricFailure(failure, ref.id);
  }
  return metricOf(await runHooks(hooks, "postEvaluation", result, hooked), ref.id);
}

function callMetric(
  call: MetricCall,
  context: MetricContext,
): MetricResult | Promise<MetricResult> {
  const { metric, input } = call;
  const config = call.ref.config as JsonObject;
  return metric.evaluate ? metric.evaluate(input, config, context) : metric.score(input, config);
}

/** A metric's result as a value of its score; a non-finite value fails the score. */
function metricOf(result: MetricResult, metric: string): MetricValue {
  if (typeof result?.value !== "number" || !Number.isFinite(result.value)) {
    throw new ThemisError(
      "PLUGIN_ERROR",
      `metric "${metric}" returned ${JSON.stringify(result?.value)}; a metric value must be a ` +
        `finite number`,
      { metric },
    );
  }
  return result.details === undefined
    ? { metric, value: result.value }
    : { metric, value: result.value, details: result.details };
}

/** A metric's own throw says which metric threw; timeouts and judge errors pass unchanged. */
function namedMetricFailure(failure: unknown, metric: string): unknown {
  if (!(failure instanceof PhaseFailure) || failure.stage !== "score") return failure;
  const error = failure.error;
  if (error instanceof ThemisError) return failure;
  return new PhaseFailure(
    failure.stage,
    failure.where,
    new ThemisError("PLUGIN_ERROR", `metric "${metric}" failed: ${errorMessage(error)}`, {
      metric,
    }, error),
  );
}

const noJudge: MetricContext = {
  judge: () => Promise.reject(new ThemisError("PLUGIN_ERROR", "no judge is available here")),
};
