import { isThemisError, ThemisError } from "../core/errors.ts";
import type { JsonObject } from "../core/json.ts";
import type { Stage } from "../plan/check_plugins.ts";
import type { RunPlan } from "../plan/plan_run.ts";
import type { Registry } from "../plugins/registry.ts";
import type { ModelRef } from "../plugins/types.ts";
import type { ExperimentSpec } from "../spec/schemas.ts";
import { GEN_OVERLAY, parseOverlay, scoreOverlay } from "../store/events.ts";
import { isFinal, type StoreState } from "../store/store_state.ts";

/** What a run still has to call: models with generations to do, scores (hashes) to compute. */
export interface PendingCalls {
  models: Set<string>;
  scores: Set<string>;
}

/**
 * The models whose generations and the scores whose values the store does not hold yet (failed
 * work counts: it runs again). A model or judge with nothing left to do is never called, so it
 * needs no key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pendingCalls } from "./preflight.ts";
 * import { StoreState } from "../store/store_state.ts";
 * const model = { model_id: "m", provider: "openai", extras: {} };
 * const trial = { taskId: "t", model, candidates: [{ id: "0123456789ab", sample: 0, seed: 1 }] };
 * const plan = {
 *   stages: new Map([["t", { parses: [], scores: [{ hash: "s1", parseHash: null }] }]]),
 *   iterTrials: () => [trial][Symbol.iterator](),
 * };
 * const state = new StoreState();
 * state.record("0123456789ab", "gen", "completed", "r");
 * const pending = pendingCalls(plan as never, state, ["generation", "score"]);
 * assert.deepEqual([...pending.models], []);
 * assert.deepEqual([...pending.scores], ["s1"]);
 * ```
 */
export function pendingCalls(
  plan: Pick<RunPlan, "stages" | "iterTrials">,
  state: StoreState,
  stages: ReadonlyArray<Stage>,
): PendingCalls {
  const pending: PendingCalls = { models: new Set(), scores: new Set() };
  for (const trial of plan.iterTrials()) {
    const { scores } = plan.stages.get(trial.taskId)!;
    for (const { id } of trial.candidates) {
      if (stages.includes("generation") && state.fact(id, GEN_OVERLAY)?.status !== "completed") {
        pending.models.add(trial.model.model_id);
      }
      if (!stages.includes("score")) continue;
      for (const score of scores) {
        if (pending.scores.has(score.hash)) continue;
        const parsed = score.parseHash === null
          ? undefined
          : state.fact(id, parseOverlay(score.parseHash));
        if (parsed?.status === "invalid") continue;
        if (!isFinal(state.fact(id, scoreOverlay(score.hash))?.status)) {
          pending.scores.add(score.hash);
        }
      }
    }
  }
  return pending;
}

/** The models a run calls: the spec's models (generation) and its judges (scores). */
function modelsToCall(
  experiment: ExperimentSpec,
  stages: ReadonlyArray<Stage>,
  pending?: PendingCalls & { scoreHashes: (task: number, score: number) => string },
) {
  const models: Array<{ model: ModelRef; where: string }> = [];
  if (stages.includes("generation")) {
    experiment.models.forEach((m, i) => {
      if (pending && !pending.models.has(m.model_id)) return;
      models.push({ model: m, where: `models[${i}]` });
    });
  }
  if (stages.includes("score")) {
    experiment.tasks.forEach((task, t) =>
      task.scores.forEach((score, s) =>
        score.metrics.forEach((ref, m) => {
          if (ref.id !== "llm_judge") return;
          if (pending && !pending.scores.has(pending.scoreHashes(t, s))) return;
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
 * candidate). With `pending` (see {@linkcode pendingCalls}), only models and judges that still
 * have work are checked: a run whose results are all stored needs no key. All problems are
 * listed at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { preflight } from "./preflight.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * const experiment = {
 *   experiment_id: "e", plugins: [], hooks: [], num_samples: 1, tasks: [],
 *   models: [{ model_id: "gpt", provider: "openai", extras: {} }],
 * };
 * const noKey = () => undefined;
 * assert.throws(() => preflight(experiment, createRegistry(), ["generation"], noKey), {
 *   code: "PROVIDER_AUTH",
 * });
 * const allStored = { models: new Set<string>(), scores: new Set<string>() };
 * preflight(experiment, createRegistry(), ["generation"], noKey, { pending: allStored });
 * ```
 */
export function preflight(
  experiment: ExperimentSpec,
  registry: Registry,
  stages: ReadonlyArray<Stage>,
  secret: (name: string) => string | undefined,
  options: { pending?: PendingCalls; plan?: Pick<RunPlan, "stages"> } = {},
): void {
  const { pending, plan } = options;
  const scoreHashes = (t: number, s: number) =>
    plan?.stages.get(experiment.tasks[t].task_id)?.scores[s]?.hash ?? "";
  const problems: Array<{ where: string; error: ThemisError }> = [];
  const calls = modelsToCall(experiment, stages, pending && { ...pending, scoreHashes });
  for (const { model, where } of calls) {
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
