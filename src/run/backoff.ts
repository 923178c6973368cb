import type { ExecutionPolicy } from "../spec/schemas.ts";

/**
 * Exponential backoff with full jitter: a uniform wait in [0, min(max, initial·multiplier^(n−1))]
 * seconds, never shorter than a provider's `Retry-After` (seconds). Returns milliseconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backoffDelay } from "./backoff.ts";
 * const policy = { backoff: { initial: 1, max: 30, multiplier: 2 } };
 * assert.equal(backoffDelay(policy, 3, () => 0.5), 2000);
 * assert.equal(backoffDelay(policy, 1, () => 0, 7), 7000);
 * ```
 */
export function backoffDelay(
  policy: Pick<ExecutionPolicy, "backoff">,
  attempt: number,
  random: () => number,
  retryAfterSeconds?: number,
): number {
  const { initial, max, multiplier } = policy.backoff;
  const cap = Math.min(max, initial * multiplier ** (attempt - 1));
  return Math.max(random() * cap * 1000, (retryAfterSeconds ?? 0) * 1000);
}
