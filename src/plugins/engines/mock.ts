import { closestMatch } from "../../core/closest.ts";
import { ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import { seededRandom } from "../../core/prng.ts";
import type { Engine, EngineContext, GenerationOutput, GenerationRequest } from "../types.ts";

/**
 * How the mock model answers, from `models[].extras`:
 * - `answers`: item id → answer (or a list: sample i takes element i mod length). Wins over mode.
 * - `mode = "echo"`: the last user message.
 * - `mode = "reference"`: `template` with `{answer}` set to the item's reference field
 *   (`reference_field`, default "answer") with probability `accuracy` (default 1), else set to
 *   `wrong` (default "I don't know"); the draw is seeded by the candidate seed.
 * - `mode = "random"`: one of `choices`, seeded.
 * - `default`: answer when nothing else applies (default "").
 */
interface MockSettings {
  answers?: Record<string, Json>;
  mode?: "echo" | "reference" | "random" | "script";
  template?: string;
  accuracy?: number;
  reference_field?: string;
  wrong?: string;
  choices?: Json[];
  default?: string;
  latency_ms?: number;
}

function asText(value: Json | undefined): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function scripted(settings: MockSettings, request: GenerationRequest): string | undefined {
  const answer = settings.answers?.[request.item.id];
  if (answer === undefined) return undefined;
  if (Array.isArray(answer)) {
    return answer.length === 0 ? "" : asText(answer[request.sampleIndex % answer.length]);
  }
  return asText(answer);
}

function answerFor(settings: MockSettings, request: GenerationRequest): string {
  const script = scripted(settings, request);
  if (script !== undefined) return script;
  const random = seededRandom(request.seed);
  switch (settings.mode) {
    case "echo":
      return [...request.messages].reverse().find((m) => m.role === "user")?.content ?? "";
    case "reference": {
      const field = settings.reference_field ?? "answer";
      const reference = request.item.payload[field];
      const correct = random() < (settings.accuracy ?? 1);
      const answer = correct
        ? asText(Array.isArray(reference) ? reference[0] : reference)
        : settings.wrong ?? "I don't know";
      return (settings.template ?? "{answer}").replaceAll("{answer}", answer);
    }
    case "random": {
      const choices = settings.choices ?? [];
      if (choices.length === 0) return settings.default ?? "";
      return asText(choices[Math.floor(random() * choices.length)]);
    }
    default:
      return settings.default ?? "";
  }
}

const MODES = ["echo", "reference", "random", "script"];

function checkMode(modelId: string, mode: Json | undefined): void {
  if (mode === undefined || MODES.includes(mode as string)) return;
  const guess = typeof mode === "string" ? closestMatch(mode, MODES) : undefined;
  throw new ThemisError(
    "PROVIDER_BAD_REQUEST",
    `mock model "${modelId}": unknown mode ${JSON.stringify(mode)}` +
      (guess ? ` (did you mean "${guess}"?)` : "") + ` (use echo, reference, random or script)`,
    { provider: "mock", path: "extras.mode" },
  );
}

/** True for the UTF-16 code units a regex `\s` matches. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 ||
    c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Whitespace-separated words (`text.split(/\s+/).filter(Boolean).length`, without arrays). */
function countTokens(text: string): number {
  let count = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = isSpace(text.charCodeAt(i));
    if (!space && !inWord) count++;
    inWord = !space;
  }
  return count;
}

function answer(
  settings: MockSettings,
  request: GenerationRequest,
  context: EngineContext,
): GenerationOutput {
  context.signal?.throwIfAborted();
  const text = answerFor(settings, request);
  let promptTokens = 0;
  for (const message of request.messages) promptTokens += countTokens(message.content);
  return {
    text,
    finish_reason: "stop",
    usage: { prompt_tokens: promptTokens, completion_tokens: countTokens(text) },
  };
}

/**
 * The deterministic `mock` engine: scripted answers per item, echo, reference answers with a
 * seeded accuracy, or seeded random choices. Same request → same answer on every machine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mockEngine } from "./mock.ts";
 * const out = await mockEngine.generate({
 *   model: { model_id: "m", provider: "mock", extras: { answers: { q1: "4" } } },
 *   messages: [{ role: "user", content: "2+2?" }], params: {}, seed: 1,
 *   trialId: "t", candidateId: "c", sampleIndex: 0, item: { id: "q1", payload: {} },
 * }, {});
 * assert.equal(out.text, "4");
 * ```
 */
export const mockEngine: Engine = {
  id: "mock",
  capabilities: { jsonOutput: true, logprobs: false, seed: true },
  // Other extras are left alone: tests and demos give the mock settings it does not read.
  validateModel(model) {
    checkMode(model.model_id, model.extras?.mode);
  },
  generate(request: GenerationRequest, context): Promise<GenerationOutput> {
    try {
      const settings = request.model.extras as MockSettings & JsonObject;
      checkMode(request.model.model_id, settings.mode);
      if (!settings.latency_ms) return Promise.resolve(answer(settings, request, context));
      return new Promise((resolve) => setTimeout(resolve, settings.latency_ms))
        .then(() => answer(settings, request, context));
    } catch (error) {
      return Promise.reject(error);
    }
  },
};
