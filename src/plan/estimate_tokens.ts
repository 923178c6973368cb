/**
 * Prompt token counts for estimates, with js-tiktoken (the only place it is imported). OpenAI's
 * encodings are exact for OpenAI models and an approximation for every other model.
 */
import { Tiktoken } from "npm:js-tiktoken@1.0.21/lite";
import type { ChatMessage } from "../plugins/types.ts";
import type { ModelSpec } from "../spec/schemas.ts";

/** The tiktoken encodings estimates use. */
export type EncodingName = "o200k_base" | "cl100k_base";

/** Tokens the chat format adds around each message, and to prime the reply (OpenAI's cookbook). */
export const TOKENS_PER_MESSAGE = 3;
/** Tokens that prime the assistant's reply, once per request. */
export const TOKENS_PER_REPLY = 3;

/** How a model's prompts are counted. */
export interface ModelEncoding {
  encoding: EncodingName;
  /** False for OpenAI model names (the count is the provider's); true for any other model. */
  approximate: boolean;
}

const CL100K = /^(gpt-4(?![o.])|gpt-3\.5|gpt-35|text-embedding-(ada|3))/;
const O200K = /^(gpt-4o|gpt-4\.\d|gpt-5|o\d|chatgpt-4o|gpt-oss|codex|computer-use)/;

/**
 * The encoding for a model, by the provider's model name (`extras.model`, else `model_id`):
 * `cl100k_base` for gpt-4 / gpt-3.5 / older embeddings, `o200k_base` for gpt-4o, gpt-4.1,
 * gpt-5 and the o-series, and `o200k_base` as an approximation for every other model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodingFor } from "./estimate_tokens.ts";
 * const m = (id: string) => ({ model_id: id, provider: "openai", extras: {} });
 * assert.equal(encodingFor(m("gpt-4o-mini")).encoding, "o200k_base");
 * assert.equal(encodingFor(m("gpt-4-turbo")).encoding, "cl100k_base");
 * assert.ok(encodingFor(m("claude-sonnet-4")).approximate);
 * ```
 */
export function encodingFor(model: ModelSpec): ModelEncoding {
  const name = (typeof model.extras.model === "string" ? model.extras.model : model.model_id)
    .toLowerCase().replace(/^openai\//, "");
  if (CL100K.test(name)) return { encoding: "cl100k_base", approximate: false };
  if (O200K.test(name)) return { encoding: "o200k_base", approximate: false };
  return { encoding: "o200k_base", approximate: true };
}

/** Counts the tokens of texts and of chat prompts in one encoding. */
export interface TokenCounter {
  readonly encoding: EncodingName;
  /** Tokens of one text. */
  count(text: string): number;
  /** Tokens of a chat prompt: each message's content + 3, plus 3 for the reply. */
  countChat(messages: ReadonlyArray<ChatMessage>): number;
}

const counters = new Map<EncodingName, Promise<TokenCounter>>();

async function ranksOf(encoding: EncodingName) {
  // Loaded on first use: each table is megabytes of JavaScript that a run never needs.
  return encoding === "cl100k_base"
    ? (await import("npm:js-tiktoken@1.0.21/ranks/cl100k_base")).default
    : (await import("npm:js-tiktoken@1.0.21/ranks/o200k_base")).default;
}

/**
 * A token counter for an encoding (loaded once per process).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenCounter } from "./estimate_tokens.ts";
 * const counter = await tokenCounter("o200k_base");
 * assert.equal(counter.count("hello world"), 2);
 * assert.equal(counter.countChat([{ role: "user", content: "hello world" }]), 8);
 * ```
 */
export function tokenCounter(encoding: EncodingName): Promise<TokenCounter> {
  let counter = counters.get(encoding);
  if (counter === undefined) {
    counter = ranksOf(encoding).then((ranks) => {
      const tiktoken = new Tiktoken(ranks);
      const count = (text: string) => tiktoken.encode(text, [], []).length;
      return {
        encoding,
        count,
        countChat: (messages) =>
          messages.reduce((n, m) => n + count(m.content) + TOKENS_PER_MESSAGE, TOKENS_PER_REPLY),
      };
    });
    counters.set(encoding, counter);
  }
  return counter;
}
