import { ThemisError } from "../../core/errors.ts";
import type { JsonObject } from "../../core/json.ts";
import type { CallInfo } from "./_http.ts";
import { httpError, malformed } from "./_http.ts";
import { mergeExtraBody, preflightRequest, readConnection } from "./_settings.ts";
import {
  type BatchClient,
  type BatchClientOptions,
  batchFetch,
  type BatchInfo,
  batchJson,
  batchLimits,
  batchLines,
  type BatchResultLine,
  type BatchState,
} from "./batch_client.ts";
import { OPENAI_CONNECTION, openaiBody, readOpenAIAnswer } from "./openai.ts";

/** The endpoint every request of an OpenAI batch names. */
export const OPENAI_BATCH_ENDPOINT = "/v1/chat/completions";

/** What one OpenAI batch may hold (Batch API guide). */
export const OPENAI_BATCH_LIMITS = { requests: 50_000, bytes: 200 * 1024 * 1024 };

const STATES: Record<string, BatchState> = {
  validating: "validating",
  in_progress: "in_progress",
  finalizing: "finalizing",
  cancelling: "cancelling",
  completed: "completed",
  failed: "failed",
  expired: "expired",
  cancelled: "cancelled",
};

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** An OpenAI batch object as a BatchInfo. */
export function openaiBatchInfo(json: Record<string, unknown>, call: CallInfo): BatchInfo {
  const status = String(json.status);
  const state = STATES[status];
  if (typeof json.id !== "string" || state === undefined) {
    throw new ThemisError(
      "PROVIDER_MALFORMED",
      `${call.provider}: unexpected batch object (id ${String(json.id)}, status ${status})`,
      { provider: call.provider },
    );
  }
  const counts = (json.request_counts ?? {}) as Record<string, unknown>;
  return {
    id: json.id,
    state,
    providerStatus: status,
    counts: {
      total: num(counts.total),
      completed: num(counts.completed),
      failed: num(counts.failed),
    },
    inputFile: str(json.input_file_id),
    outputFile: str(json.output_file_id),
    errorFile: str(json.error_file_id),
    resultsUrl: null,
  };
}

// Codes OpenAI writes into the error file for requests a batch never ran.
const LINE_CODES: Record<string, "BATCH_EXPIRED" | "BATCH_CANCELLED"> = {
  batch_expired: "BATCH_EXPIRED",
  batch_cancelled: "BATCH_CANCELLED",
};

/**
 * The OpenAI Batch API (Files + Batches): requests are JSONL lines
 * `{custom_id, method, url, body}` whose body is exactly what the `openai` engine sends; the
 * file is uploaded with `purpose = batch`, then one batch is created over it. Results come in
 * the output file and the error file, in no particular order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openaiBatchClient } from "./openai_batch.ts";
 * const client = openaiBatchClient({
 *   model: { model_id: "m", provider: "openai", extras: { base_url: "http://127.0.0.1:9/v1" } },
 *   secret: () => undefined,
 * });
 * assert.equal(client.limits.requests, 50_000);
 * ```
 */
export function openaiBatchClient(options: BatchClientOptions): BatchClient {
  const connection = readConnection(
    preflightRequest(options.model),
    { secret: options.secret },
    OPENAI_CONNECTION,
  );
  const base = connection.baseUrl;
  const call: CallInfo = {
    provider: "openai",
    model: connection.model,
    url: `${base}/batches`,
    secrets: connection.apiKey === undefined ? [] : [connection.apiKey],
    keyEnv: connection.keyEnv,
  };
  const auth: Record<string, string> = { ...connection.headers };
  if (connection.apiKey !== undefined) auth.authorization = `Bearer ${connection.apiKey}`;
  const json = { ...auth, "content-type": "application/json" };
  const signal = options.signal;
  const info = async (response: Response) => openaiBatchInfo(await batchJson(response, call), call);
  return {
    provider: "openai",
    limits: batchLimits("openai", OPENAI_BATCH_LIMITS, options.limits),
    requestLine(request) {
      const body = mergeExtraBody(
        openaiBody(request, connection.model),
        connection.extraBody,
        "openai",
      );
      const line = { custom_id: request.candidateId, method: "POST", url: OPENAI_BATCH_ENDPOINT };
      return JSON.stringify({ ...line, body });
    },
    async create(lines, labels) {
      const form = new FormData();
      form.append("purpose", "batch");
      const name = `themis-${labels.run ?? "batch"}-${labels.part ?? "0"}.jsonl`;
      form.append("file", new Blob([lines.join("\n") + "\n"]), name);
      const upload = await batchFetch(
        `${base}/files`,
        {
          method: "POST",
          headers: auth,
          body: form,
        },
        call,
        signal,
      );
      const file = await batchJson(upload, call);
      if (typeof file.id !== "string") throw malformed(call, "the uploaded file has no id");
      const body: JsonObject = {
        input_file_id: file.id,
        endpoint: OPENAI_BATCH_ENDPOINT,
        completion_window: options.completionWindow ?? "24h",
        metadata: labels,
      };
      return await info(
        await batchFetch(
          `${base}/batches`,
          {
            method: "POST",
            headers: json,
            body: JSON.stringify(body),
          },
          call,
          signal,
        ),
      );
    },
    async retrieve(id) {
      const url = `${base}/batches/${encodeURIComponent(id)}`;
      return await info(await batchFetch(url, { method: "GET", headers: auth }, call, signal));
    },
    async cancel(id) {
      const url = `${base}/batches/${encodeURIComponent(id)}/cancel`;
      return await info(await batchFetch(url, { method: "POST", headers: auth }, call, signal));
    },
    async *results(batch) {
      for (const file of [batch.outputFile, batch.errorFile]) {
        if (file === null) continue;
        const url = `${base}/files/${encodeURIComponent(file)}/content`;
        const response = await batchFetch(url, { method: "GET", headers: auth }, call, signal);
        yield* batchLines(response, call);
      }
    },
    outcome: (line, request) => openaiOutcome(line, call, request.logprobs),
  };
}

/** One line of an output or error file: the generation, or its error (the code a live call gives). */
function openaiOutcome(line: BatchResultLine, call: CallInfo, logprobs: boolean) {
  const response = line.raw.response as Record<string, unknown> | null | undefined;
  const error = line.raw.error as Record<string, unknown> | null | undefined;
  if (error || !response) {
    const code = LINE_CODES[String(error?.code)] ?? "PROVIDER_UNAVAILABLE";
    const message = String(error?.message ?? "the result line has neither response nor error");
    return new ThemisError(code, `openai batch: ${message}`, {
      provider: "openai",
      ...(error?.code ? { provider_code: String(error.code) } : {}),
    });
  }
  const status = num(response.status_code);
  const headers = new Headers();
  if (typeof response.request_id === "string") headers.set("x-request-id", response.request_id);
  if (status < 200 || status > 299) {
    return httpError(status, JSON.stringify(response.body ?? {}), headers, call, Date.now());
  }
  try {
    return readOpenAIAnswer(response.body, headers, call, logprobs);
  } catch (error) {
    if (error instanceof ThemisError) return error;
    throw error;
  }
}
