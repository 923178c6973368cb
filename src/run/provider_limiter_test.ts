import assert from "node:assert/strict";
import { type LimiterClock, ProviderLimiter } from "./provider_limiter.ts";

/** A clock that only moves when the limiter sleeps. */
function fakeClock(): LimiterClock & { slept: number[]; now(): number } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

Deno.test("a provider without limits passes straight through", async () => {
  const clock = fakeClock();
  const limiter = new ProviderLimiter({}, clock);
  for (let i = 0; i < 100; i++) (await limiter.acquire("openai", 1000))();
  assert.deepEqual(clock.slept, []);
});

Deno.test("requests_per_minute spaces requests once the bucket is empty", async () => {
  const clock = fakeClock();
  const limiter = new ProviderLimiter({ p: { requests_per_minute: 60 } }, clock);
  for (let i = 0; i < 62; i++) (await limiter.acquire("p", 1))();
  // 60 start at once (a full bucket), then one per second.
  assert.deepEqual(clock.slept, [1000, 1000]);
  assert.equal(clock.now(), 2000);
});

Deno.test("tokens_per_minute waits for the tokens a request may use, then credits unused ones", async () => {
  const clock = fakeClock();
  const limiter = new ProviderLimiter({ p: { tokens_per_minute: 6000 } }, clock);
  (await limiter.acquire("p", 6000))(1000); // used only 1000: 5000 come back
  (await limiter.acquire("p", 5000))();
  assert.deepEqual(clock.slept, []);
  await limiter.acquire("p", 1000); // the bucket is empty: 1000 tokens take 10 s to refill
  assert.deepEqual(clock.slept, [10_000]);
});

Deno.test("max_concurrency holds the next request until one is released", async () => {
  const limiter = new ProviderLimiter({ p: { max_concurrency: 2 } });
  const a = await limiter.acquire("p", 1);
  const b = await limiter.acquire("p", 1);
  let third = false;
  const pending = limiter.acquire("p", 1).then((release) => {
    third = true;
    return release;
  });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(third, false);
  a();
  (await pending)();
  assert.equal(third, true);
  b();
  a(); // releasing twice is harmless
});
