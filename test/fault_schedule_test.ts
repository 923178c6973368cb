/**
 * A real local HTTP provider injects faults on a fixed schedule — 429 with Retry-After, 500,
 * 503, a connection reset, a hang past the attempt timeout, a malformed body — and one item
 * that always fails. Every trial ends succeeded or failed-after-retries, the counts per error
 * code match the schedule exactly, and Retry-After is honoured (measured gap).
 */
import assert from "node:assert/strict";
import { type BenchmarkSpecInput, Orchestrator, Store } from "../mod.ts";
import { startOpenAIServer, type Step } from "./support/openai_server.ts";

const SCHEDULE: Step[] = [
  { kind: "error", status: 429, retry_after: 1 },
  500,
  503,
  "reset",
  "hang",
  "malformed",
];

function lastUserText(body: unknown): string {
  const messages = (body as { messages?: Array<{ content: string }> }).messages ?? [];
  return messages[messages.length - 1]?.content ?? "";
}

Deno.test("faults on a fixed schedule: each trial succeeds or fails after retries; counts match", async () => {
  const arrivals = new Map<string, number[]>();
  let scheduled = 0;
  const server = startOpenAIServer({
    script: (request) => {
      const item = lastUserText(request.body);
      arrivals.set(item, [...(arrivals.get(item) ?? []), performance.now()]);
      if (item === "q7") return 503; // always down: fails after max_attempts
      return scheduled < SCHEDULE.length ? SCHEDULE[scheduled++] : "ok";
    },
  });
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-faults-" }));
  const orchestrator = Orchestrator.fromProjectSpec({
    project_name: "faults",
    executor: { kind: "pool", tasks_per_worker: 8 },
    execution_policy: {
      max_attempts: 3,
      max_in_flight: 4,
      attempt_timeout: 0.5,
      backoff: { initial: 0.01, max: 0.05, multiplier: 2 },
      circuit_breaker_threshold: 50,
    },
  }, { store });
  const spec: BenchmarkSpecInput = {
    benchmark_id: "faults",
    models: [{ model_id: "local", provider: "openai", extras: { base_url: server.url } }],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.id}" }] }],
    slices: [{
      slice_id: "s",
      dataset: { kind: "inline", items: Array.from({ length: 20 }, (_, i) => ({ id: `q${i}` })) },
    }],
  };
  try {
    const result = await orchestrator.run(spec);
    const events = await Array.fromAsync(store.runs.iterEvents(result.runId));
    const count = (type: string) => {
      const byCode: Record<string, number> = {};
      for (const e of events.filter((e) => e.type === type)) {
        const code = (e.data as { error: { code: string } }).error.code;
        byCode[code] = (byCode[code] ?? 0) + 1;
      }
      return byCode;
    };
    // Every scheduled fault is retried once; q7 is retried twice, then fails.
    assert.deepEqual(count("attempt.retried"), {
      PROVIDER_RATE_LIMIT: 1,
      PROVIDER_UNAVAILABLE: 2 + 2,
      PROVIDER_NETWORK: 1,
      PROVIDER_TIMEOUT: 1,
      PROVIDER_MALFORMED: 1,
    });
    assert.deepEqual(count("generation.failed"), { PROVIDER_UNAVAILABLE: 1 });
    const failed = events.find((e) => e.type === "generation.failed")!;
    assert.equal(failed.data.attempts, 3);
    assert.equal(result.summary?.generated, 19);
    assert.equal(result.summary?.generationFailed, 1);
    assert.equal(scheduled, SCHEDULE.length);
    assert.equal(server.requests.length, 20 + 6 + 2);

    // Retry-After: 1 second between the 429 and the same item's next request.
    const limited = server.requests.find((r) => (r.step as { status?: number })?.status === 429)!;
    const times = arrivals.get(lastUserText(limited.body))!;
    assert.equal(times.length, 2);
    const gap = times[1] - times[0];
    assert.ok(gap >= 1000, `retried after ${gap.toFixed(0)} ms, before Retry-After: 1`);
    assert.ok(gap < 2500, `retried after ${gap.toFixed(0)} ms`);
    const retried = events.find((e) =>
      e.type === "attempt.retried" &&
      (e.data as { error: { code: string } }).error.code === "PROVIDER_RATE_LIMIT"
    )!;
    assert.ok((retried.data as { delay_ms: number }).delay_ms >= 1000);
  } finally {
    store.close();
    await server.close();
  }
});
