import assert from "node:assert/strict";
import { CircuitBreaker } from "./circuit_breaker.ts";
import { backoffDelay } from "./backoff.ts";

Deno.test("the circuit opens after N consecutive identical failures, once", () => {
  const breaker = new CircuitBreaker(3);
  assert.equal(breaker.failure("p", "PROVIDER_AUTH", "bad key"), undefined);
  assert.equal(breaker.failure("p", "PROVIDER_AUTH", "bad key"), undefined);
  assert.deepEqual(breaker.failure("p", "PROVIDER_AUTH", "bad key"), {
    provider: "p",
    code: "PROVIDER_AUTH",
    message: "bad key",
    failures: 3,
  });
  assert.equal(breaker.isOpen("p"), true);
  assert.equal(breaker.failure("p", "PROVIDER_AUTH", "bad key"), undefined, "reported once");
  assert.equal(breaker.isOpen("q"), false, "other providers are not affected");
});

Deno.test("a success or a different error code restarts the count", () => {
  const breaker = new CircuitBreaker(2);
  breaker.failure("p", "PROVIDER_UNAVAILABLE", "503");
  breaker.success("p");
  assert.equal(breaker.failure("p", "PROVIDER_UNAVAILABLE", "503"), undefined);
  assert.equal(breaker.failure("p", "PROVIDER_TIMEOUT", "slow"), undefined);
  assert.equal(breaker.isOpen("p"), false);
});

Deno.test("backoffDelay() is full jitter under an exponential cap, never below Retry-After", () => {
  const policy = { backoff: { initial: 0.5, max: 4, multiplier: 2 } };
  assert.equal(backoffDelay(policy, 1, () => 1), 500);
  assert.equal(backoffDelay(policy, 3, () => 1), 2000);
  assert.equal(backoffDelay(policy, 10, () => 1), 4000, "capped at max");
  assert.equal(backoffDelay(policy, 3, () => 0.25), 500);
  assert.equal(backoffDelay(policy, 1, () => 0, 3), 3000, "Retry-After wins");
});
