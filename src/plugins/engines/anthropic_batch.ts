import { ThemisError } from "../../core/errors.ts";
import type { CallInfo } from "./_http.ts";
import { httpError } from "./_http.ts";
import { mergeExtraBody, preflightRequest, readConnection } from "./_settings.ts";
import {
  ANTHROPIC_CONNECTION,
  anthropicBody,
  ERROR_STATUS,
  readAnthropicAnswer,
} from "./anthropic.ts";
import {
  type BatchClient,
  type BatchClientOptions,
  batchFetch,
  type BatchInfo,
  batchJson,
  batchLimits,
  batchLines,
  type BatchResultLine,
} from "./batch_client.ts";

/** What one Anthropic message batch may hold (Message Batches API). */
export const ANTHROPIC_BATCH_LIMITS = { requests: 100_000, bytes: 256 * 1024 * 1024 };

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * An Anthropic message batch as a BatchInfo. `ended` becomes `cancelled` when a cancel was
 * asked, `expired` when requests expired, else `completed`.
 */
export function anthropicBatchInfo(json: Record<string, unknown>): BatchInfo {
  const status = String(json.processing_status);
  const c = (json.request_counts ?? {}) as Record<string, unknown>;
  const counts = {
    total: num(c.processing) + num(c.succeeded) + num(c.errored) + num(c.canceled) +
      num(c.expired),
    completed: num(c.succeeded),
    failed: num(c.errored) + num(c.canceled) + num(c.expired),
  };
  const state = status === "in_progress"
    ? "in_progress"
    : status === "canceling"
    ? "cancelling"
    : status !== "ended"
    ? undefined
    : json.cancel_initiated_at
    ? "cancelled"
    : num(c.expired) > 0
    ? "expired"
    : "completed";
  if (typeof json.id !== "string" || state === undefined) {
    throw new ThemisError(
      "PROVIDER_MALFORMED",
      `anthropic: unexpected message batch (id ${String(json.id)}, status ${status})`,
      { provider: "anthropic" },
    );
  }
  return {
    id: json.id,
    state,
    providerStatus: status,
    counts,
    inputFile: null,
    outputFile: null,
    errorFile: null,
    resultsUrl: typeof json.results_url === "string" ? json.results_url : null,
  };
}

/**
 * The Anthropic Message Batches API: requests are `{custom_id, params}` whose params are
 * exactly what the `anthropic` engine sends; one `POST /messages/batches` creates the batch;
 * results stream as JSONL from its `results_url` in no particular order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { anthropicBatchClient } from "./anthropic_batch.ts";
 * const client = anthropicBatchClient({
 *   model: { model_id: "m", provider: "anthropic", extras: { base_url: "http://127.0.0.1:9/v1" } },
 *   secret: () => undefined,
 * });
 * assert.equal(client.limits.requests, 100_000);
 * ```
 */
export function anthropicBatchClient(options: BatchClientOptions): BatchClient {
  const model = options.model;
  const connection = readConnection(
    preflightRequest(model),
    { secret: options.secret },
    ANTHROPIC_CONNECTION,
  );
  const version = model.extras.anthropic_version ?? "2023-06-01";
  const base = connection.baseUrl;
  const call: CallInfo = {
    provider: "anthropic",
    model: connection.model,
    url: `${base}/messages/batches`,
    secrets: connection.apiKey === undefined ? [] : [connection.apiKey],
    keyEnv: connection.keyEnv,
  };
  const headers: Record<string, string> = {
    "anthropic-version": String(version),
    ...connection.headers,
  };
  if (connection.apiKey !== undefined) headers["x-api-key"] = connection.apiKey;
  const signal = options.signal;
  const info = async (r: Response) => anthropicBatchInfo(await batchJson(r, call));
  const batchUrl = (id: string) => `${base}/messages/batches/${encodeURIComponent(id)}`;
  return {
    provider: "anthropic",
    limits: batchLimits("anthropic", ANTHROPIC_BATCH_LIMITS, options.limits),
    requestLine(request) {
      const params = mergeExtraBody(
        anthropicBody(request, connection.model),
        connection.extraBody,
        "anthropic",
      );
      return JSON.stringify({ custom_id: request.candidateId, params });
    },
    async create(lines) {
      // The lines are JSON already: joined, not parsed and serialized again.
      const body = `{"requests":[${lines.join(",")}]}`;
      return await info(
        await batchFetch(
          `${base}/messages/batches`,
          {
            method: "POST",
            headers: { ...headers, "content-type": "application/json" },
            body,
          },
          call,
          signal,
        ),
      );
    },
    async retrieve(id) {
      return await info(await batchFetch(batchUrl(id), { method: "GET", headers }, call, signal));
    },
    async cancel(id) {
      const url = `${batchUrl(id)}/cancel`;
      return await info(await batchFetch(url, { method: "POST", headers }, call, signal));
    },
    async *results(batch) {
      // The key goes only where the base URL points: results_url is followed on that origin.
      const given = batch.resultsUrl;
      const sameOrigin = given !== null && new URL(given).origin === new URL(base).origin;
      const url = sameOrigin ? given : `${batchUrl(batch.id)}/results`;
      const response = await batchFetch(url, { method: "GET", headers }, call, signal);
      yield* batchLines(response, call);
    },
    outcome: (line) => anthropicOutcome(line, call),
  };
}

/** One result line: `succeeded` (the message), `errored`, `canceled` or `expired`. */
function anthropicOutcome(line: BatchResultLine, call: CallInfo) {
  const result = (line.raw.result ?? {}) as Record<string, unknown>;
  switch (result.type) {
    case "succeeded":
      try {
        return readAnthropicAnswer(result.message, new Headers(), call, []);
      } catch (error) {
        if (error instanceof ThemisError) return error;
        throw error;
      }
    case "errored": {
      const outer = (result.error ?? {}) as Record<string, unknown>;
      const inner = (outer.error ?? outer) as Record<string, unknown>;
      const status = ERROR_STATUS[String(inner.type)] ?? 500;
      return httpError(status, JSON.stringify({ error: inner }), new Headers(), call, Date.now());
    }
    case "canceled":
      return new ThemisError("BATCH_CANCELLED", "anthropic batch: the request was cancelled", {
        provider: "anthropic",
      });
    case "expired":
      return new ThemisError(
        "BATCH_EXPIRED",
        "anthropic batch: the request expired before it ran (24 hours passed)",
        { provider: "anthropic" },
      );
    default:
      return new ThemisError(
        "PROVIDER_MALFORMED",
        `anthropic batch: result type ${String(result.type)} is unknown`,
        { provider: "anthropic" },
      );
  }
}
