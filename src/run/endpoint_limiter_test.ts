import assert from "node:assert/strict";
import { AdaptiveWindow } from "./adaptive_window.ts";
import { endpointOf } from "./endpoint.ts";
import { type ConcurrencyChange, EndpointLimiter, type LimiterClock } from "./endpoint_limiter.ts";

/** A clock that only moves when the limiter sleeps (or the test says so). */
function fakeClock(): LimiterClock & { slept: number[]; advance(ms: number): void } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    advance: (ms) => void (now += ms),
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

const target = endpointOf({ model_id: "m", provider: "p" });

Deno.test("an endpoint without limits passes straight through", async () => {
  const clock = fakeClock();
  const limiter = new EndpointLimiter({ limits: {}, maxInFlight: 4, clock });
  for (let i = 0; i < 100; i++) (await limiter.acquire(target, 1000, "m")).done({ ok: true });
  assert.deepEqual(clock.slept, []);
});

Deno.test("requests_per_minute spreads requests evenly: one per second at 60, never 60 at once", async () => {
  const clock = fakeClock();
  const limiter = new EndpointLimiter({
    limits: { p: { requests_per_minute: 60 } },
    maxInFlight: 64,
    clock,
  });
  for (let i = 0; i < 5; i++) (await limiter.acquire(target, 1, "m")).done({ ok: true });
  assert.deepEqual(clock.slept, [1000, 1000, 1000, 1000]);
});

Deno.test("burst_seconds lets that many seconds of the rate go back to back", async () => {
  const clock = fakeClock();
  const limiter = new EndpointLimiter({
    limits: { m: { requests_per_minute: 600, burst_seconds: 0.5 } },
    maxInFlight: 64,
    clock,
  });
  for (let i = 0; i < 7; i++) (await limiter.acquire(target, 1, "m")).done({ ok: true });
  // 5 at once (half a second of 10/s), then one every 100 ms.
  assert.deepEqual(clock.slept, [100, 100]);
});

Deno.test("tokens_per_minute waits for the tokens a request may use, then credits unused ones", async () => {
  const clock = fakeClock();
  const limiter = new EndpointLimiter({
    limits: { p: { tokens_per_minute: 6000, burst_seconds: 60 } },
    maxInFlight: 4,
    clock,
  });
  (await limiter.acquire(target, 6000, "m")).done({ ok: true, tokensUsed: 1000 });
  (await limiter.acquire(target, 5000, "m")).done({ ok: true });
  assert.deepEqual(clock.slept, []);
  await limiter.acquire(target, 1000, "m"); // empty: 1000 tokens take 10 s to refill
  assert.deepEqual(clock.slept, [10_000]);
});

Deno.test("max_concurrency holds the next request until one is done", async () => {
  const limiter = new EndpointLimiter({ limits: { p: { max_concurrency: 2 } }, maxInFlight: 16 });
  const a = await limiter.acquire(target, 1, "m");
  const b = await limiter.acquire(target, 1, "m");
  let third = false;
  const pending = limiter.acquire(target, 1, "m").then((permit) => {
    third = true;
    return permit;
  });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(third, false);
  a.done({ ok: true });
  (await pending).done({ ok: true });
  assert.equal(third, true);
  b.done({ ok: true });
  a.done({ ok: true }); // twice is harmless
});

Deno.test("a throttled answer shrinks the window once per episode; healthy answers grow it back", async () => {
  const clock = fakeClock();
  const changes: ConcurrencyChange[] = [];
  const limiter = new EndpointLimiter({
    limits: {},
    maxInFlight: 10,
    clock,
    reportEveryMs: 1000,
    onChange: (c) => changes.push(c),
  });
  const inFlight = await Promise.all(
    Array.from({ length: 10 }, () => limiter.acquire(target, 1, "m")),
  );
  const throttled = { ok: false, throttled: { code: "PROVIDER_RATE_LIMIT" } };
  for (const permit of inFlight) permit.done(throttled);
  assert.deepEqual(changes.map((c) => [c.reason, c.from, c.to]), [["throttled", 10, 8]]);
  assert.deepEqual(changes[0].endpoint, { provider: "p", base_url: null, model: "m" });
  // A new request, started after the first decrease, is a new episode.
  (await limiter.acquire(target, 1, "m")).done(throttled);
  assert.deepEqual(changes.at(-1), {
    endpoint: { provider: "p", base_url: null, model: "m" },
    from: 8,
    to: 6,
    reason: "throttled",
    code: "PROVIDER_RATE_LIMIT",
  });
  clock.advance(5000);
  for (let i = 0; i < 100; i++) (await limiter.acquire(target, 1, "m")).done({ ok: true });
  assert.deepEqual(changes.slice(2).map((c) => [c.reason, c.from, c.to]), [
    ["recovered", 6, 7], // reported at once: the last report is 5 s old
    ["recovered", 7, 10], // reaching the maximum is always reported
  ]);
});

Deno.test("AdaptiveWindow holds requests beyond its size until one is released", async () => {
  const window = new AdaptiveWindow(2);
  const epoch = await window.acquire();
  await window.acquire();
  assert.deepEqual(window.throttled(epoch), { from: 2, to: 1 });
  let started = false;
  const next = window.acquire().then(() => (started = true));
  window.release();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(started, false, "the window is 1 and one request is still in flight");
  window.release();
  await next;
  assert.equal(window.active, 1);
});
