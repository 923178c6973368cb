import { isThemisError, ThemisError } from "../core/errors.ts";
import type {
  Engine,
  EngineContext,
  GenerationOutput,
  GenerationRequest,
} from "../plugins/types.ts";
import type { ExecutionPolicy } from "../spec/schemas.ts";
import { type ErrorRecord, errorRecord } from "./error_record.ts";

/** The outcome of all attempts at one generation. */
export type GenerationOutcome =
  | { ok: true; output: GenerationOutput; attempts: number; latencyMs: number }
  | { ok: false; error: ErrorRecord; attempts: number };

/** Hooks the caller gives: a clock, a sleep and a place to record retries. */
export interface GenerateOptions {
  policy: ExecutionPolicy;
  context: EngineContext;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (attempt: number, error: ErrorRecord, delayMs: number) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter, never shorter than a provider's `Retry-After`. */
export function backoffDelay(
  policy: ExecutionPolicy,
  attempt: number,
  random: () => number,
  retryAfterSeconds?: number,
): number {
  const { initial, max, multiplier } = policy.backoff;
  const cap = Math.min(max, initial * multiplier ** (attempt - 1));
  const jittered = random() * cap * 1000;
  return Math.max(jittered, (retryAfterSeconds ?? 0) * 1000);
}

async function attemptOnce(
  engine: Engine,
  request: GenerationRequest,
  options: GenerateOptions,
): Promise<GenerationOutput> {
  const timeoutMs = options.policy.attempt_timeout * 1000;
  const controller = new AbortController();
  const outer = options.context.signal;
  const onAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener("abort", onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new ThemisError(
          "PROVIDER_TIMEOUT",
          `${request.model.provider}/${request.model.model_id} did not answer within ` +
            `${options.policy.attempt_timeout}s (execution_policy.attempt_timeout)`,
        ),
      );
    }, timeoutMs);
  });
  try {
    const output = await Promise.race([
      engine.generate(request, { ...options.context, signal: controller.signal }),
      timeout,
    ]);
    if (typeof output?.text !== "string") {
      throw new ThemisError(
        "PROVIDER_MALFORMED",
        `engine "${engine.id}" returned no text for candidate ${request.candidateId}`,
      );
    }
    return output;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onAbort);
  }
}

/**
 * Generate one candidate under the policy: per-attempt timeout, retries of retryable codes with
 * backoff, `max_attempts` attempts in all. Failures are returned as data, never thrown.
 */
export async function generateCandidate(
  engine: Engine,
  request: GenerationRequest,
  options: GenerateOptions,
): Promise<GenerationOutcome> {
  const { policy } = options;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1;; attempt++) {
    const started = now();
    try {
      const output = await attemptOnce(engine, request, options);
      return { ok: true, output, attempts: attempt, latencyMs: Math.round(now() - started) };
    } catch (error) {
      const record = errorRecord(error, policy.retryable_codes);
      if (options.context.signal?.aborted) {
        return {
          ok: false,
          error: { ...record, code: "CANCELLED", retryable: true },
          attempts: attempt,
        };
      }
      if (!record.retryable || attempt >= policy.max_attempts) {
        return { ok: false, error: record, attempts: attempt };
      }
      const retryAfter = isThemisError(error) && typeof error.details.retry_after === "number"
        ? error.details.retry_after
        : undefined;
      const delay = backoffDelay(policy, attempt, random, retryAfter);
      options.onRetry?.(attempt, record, delay);
      await sleep(delay);
    }
  }
}
