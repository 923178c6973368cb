/**
 * The stage functions: one candidate's parse chain and scores. Pure (the registry only looks
 * plugins up), so the inline executor and the worker pool run the very same code.
 */
import { errorMessage, ThemisError } from "../core/errors.ts";
import type { Json, JsonObject } from "../core/json.ts";
import type { PlannedParse, PlannedScore } from "../plan/plan_trials.ts";
import type { Registry } from "../plugins/registry.ts";
import type { MetricContext } from "../plugins/types.ts";

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

/**
 * Compute a score's metrics for one candidate. A metric that throws, or returns a non-finite
 * value, fails the score with a `PLUGIN_ERROR` naming the metric.
 */
export async function runScore(
  score: PlannedScore,
  input: ScoreInput,
  registry: Registry,
  context?: MetricContext,
): Promise<MetricValue[]> {
  const prediction = score.parseHash === null ? input.text : (input.answer ?? null);
  const values: MetricValue[] = [];
  for (const ref of score.metrics) {
    const metric = registry.metric(ref.id);
    const config = ref.config as JsonObject;
    const field = typeof config.reference === "string" ? config.reference : "answer";
    const metricInput = {
      prediction,
      text: input.text,
      item: input.item,
      reference: input.item[field],
    };
    let result;
    try {
      result = metric.evaluate
        ? await metric.evaluate(metricInput, config, context ?? noJudge)
        : metric.score(metricInput, config);
    } catch (error) {
      if (error instanceof ThemisError) throw error;
      throw new ThemisError("PLUGIN_ERROR", `metric "${ref.id}" failed: ${errorMessage(error)}`, {
        metric: ref.id,
      }, error);
    }
    if (typeof result?.value !== "number" || !Number.isFinite(result.value)) {
      throw new ThemisError(
        "PLUGIN_ERROR",
        `metric "${ref.id}" returned ${JSON.stringify(result?.value)}; a metric value must be a ` +
          `finite number`,
        { metric: ref.id },
      );
    }
    values.push(
      result.details === undefined
        ? { metric: ref.id, value: result.value }
        : { metric: ref.id, value: result.value, details: result.details },
    );
  }
  return values;
}

const noJudge: MetricContext = {
  judge: () => Promise.reject(new ThemisError("PLUGIN_ERROR", "no judge is available here")),
};
