/**
 * A provider with quotas it does not announce, like a real one: an OpenAI-compatible server
 * (the scripted server of `openai_server.ts`) that answers after a fixed latency, with HTTP
 * 429 when more than `concurrency` requests are open (no Retry-After) or when its requests-
 * per-minute bucket is empty (Retry-After: 1). It counts what it served.
 */
import { type OpenAIServer, startOpenAIServer } from "./openai_server.ts";

/** Options of {@linkcode startQuotaServer}. */
export interface QuotaServerOptions {
  latencyMs: number;
  /** Requests served at once; more get 429 without Retry-After. */
  concurrency: number;
  /** Requests per minute, as a bucket holding one second of them; past it, 429 + Retry-After. */
  rpm: number;
}

/** A running quota server and what it saw. */
export interface QuotaServer extends OpenAIServer {
  served: number;
  throttled: { concurrency: number; rpm: number };
  /** performance.now() of the first request and of the last answer served. */
  first?: number;
  last?: number;
  /** What the quotas allow: min(concurrency / latency, rpm / 60), per second. */
  quotaPerSecond: number;
}

/** Start a quota server on 127.0.0.1. */
export function startQuotaServer(options: QuotaServerOptions): QuotaServer {
  const { latencyMs, concurrency, rpm } = options;
  const perMs = rpm / 60_000;
  let tokens = rpm / 60;
  let updated = performance.now();
  let active = 0;
  const state = {
    served: 0,
    throttled: { concurrency: 0, rpm: 0 },
    first: undefined as number | undefined,
    last: undefined as number | undefined,
  };
  const server = startOpenAIServer({
    script: async () => {
      const now = performance.now();
      state.first ??= now;
      tokens = Math.min(rpm / 60, tokens + (now - updated) * perMs);
      updated = now;
      if (active >= concurrency) {
        state.throttled.concurrency++;
        return { kind: "error", status: 429, message: "Too many concurrent requests" };
      }
      if (tokens < 1) {
        state.throttled.rpm++;
        return { kind: "error", status: 429, retry_after: 1, message: "Rate limit reached" };
      }
      tokens -= 1;
      active++;
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      active--;
      state.served++;
      state.last = performance.now();
      return { kind: "ok", text: "42" };
    },
  });
  const read = <K extends keyof typeof state>(key: K) => ({ get: () => state[key] });
  return Object.defineProperties(server, {
    served: read("served"),
    throttled: read("throttled"),
    first: read("first"),
    last: read("last"),
    quotaPerSecond: { value: Math.min(concurrency / (latencyMs / 1000), rpm / 60) },
  }) as QuotaServer;
}
