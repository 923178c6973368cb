/**
 * Provider Batch APIs (OpenAI Files + Batches, Anthropic Message Batches) behind one small
 * interface the `batch` backend drives: create a batch from request lines, read its state,
 * cancel it, stream its results. Connections (base URL, key) come from the model's extras and
 * secrets exactly as for the online engines; nothing here is ever written to a store.
 */
import { ThemisError } from "../../core/errors.ts";
import type { GenerationOutput, GenerationRequest, ModelRef } from "../types.ts";
import { type CallInfo, httpError, malformed, transportError } from "./_http.ts";

/** A batch's state, the same words for every provider. */
export type BatchState =
  | "validating"
  | "in_progress"
  | "finalizing"
  | "cancelling"
  | "completed"
  | "failed"
  | "expired"
  | "cancelled";

/** States after which a batch changes no more and its results can be read. */
export const ENDED_STATES: ReadonlySet<string> = new Set([
  "completed",
  "failed",
  "expired",
  "cancelled",
]);

/** What a provider says about one batch. */
export interface BatchInfo {
  id: string;
  state: BatchState;
  /** The provider's own word (`in_progress`, `ended`, …). */
  providerStatus: string;
  counts: { total: number; completed: number; failed: number };
  inputFile: string | null;
  outputFile: string | null;
  errorFile: string | null;
  /** Where the results stream is (Anthropic). */
  resultsUrl: string | null;
}

/** One result line of an ended batch: the request's custom id and the provider's record. */
export interface BatchResultLine {
  customId: string;
  raw: Record<string, unknown>;
}

/** Requests and bytes one batch may hold. */
export interface BatchLimits {
  requests: number;
  bytes: number;
}

/** One provider's Batch API, for the batches of one model. */
export interface BatchClient {
  provider: "openai" | "anthropic";
  limits: BatchLimits;
  /** The request line of one generation (its `custom_id` is the candidate id). */
  requestLine(request: GenerationRequest): string;
  /** Upload the lines and create one batch. */
  create(lines: string[], labels: Record<string, string>): Promise<BatchInfo>;
  retrieve(id: string): Promise<BatchInfo>;
  cancel(id: string): Promise<BatchInfo>;
  /** Every result line of an ended batch (outputs and errors), in the provider's order. */
  results(info: BatchInfo): AsyncGenerator<BatchResultLine>;
  /** What one result line says: the generation, or the error it failed with. */
  outcome(line: BatchResultLine, request: { logprobs: boolean }): GenerationOutput | ThemisError;
}

/** Where to reach a provider's Batch API and with which key (never stored). */
export interface BatchConnection {
  baseUrl: string;
  headers: Record<string, string>;
  call: CallInfo;
}

/** Options of the batch client factories. */
export interface BatchClientOptions {
  model: ModelRef;
  /** Reads a secret (the API key) by variable name at call time. */
  secret: (name: string) => string | undefined;
  /** At most the provider's limits. */
  limits?: Partial<BatchLimits>;
  /** OpenAI's completion window. */
  completionWindow?: string;
  signal?: AbortSignal;
}

/**
 * One HTTP call to a Batch API: the response on a 2xx, else the error a live call would give
 * (`httpError` codes, `PROVIDER_NETWORK` when nothing answers). Redirects are not followed.
 */
export async function batchFetch(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: BodyInit },
  call: CallInfo,
  signal?: AbortSignal,
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal, redirect: "manual" });
  } catch (error) {
    throw transportError(error, { ...call, url }, signal);
  }
  if (response.status < 200 || response.status > 299) {
    const text = await response.text().catch(() => "");
    throw httpError(response.status, text, response.headers, { ...call, url }, Date.now());
  }
  return response;
}

/** A Batch API answer as a JSON object. */
export async function batchJson(
  response: Response,
  call: CallInfo,
): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    const value = JSON.parse(text);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw malformed(call, `the batch API answer is not a JSON object: ${text.slice(0, 120)}`);
}

/** The lines of a JSONL body, streamed (results files can hold 100,000 lines). */
export async function* batchLines(
  response: Response,
  call: CallInfo,
): AsyncGenerator<BatchResultLine> {
  if (response.body === null) return;
  let rest = "";
  let number = 0;
  const parse = (line: string): BatchResultLine | undefined => {
    number++;
    if (line.trim() === "") return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw malformed(call, `results line ${number} is not JSON: ${line.slice(0, 120)}`);
    }
    const customId = (raw as { custom_id?: unknown })?.custom_id;
    if (typeof customId !== "string") {
      throw malformed(call, `results line ${number} has no custom_id`);
    }
    return { customId, raw: raw as Record<string, unknown> };
  };
  for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    for (const line of lines) {
      const parsed = parse(line);
      if (parsed) yield parsed;
    }
  }
  const last = parse(rest);
  if (last) yield last;
}

/** The limits a backend asks for, checked against the provider's. */
export function batchLimits(
  provider: string,
  max: BatchLimits,
  wanted: Partial<BatchLimits> = {},
): BatchLimits {
  const requests = wanted.requests ?? max.requests;
  const bytes = wanted.bytes ?? max.bytes;
  if (requests > max.requests || bytes > max.bytes) {
    throw new ThemisError(
      "BATCH_UNSUPPORTED",
      `${provider} batches hold at most ${max.requests} requests and ${max.bytes} bytes ` +
        `(asked: ${requests} requests, ${bytes} bytes): lower [execution_backend] ` +
        `max_requests / max_bytes`,
    );
  }
  return { requests, bytes };
}

/** A batch-level error for requests that have no result line. */
export function batchEndError(state: string, batch: string): ThemisError {
  const code = state === "expired"
    ? "BATCH_EXPIRED"
    : state === "cancelled"
    ? "BATCH_CANCELLED"
    : state === "failed"
    ? "BATCH_FAILED"
    : "BATCH_RESULT_MISSING";
  const why = {
    BATCH_EXPIRED: "expired before this request ran (the provider's completion window passed)",
    BATCH_CANCELLED: "was cancelled before this request ran",
    BATCH_FAILED: "failed as a whole (the provider refused its input)",
    BATCH_RESULT_MISSING: "ended without a result for this request",
  }[code];
  return new ThemisError(
    code,
    `batch ${batch} ${why}; "themis submit" sends it again`,
    { batch, state },
  );
}
