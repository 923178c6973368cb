/** Why a provider's circuit opened. */
export interface OpenCircuit {
  provider: string;
  code: string;
  message: string;
  failures: number;
}

/**
 * Stops a provider early: after `threshold` consecutive failed generations with the same error
 * code, the provider's circuit opens and its remaining work is left pending (resume runs it
 * again later). A success closes the count.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CircuitBreaker } from "./circuit_breaker.ts";
 * const breaker = new CircuitBreaker(2);
 * breaker.failure("p", "PROVIDER_AUTH", "bad key");
 * assert.notEqual(breaker.failure("p", "PROVIDER_AUTH", "bad key"), undefined);
 * assert.ok(breaker.isOpen("p"));
 * ```
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #streaks = new Map<string, { code: string; count: number }>();
  readonly #open = new Map<string, OpenCircuit>();

  constructor(threshold: number) {
    this.#threshold = threshold;
  }

  isOpen(provider: string): boolean {
    return this.#open.has(provider);
  }

  opened(): OpenCircuit[] {
    return [...this.#open.values()];
  }

  success(provider: string): void {
    this.#streaks.delete(provider);
  }

  /** Count a failure; returns the circuit when this failure opened it. */
  failure(provider: string, code: string, message: string): OpenCircuit | undefined {
    if (this.#open.has(provider)) return undefined;
    const streak = this.#streaks.get(provider);
    const next = streak?.code === code ? { code, count: streak.count + 1 } : { code, count: 1 };
    this.#streaks.set(provider, next);
    if (next.count < this.#threshold) return undefined;
    const circuit = { provider, code, message, failures: next.count };
    this.#open.set(provider, circuit);
    return circuit;
  }
}
