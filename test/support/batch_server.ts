/**
 * A local stand-in for the providers' Batch APIs, for tests and benchmarks: one HTTP server on
 * 127.0.0.1 that speaks
 * - OpenAI Files + Batches: `POST /v1/files` (multipart, `purpose=batch`), `GET
 *   /v1/files/{id}/content`, `POST /v1/batches`, `GET /v1/batches/{id}`, `POST
 *   /v1/batches/{id}/cancel`; input validated as OpenAI does (JSONL, one model, the batch's
 *   endpoint, unique custom ids, 50,000 requests / 200 MB), results in an output file and an
 *   error file;
 * - Anthropic Message Batches: `POST /v1/messages/batches`, `GET /v1/messages/batches/{id}`,
 *   `POST …/cancel`, `GET …/results` (JSONL: succeeded, errored, canceled, expired).
 *
 * Lifecycle: a batch moves one state per `pollsPerState` retrievals (validating → in_progress →
 * finalizing → completed for OpenAI; in_progress → ended for Anthropic) and, while in progress,
 * answers `perPoll` requests per retrieval (default: all at once), so tests advance batches by
 * polling, never by waiting. `expireAfter(batchIndex)` ends a batch as `expired` after that many
 * answered requests; `fail(customId, body)` gives a request an HTTP status instead of an answer
 * (partial errors); a cancel ends a batch with the unanswered requests cancelled. Result files
 * list requests in an order different from the input (sorted by a hash of the custom id).
 * Answers echo the last user message (`answer(body)` overrides), with word counts as usage.
 *
 * Run alone (for benchmarks): `deno run -A test/support/batch_server.ts` prints its base URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startBatchServer } from "./batch_server.ts";
 * await using server = startBatchServer();
 * const created = await fetch(`${server.url}/messages/batches`, {
 *   method: "POST",
 *   body: JSON.stringify({ requests: [{ custom_id: "a", params: { model: "m", max_tokens: 5,
 *     messages: [{ role: "user", content: "hi" }] } }] }),
 * });
 * assert.equal((await created.json()).processing_status, "in_progress");
 * ```
 */
import { createHash } from "node:crypto";

/** Options of {@linkcode startBatchServer}. */
export interface BatchServerOptions {
  /** Retrievals a batch spends in each state before the next (default 1). */
  pollsPerState?: number;
  /** Requests answered per retrieval while in progress (default: all). */
  perPoll?: number;
  /** End batch number i (0-based, in creation order) as expired after this many answers. */
  expireAfter?: (batchIndex: number) => number | undefined;
  /** An HTTP status for a request instead of an answer (a partial error). */
  fail?: (customId: string, body: Record<string, unknown>) => number | undefined;
  /** The text of an answer (default: the last user message). */
  answer?: (body: Record<string, unknown>) => string;
  /** An API key every request must carry (Bearer or x-api-key); none checked when unset. */
  key?: string;
  port?: number;
}

/** A running batch server. */
export interface BatchServer {
  /** `http://127.0.0.1:<port>/v1`: the base_url to give a model. */
  url: string;
  /** Every request line received by batch, and what each batch did, for assertions. */
  batches: Map<string, ServerBatch>;
  /** Requests received: `METHOD path`. */
  log: string[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface ServerRequest {
  customId: string;
  body: Record<string, unknown>;
}

/** One batch as the server holds it. */
export interface ServerBatch {
  id: string;
  dialect: "openai" | "anthropic";
  index: number;
  requests: ServerRequest[];
  state: string;
  polls: number;
  answered: number;
  cancelRequested: boolean;
  expired: boolean;
  inputFile?: string;
  outputFile?: string | null;
  errorFile?: string | null;
  errors?: unknown;
}

const OPENAI_LIMITS = { requests: 50_000, bytes: 200 * 1024 * 1024 };
const ANTHROPIC_LIMITS = { requests: 100_000, bytes: 256 * 1024 * 1024 };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

const openaiError = (status: number, message: string) =>
  json(status, { error: { message, type: "invalid_request_error", param: null, code: null } });
const anthropicError = (status: number, type: string, message: string) =>
  json(status, { type: "error", error: { type, message } });

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
const order = (id: string) => createHash("sha256").update(id).digest("hex");

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((b) => String(b?.text ?? "")).join("");
  return "";
}

function lastUser(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const user = messages.filter((m) => m?.role === "user").at(-1);
  return textOf(user?.content);
}

function promptWords(body: Record<string, unknown>): number {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return words([textOf(body.system), ...messages.map((m) => textOf(m?.content))].join(" "));
}

/** Start a local Batch API server (see the module doc). */
export function startBatchServer(options: BatchServerOptions = {}): BatchServer {
  const files = new Map<string, { text: string; filename: string }>();
  const batches = new Map<string, ServerBatch>();
  const log: string[] = [];
  let counter = 0;
  const next = (prefix: string) => `${prefix}${String(++counter).padStart(6, "0")}`;
  const perState = options.pollsPerState ?? 1;

  function answerOf(r: ServerRequest, dialect: "openai" | "anthropic") {
    const status = options.fail?.(r.customId, r.body);
    if (status !== undefined) return { status };
    const text = options.answer?.(r.body) ?? lastUser(r.body);
    const usage = { prompt: promptWords(r.body), completion: words(text) };
    const model = String(r.body.model ?? "unknown");
    if (dialect === "anthropic") {
      return {
        status: 200,
        body: {
          id: `msg_${order(r.customId).slice(0, 12)}`,
          type: "message",
          role: "assistant",
          model,
          content: [{ type: "text", text }],
          stop_reason: "end_turn",
          stop_sequence: null,
          usage: { input_tokens: usage.prompt, output_tokens: usage.completion },
        },
      };
    }
    return {
      status: 200,
      body: {
        id: `chatcmpl-${order(r.customId).slice(0, 12)}`,
        object: "chat.completion",
        created: 1_700_000_000,
        model,
        choices: [{
          index: 0,
          message: { role: "assistant", content: text, refusal: null },
          logprobs: null,
          finish_reason: "stop",
        }],
        usage: {
          prompt_tokens: usage.prompt,
          completion_tokens: usage.completion,
          total_tokens: usage.prompt + usage.completion,
        },
      },
    };
  }

  /** One retrieval: answer some requests, maybe move to the next state. */
  function advance(b: ServerBatch): void {
    if (["completed", "failed", "expired", "cancelled", "ended"].includes(b.state)) return;
    b.polls++;
    if (b.cancelRequested) return finish(b, b.dialect === "openai" ? "cancelled" : "ended");
    const working = b.state === "in_progress";
    if (working) {
      const limit = options.expireAfter?.(b.index);
      const step = options.perPoll ?? b.requests.length;
      b.answered = Math.min(b.requests.length, b.answered + step, limit ?? Infinity);
      if (limit !== undefined && b.answered >= limit) {
        b.expired = true;
        return finish(b, b.dialect === "openai" ? "expired" : "ended");
      }
      if (b.answered < b.requests.length) return;
    }
    if (b.polls < perState) return;
    b.polls = 0;
    if (b.dialect === "anthropic") return working ? finish(b, "ended") : undefined;
    const flow = ["validating", "in_progress", "finalizing", "completed"];
    const to = flow[flow.indexOf(b.state) + 1];
    if (to === "completed") return finish(b, "completed");
    b.state = to;
  }

  /** The result lines of a batch, in an order unlike the input's. */
  function resultLines(b: ServerBatch) {
    const out: Array<{ key: string; ok: boolean; line: unknown }> = [];
    b.requests.forEach((r, i) => {
      const key = order(r.customId);
      if (i >= b.answered) {
        const kind = b.expired ? "expired" : "cancelled";
        out.push({ key, ok: false, line: unrun(r, b, kind) });
        return;
      }
      const a = answerOf(r, b.dialect);
      const ok = a.status >= 200 && a.status < 300;
      out.push({ key, ok, line: answered(r, b, a) });
    });
    return out.sort((x, y) => x.key < y.key ? -1 : 1);
  }

  function unrun(r: ServerRequest, b: ServerBatch, kind: "expired" | "cancelled") {
    if (b.dialect === "anthropic") {
      return {
        custom_id: r.customId,
        result: { type: kind === "expired" ? "expired" : "canceled" },
      };
    }
    return {
      id: `batch_req_${order(r.customId).slice(0, 16)}`,
      custom_id: r.customId,
      response: null,
      error: {
        code: kind === "expired" ? "batch_expired" : "batch_cancelled",
        message: kind === "expired"
          ? "This request could not be executed before the completion window expired."
          : "This request was cancelled before it ran.",
      },
    };
  }

  function answered(r: ServerRequest, b: ServerBatch, a: { status: number; body?: unknown }) {
    const ok = a.status >= 200 && a.status < 300;
    if (b.dialect === "anthropic") {
      if (ok) return { custom_id: r.customId, result: { type: "succeeded", message: a.body } };
      const type = a.status === 429
        ? "rate_limit_error"
        : a.status >= 500
        ? "api_error"
        : "invalid_request_error";
      return {
        custom_id: r.customId,
        result: {
          type: "errored",
          error: { type: "error", error: { type, message: `scripted HTTP ${a.status}` } },
        },
      };
    }
    return {
      id: `batch_req_${order(r.customId).slice(0, 16)}`,
      custom_id: r.customId,
      response: {
        status_code: a.status,
        request_id: `req_${order(r.customId).slice(0, 10)}`,
        body: ok ? a.body : {
          error: { message: `scripted HTTP ${a.status}`, type: "server_error", code: null },
        },
      },
      error: null,
    };
  }

  function finish(b: ServerBatch, state: string): void {
    b.state = state;
    if (b.dialect === "anthropic") return;
    const lines = resultLines(b);
    const write = (ok: boolean) => {
      const chosen = lines.filter((l) => l.ok === ok);
      if (chosen.length === 0) return null;
      const id = next("file-");
      files.set(id, {
        text: chosen.map((l) => JSON.stringify(l.line)).join("\n") + "\n",
        filename: `${b.id}_${ok ? "output" : "error"}.jsonl`,
      });
      return id;
    };
    b.outputFile = write(true);
    b.errorFile = write(false);
  }

  function countsOf(b: ServerBatch) {
    const ended = ["completed", "expired", "cancelled", "ended"].includes(b.state);
    let completed = 0;
    let failed = 0;
    b.requests.forEach((r, i) => {
      if (i >= b.answered) {
        if (ended) failed++;
        return;
      }
      const status = options.fail?.(r.customId, r.body);
      if (status === undefined) completed++;
      else failed++;
    });
    return { total: b.requests.length, completed, failed };
  }

  function openaiBatch(b: ServerBatch) {
    return {
      id: b.id,
      object: "batch",
      endpoint: "/v1/chat/completions",
      errors: b.errors ?? null,
      input_file_id: b.inputFile,
      completion_window: "24h",
      status: b.state,
      output_file_id: b.outputFile ?? null,
      error_file_id: b.errorFile ?? null,
      created_at: 1_700_000_000,
      request_counts: countsOf(b),
      metadata: null,
    };
  }

  function anthropicBatch(b: ServerBatch, origin: string) {
    const c = countsOf(b);
    const ended = b.state === "ended";
    const kinds = { succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    b.requests.forEach((r, i) => {
      if (i >= b.answered) {
        if (ended) kinds[b.expired ? "expired" : "canceled"]++;
      } else if (options.fail?.(r.customId, r.body) !== undefined) kinds.errored++;
      else kinds.succeeded++;
    });
    return {
      id: b.id,
      type: "message_batch",
      processing_status: b.state === "in_progress" ? "in_progress" : b.state,
      request_counts: { processing: ended ? 0 : c.total - c.completed - c.failed, ...kinds },
      ended_at: ended ? "2026-01-01T00:00:00Z" : null,
      created_at: "2026-01-01T00:00:00Z",
      expires_at: "2026-01-02T00:00:00Z",
      cancel_initiated_at: b.cancelRequested ? "2026-01-01T00:00:00Z" : null,
      archived_at: null,
      results_url: ended ? `${origin}/v1/messages/batches/${b.id}/results` : null,
    };
  }

  async function createOpenAIBatch(request: Request): Promise<Response> {
    const body = await request.json().catch(() => ({}));
    const file = files.get(String(body.input_file_id));
    if (!file) return openaiError(404, `No such File object: ${body.input_file_id}`);
    if (body.endpoint !== "/v1/chat/completions") {
      return openaiError(400, `endpoint ${body.endpoint} is not supported here`);
    }
    if (body.completion_window !== "24h") {
      return openaiError(400, "completion_window must be 24h");
    }
    const b: ServerBatch = {
      id: next("batch_"),
      dialect: "openai",
      index: batches.size,
      requests: [],
      state: "validating",
      polls: 0,
      answered: 0,
      cancelRequested: false,
      expired: false,
      inputFile: String(body.input_file_id),
    };
    const problem = validateOpenAIFile(file.text, b);
    if (problem) {
      b.state = "failed";
      b.errors = { object: "list", data: [{ code: "invalid_request", message: problem }] };
    }
    batches.set(b.id, b);
    return json(200, openaiBatch(b));
  }

  function validateOpenAIFile(text: string, b: ServerBatch): string | undefined {
    if (new TextEncoder().encode(text).length > OPENAI_LIMITS.bytes) return "file too large";
    const ids = new Set<string>();
    const models = new Set<string>();
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    if (lines.length > OPENAI_LIMITS.requests) return `more than 50,000 requests`;
    for (const [i, line] of lines.entries()) {
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(line);
      } catch {
        return `line ${i + 1} is not JSON`;
      }
      const id = String(r.custom_id ?? "");
      if (!id || ids.has(id)) return `line ${i + 1}: custom_id missing or repeated`;
      if (r.method !== "POST" || r.url !== "/v1/chat/completions") {
        return `line ${i + 1}: method/url must be POST /v1/chat/completions`;
      }
      const body = r.body as Record<string, unknown>;
      models.add(String(body?.model));
      ids.add(id);
      b.requests.push({ customId: id, body });
    }
    if (models.size > 1) return "a batch file must use one model";
    if (lines.length === 0) return "the file holds no requests";
    return undefined;
  }

  async function createAnthropicBatch(request: Request, origin: string): Promise<Response> {
    const text = await request.text();
    if (new TextEncoder().encode(text).length > ANTHROPIC_LIMITS.bytes) {
      return anthropicError(413, "request_too_large", "Request exceeds the maximum size");
    }
    const body = JSON.parse(text);
    const list = Array.isArray(body.requests) ? body.requests : [];
    if (list.length === 0 || list.length > ANTHROPIC_LIMITS.requests) {
      return anthropicError(400, "invalid_request_error", "requests: 1 to 100,000 items");
    }
    const ids = new Set<string>();
    const requests: ServerRequest[] = [];
    for (const r of list) {
      const id = String(r?.custom_id ?? "");
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(id) || ids.has(id)) {
        return anthropicError(
          400,
          "invalid_request_error",
          `custom_id "${id}" invalid or repeated`,
        );
      }
      if (typeof r.params?.max_tokens !== "number") {
        return anthropicError(400, "invalid_request_error", "params.max_tokens: field required");
      }
      ids.add(id);
      requests.push({ customId: id, body: r.params });
    }
    const b: ServerBatch = {
      id: next("msgbatch_"),
      dialect: "anthropic",
      index: batches.size,
      requests,
      state: "in_progress",
      polls: 0,
      answered: 0,
      cancelRequested: false,
      expired: false,
    };
    batches.set(b.id, b);
    return json(200, anthropicBatch(b, origin));
  }

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    const method = request.method;
    log.push(`${method} ${path}`);
    if (options.key !== undefined) {
      const given = request.headers.get("x-api-key") ??
        request.headers.get("authorization")?.replace(/^Bearer /, "");
      if (given !== options.key) {
        return path.includes("/messages")
          ? anthropicError(401, "authentication_error", "invalid x-api-key")
          : openaiError(401, "Incorrect API key provided");
      }
    }
    let m: RegExpMatchArray | null;
    if (method === "POST" && path === "/v1/files") {
      const form = await request.formData();
      const file = form.get("file");
      if (form.get("purpose") !== "batch" || !(file instanceof File)) {
        return openaiError(400, "purpose must be batch, with a file");
      }
      const id = next("file-");
      files.set(id, { text: await file.text(), filename: file.name });
      return json(200, {
        id,
        object: "file",
        bytes: file.size,
        created_at: 1_700_000_000,
        filename: file.name,
        purpose: "batch",
      });
    }
    if (method === "GET" && (m = path.match(/^\/v1\/files\/([^/]+)\/content$/))) {
      const file = files.get(m[1]);
      return file
        ? new Response(file.text, { headers: { "content-type": "application/jsonl" } })
        : openaiError(404, `No such File object: ${m[1]}`);
    }
    if (method === "POST" && path === "/v1/batches") return await createOpenAIBatch(request);
    if (method === "POST" && path === "/v1/messages/batches") {
      return await createAnthropicBatch(request, url.origin);
    }
    if ((m = path.match(/^\/v1\/(batches|messages\/batches)\/([^/]+)(\/cancel|\/results)?$/))) {
      const b = batches.get(m[2]);
      const anthropic = m[1] !== "batches";
      if (!b || (b.dialect === "anthropic") !== anthropic) {
        return anthropic
          ? anthropicError(404, "not_found_error", `batch ${m[2]} not found`)
          : openaiError(404, `No batch found with id '${m[2]}'.`);
      }
      if (m[3] === "/results" && method === "GET") {
        if (b.state !== "ended") {
          return anthropicError(400, "invalid_request_error", "batch has not ended");
        }
        const text = resultLines(b).map((l) => JSON.stringify(l.line)).join("\n") + "\n";
        return new Response(text, { headers: { "content-type": "application/binary" } });
      }
      if (m[3] === "/cancel" && method === "POST") {
        if (["validating", "in_progress", "finalizing"].includes(b.state)) {
          b.cancelRequested = true;
          b.state = anthropic ? "canceling" : "cancelling";
        }
      } else if (method === "GET") advance(b);
      else return json(405, { error: { message: "method not allowed" } });
      return json(200, anthropic ? anthropicBatch(b, url.origin) : openaiBatch(b));
    }
    return json(404, { error: { message: `no route for ${method} ${path}` } });
  }

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? 0, onListen() {} },
    async (request) => {
      try {
        return await route(request);
      } catch (error) {
        return json(500, { error: { message: `batch server: ${String(error)}` } });
      }
    },
  );
  const close = async () => {
    await server.shutdown();
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    batches,
    log,
    close,
    [Symbol.asyncDispose]: close,
  };
}

if (import.meta.main) {
  const server = startBatchServer({ port: Number(Deno.args[0] ?? 0) });
  console.log(server.url);
}
