import assert from "node:assert/strict";
import { CircuitBreaker } from "./circuit_breaker.ts";
import { backoffDelay } from "./backoff.ts";
import { endpointOf } from "./endpoint.ts";

const dead = endpointOf({ model_id: "m", provider: "openai", extras: { base_url: "http://a/v1" } });
const alive = endpointOf({
  model_id: "m",
  provider: "openai",
  extras: { base_url: "http://b/v1" },
});

Deno.test("the circuit opens after exactly N consecutive identical failures, once", () => {
  const breaker = new CircuitBreaker(3);
  assert.equal(breaker.failure(dead, "PROVIDER_AUTH", "bad key"), undefined);
  assert.equal(breaker.failure(dead, "PROVIDER_AUTH", "bad key"), undefined);
  assert.deepEqual(breaker.failure(dead, "PROVIDER_AUTH", "bad key"), {
    provider: "openai",
    base_url: "http://a/v1",
    model: "m",
    code: "PROVIDER_AUTH",
    message: "bad key",
    failures: 3,
  });
  assert.equal(breaker.isOpen(dead.key), true);
  assert.equal(breaker.failure(dead, "PROVIDER_AUTH", "bad key"), undefined, "reported once");
  assert.equal(breaker.isOpen(alive.key), false, "the same engine on another server goes on");
});

Deno.test("a success or a different error code restarts the count", () => {
  const breaker = new CircuitBreaker(2);
  breaker.failure(dead, "PROVIDER_UNAVAILABLE", "503");
  breaker.success(dead.key);
  assert.equal(breaker.failure(dead, "PROVIDER_UNAVAILABLE", "503"), undefined);
  assert.equal(breaker.failure(dead, "PROVIDER_TIMEOUT", "slow"), undefined);
  assert.equal(breaker.isOpen(dead.key), false);
});

Deno.test("endpointOf() keys (provider, base_url, model), not the model id", () => {
  const a = endpointOf({
    model_id: "x",
    provider: "openai",
    extras: { model: "gpt", base_url: "http://a/v1/" },
  });
  const b = endpointOf({
    model_id: "y",
    provider: "openai",
    extras: { model: "gpt", base_url: "http://a/v1" },
  });
  assert.equal(a.key, b.key, "two model ids on one endpoint share it");
  assert.deepEqual(a.endpoint, { provider: "openai", base_url: "http://a/v1", model: "gpt" });
});

Deno.test("backoffDelay() is full jitter under an exponential cap, never below Retry-After", () => {
  const policy = { backoff: { initial: 0.5, max: 4, multiplier: 2 } };
  assert.equal(backoffDelay(policy, 1, () => 1), 500);
  assert.equal(backoffDelay(policy, 3, () => 1), 2000);
  assert.equal(backoffDelay(policy, 10, () => 1), 4000, "capped at max");
  assert.equal(backoffDelay(policy, 3, () => 0.25), 500);
  assert.equal(backoffDelay(policy, 1, () => 0, 3), 3000, "Retry-After wins");
});
