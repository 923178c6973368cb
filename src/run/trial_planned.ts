import type { JsonObject } from "../core/json.ts";
import type { PlannedTrial } from "../plan/plan_trials.ts";

/**
 * The data of a `trial.planned` event: what the trial is (model, slice, variant, params,
 * item) and, unless payloads are kept out, the item and the rendered prompt. Runs and imports
 * write the same record.
 *
 * @example
 * ```ts
 * import { trialPlannedData } from "./trial_planned.ts";
 * // writer.append({ type: "trial.planned", trial: trial.trial, data: trialPlannedData(trial, { benchmarkId: null, storeItemPayloads: true }) });
 * ```
 */
export function trialPlannedData(
  trial: PlannedTrial,
  options: { benchmarkId: string | null; storeItemPayloads: boolean },
): JsonObject {
  const data: JsonObject = {
    benchmark_id: options.benchmarkId,
    slice_id: trial.taskId,
    model_id: trial.model.model_id,
    provider: trial.model.provider,
    prompt_variant_id: trial.promptId,
    params: trial.params,
    params_index: trial.paramsIndex,
    item_id: trial.item.id,
    dimensions: trial.dimensions,
    num_samples: trial.candidates.length,
  };
  if (options.storeItemPayloads) {
    data.item = trial.item.payload;
    data.messages = trial.messages as unknown as JsonObject[];
  }
  return data;
}
