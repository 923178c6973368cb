import type { JsonObject } from "../../core/json.ts";
import type { PlannedCandidate, PlannedTrial } from "../../plan/plan_trials.ts";
import { openaiBody } from "../../plugins/engines/openai.ts";
import { mergeExtraBody } from "../../plugins/engines/_settings.ts";
import type { GenerationRequest } from "../../plugins/types.ts";

/** The endpoint every request line of a generation bundle names (OpenAI Batch API input). */
export const BATCH_URL = "/v1/chat/completions";

/** The request the engine would get for a candidate. */
export function generationRequest(
  trial: PlannedTrial,
  candidate: PlannedCandidate,
): GenerationRequest {
  return {
    model: trial.model,
    messages: trial.messages,
    params: trial.params,
    seed: candidate.seed,
    trialId: trial.trial,
    candidateId: candidate.id,
    sampleIndex: candidate.sample,
    item: trial.item,
  };
}

function chatBody(trial: PlannedTrial, candidate: PlannedCandidate): JsonObject {
  const { extras } = trial.model;
  const model = typeof extras.model === "string" ? extras.model : trial.model.model_id;
  const request = generationRequest(trial, candidate);
  if (trial.model.provider === "openai") {
    // Exactly the body the openai engine would send (params checked, seed, response_format).
    const extraBody = (extras.extra_body ?? {}) as JsonObject;
    return mergeExtraBody(openaiBody(request, model), extraBody, "openai");
  }
  const params = trial.params;
  const seed = params.seed === undefined ? candidate.seed : params.seed;
  const { seed: _seed, ...rest } = params;
  return {
    model,
    messages: trial.messages.map((m) => ({ role: m.role, content: m.content })),
    ...rest,
    ...(seed === null ? {} : { seed }),
  };
}

/**
 * One line of a generation bundle: an OpenAI Batch API request keyed by the candidate id,
 * whose body is what the `openai` engine would send (other providers: the same chat format
 * with the spec's params as they are, and the candidate seed).
 */
export function batchRequestLine(trial: PlannedTrial, candidate: PlannedCandidate): string {
  return JSON.stringify({
    custom_id: candidate.id,
    method: "POST",
    url: BATCH_URL,
    body: chatBody(trial, candidate),
  });
}
