import { isThemisError, ThemisError } from "../core/errors.ts";
import type { JsonObject } from "../core/json.ts";
import type { Stage } from "../plan/check_plugins.ts";
import type { Registry } from "../plugins/registry.ts";
import type { ModelRef } from "../plugins/types.ts";
import type { ExperimentSpec } from "../spec/schemas.ts";

/** The models a run calls: the spec's models (generation) and its judges (scores). */
function modelsToCall(experiment: ExperimentSpec, stages: ReadonlyArray<Stage>) {
  const models: Array<{ model: ModelRef; where: string }> = [];
  if (stages.includes("generation")) {
    experiment.models.forEach((m, i) => models.push({ model: m, where: `models[${i}]` }));
  }
  if (stages.includes("score")) {
    experiment.tasks.forEach((task, t) =>
      task.scores.forEach((score, s) =>
        score.metrics.forEach((ref, m) => {
          if (ref.id !== "llm_judge") return;
          const c = ref.config as JsonObject;
          models.push({
            model: {
              model_id: String(c.model_id ?? c.provider),
              provider: String(c.provider),
              extras: (c.extras ?? {}) as JsonObject,
            },
            where: `slices[${t}].scores[${s}].metrics[${m}]`,
          });
        })
      )
    );
  }
  return models;
}

/**
 * Check, before the first call, every model the run will call: its engine's settings and
 * secrets (a missing API key names its variable here, once, instead of failing every
 * candidate). All problems are listed at once.
 *
 * @example
 * ```ts
 * import { preflight } from "./preflight.ts";
 * // preflight(experiment, registry, ["generation"], (name) => Deno.env.get(name));
 * ```
 */
export function preflight(
  experiment: ExperimentSpec,
  registry: Registry,
  stages: ReadonlyArray<Stage>,
  secret: (name: string) => string | undefined,
): void {
  const problems: Array<{ where: string; error: ThemisError }> = [];
  for (const { model, where } of modelsToCall(experiment, stages)) {
    try {
      registry.engine(model.provider, `${where}.provider`).preflight?.(model, { secret });
    } catch (error) {
      if (!isThemisError(error)) throw error;
      problems.push({ where, error });
    }
  }
  if (problems.length === 0) return;
  throw new ThemisError(
    problems[0].error.code,
    `Cannot start: ${problems.length === 1 ? "a model" : `${problems.length} models`} cannot ` +
      `be called:\n` + problems.map((p) => `  - ${p.where}: ${p.error.message}`).join("\n"),
    {
      path: problems[0].where,
      issues: problems.map((p) => ({ path: p.where, message: p.error.message })),
    },
  );
}
