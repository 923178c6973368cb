import { type CostEstimate, estimatePlan, type EstimatePlanOptions } from "../../plan/estimate.ts";
import { encodingFor, type TokenCounter, tokenCounter } from "../../plan/estimate_tokens.ts";
import type { ModelSpec } from "../../spec/schemas.ts";
import { backendKind } from "../batch/batch_backend.ts";
import type { Orchestrator, SpecInput } from "../orchestrator.ts";
import { completionHistory, storeWorkState } from "./fold_store.ts";

/** Options of `estimate()`. */
export interface EstimateOptions {
  /** Folder the spec's relative dataset paths resolve from (default: the project's). */
  specDir?: string;
}

/** Load the token counter of every model's encoding, for the synchronous estimator. */
export async function loadCounters(
  models: ReadonlyArray<ModelSpec>,
): Promise<EstimatePlanOptions["counterFor"]> {
  const counters = new Map<string, TokenCounter>();
  for (const model of models) {
    const { encoding } = encodingFor(model);
    if (!counters.has(encoding)) counters.set(encoding, await tokenCounter(encoding));
  }
  return (model) => {
    const { encoding, approximate } = encodingFor(model);
    return { counter: counters.get(encoding)!, approximate };
  };
}

/**
 * Estimate what running a spec would take, without running or writing anything: pending work
 * per stage, prompt tokens (js-tiktoken over the rendered prompts), completion tokens (mean of
 * earlier generations of the same model and slice, else `max_tokens`, else 256) and cost (the
 * project's `pricing`).
 */
export async function estimateSpec(
  orchestrator: Orchestrator,
  spec: SpecInput,
  options: EstimateOptions = {},
): Promise<CostEstimate> {
  const plan = await orchestrator.planSpec(spec, { persist: false, specDir: options.specDir });
  const state = await orchestrator.store.runs.loadState();
  return estimatePlan(plan, {
    state: storeWorkState(state),
    history: await completionHistory(orchestrator.store),
    pricing: orchestrator.project.pricing,
    batch: backendKind(orchestrator.project) === "batch",
    counterFor: await loadCounters(plan.experiment.models),
  });
}
