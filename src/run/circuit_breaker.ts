import type { Endpoint, KeyedEndpoint } from "./endpoint.ts";

/** Why an endpoint's circuit opened. */
export interface OpenCircuit extends Endpoint {
  code: string;
  message: string;
  failures: number;
}

/**
 * Stops an endpoint early: after exactly `threshold` consecutive failed generations with the
 * same error code, its circuit opens and its remaining work is left pending (resume runs it
 * again later). A success resets the count. Once open, later failures are not counted (the
 * scheduler leaves their candidates pending instead of recording them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CircuitBreaker } from "./circuit_breaker.ts";
 * import { endpointOf } from "./endpoint.ts";
 * const breaker = new CircuitBreaker(2);
 * const p = endpointOf({ model_id: "m", provider: "p" });
 * breaker.failure(p, "PROVIDER_AUTH", "bad key");
 * assert.equal(breaker.failure(p, "PROVIDER_AUTH", "bad key")?.failures, 2);
 * assert.ok(breaker.isOpen(p.key));
 * ```
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #streaks = new Map<string, { code: string; count: number }>();
  readonly #open = new Map<string, OpenCircuit>();

  constructor(threshold: number) {
    this.#threshold = threshold;
  }

  isOpen(key: string): boolean {
    return this.#open.has(key);
  }

  opened(): OpenCircuit[] {
    return [...this.#open.values()];
  }

  success(key: string): void {
    this.#streaks.delete(key);
  }

  /** Count a failure; returns the circuit when this failure opened it. */
  failure(target: KeyedEndpoint, code: string, message: string): OpenCircuit | undefined {
    const { key, endpoint } = target;
    if (this.#open.has(key)) return undefined;
    const streak = this.#streaks.get(key);
    const next = streak?.code === code ? { code, count: streak.count + 1 } : { code, count: 1 };
    this.#streaks.set(key, next);
    if (next.count < this.#threshold) return undefined;
    const circuit = { ...endpoint, code, message, failures: next.count };
    this.#open.set(key, circuit);
    return circuit;
  }
}
