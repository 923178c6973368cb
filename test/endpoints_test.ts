/**
 * Limits and breakers belong to an endpoint (provider, base_url, model): one dead server
 * stops after exactly N failures, even with many requests in flight, while the same engine on
 * another server finishes; and against a server with quotas themis is not told (concurrency
 * and requests per minute), the adaptive window finds them: no failed trial, and most of the
 * quota used.
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { type BenchmarkSpecInput, Orchestrator, type ProjectSpecInput, Store } from "../mod.ts";
import { runCli, tempProject } from "./support/cli.ts";
import { startOpenAIServer, type Step } from "./support/openai_server.ts";
import { startQuotaServer } from "./support/quota_server.ts";

function benchmarkToml(models: string, items: number): string {
  const rows = Array.from({ length: items }, (_, i) => `{ id = "q${i}", q = "${i}" }`).join(", ");
  return `benchmark_id = "endpoints"
${models}
[[prompt_variants]]
id = "p"
messages = [{ role = "user", content = "{item.q}" }]
[[slices]]
slice_id = "s"
dataset = { kind = "inline", items = [${rows}] }
`;
}

/**
 * One model on the OpenAI-compatible server at `url`, `items` one-question items, in a store of
 * its own: the run's result and events.
 */
async function runAgainst(url: string, o: {
  project: Omit<ProjectSpecInput, "project_name">;
  items: number;
  plugins?: string[];
  scores?: BenchmarkSpecInput["slices"][number]["scores"];
}) {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-endpoint-" }));
  try {
    const orchestrator = Orchestrator.fromProjectSpec({ project_name: "endpoint", ...o.project }, {
      store,
    });
    const result = await orchestrator.run({
      benchmark_id: "endpoint",
      ...(o.plugins ? { plugins: o.plugins } : {}),
      models: [{ model_id: "m", provider: "openai", extras: { base_url: url } }],
      prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.q}" }] }],
      slices: [{
        slice_id: "s",
        dataset: {
          kind: "inline",
          items: Array.from({ length: o.items }, (_, i) => ({ id: `q${i}`, q: String(i) })),
        },
        ...(o.scores ? { scores: o.scores } : {}),
      }],
    });
    return { result, events: await Array.fromAsync(store.runs.iterEvents(result.runId)) };
  } finally {
    store.close();
  }
}

Deno.test("a dead endpoint opens its circuit after exactly N failures with 64 in flight; another base_url finishes; exit 7 (work pending)", async () => {
  await using dead = startOpenAIServer({ fallback: { kind: "error", status: 401, delay_ms: 20 } });
  await using alive = startOpenAIServer();
  const model = (id: string, url: string) =>
    `[[models]]\nmodel_id = "${id}"\nprovider = "openai"\nextras = { base_url = "${url}", model = "same" }`;
  const dir = await tempProject({
    "themis.toml": `project_name = "endpoints"
[execution_policy]
max_in_flight = 64
circuit_breaker_threshold = 5
`,
    "b.toml": benchmarkToml(`${model("down", dead.url)}\n${model("up", alive.url)}`, 100),
  });
  const out = await runCli(["run", "b.toml"], { cwd: dir });
  assert.equal(out.code, 7, out.stderr + out.stdout);
  assert.match(out.stdout, /stopped: 1 endpoint circuit\(s\) opened/);
  const store = Store.open(`${dir}/themis-store`);
  try {
    const [runId] = [...Deno.readDirSync(`${dir}/themis-store/runs`)].map((e) => e.name);
    const events = await Array.fromAsync(store.runs.iterEvents(runId));
    const failed = events.filter((e) => e.type === "generation.failed");
    assert.equal(failed.length, 5, "exactly the threshold of failures is recorded");
    const opened = events.filter((e) => e.type === "circuit.opened").map((e) => e.data);
    assert.deepEqual(opened.map((d) => ({ ...d, message: undefined })), [{
      provider: "openai",
      base_url: dead.url,
      model: "same",
      code: "PROVIDER_AUTH",
      message: undefined,
      failures: 5,
    }]);
    assert.equal(events.filter((e) => e.type === "generation.completed").length, 100);
    const finished = events.at(-1)!;
    assert.equal(finished.type, "run.finished");
    const counts = finished.data.counts as Record<string, number>;
    assert.equal(counts.skipped, 95, "the dead endpoint's other candidates stay pending");
    assert.equal(counts.circuitsOpened, 1);
  } finally {
    store.close();
  }
});

Deno.test("max_in_flight is what users get: 48 requests at once with default executor settings", async () => {
  let active = 0;
  let peak = 0;
  await using server = startOpenAIServer({
    script: async (): Promise<Step> => {
      peak = Math.max(peak, ++active);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      active--;
      return "ok";
    },
  });
  const { result } = await runAgainst(server.url, {
    project: {
      executor: { kind: "pool", max_threads: 2 },
      execution_policy: { max_in_flight: 48 },
    },
    items: 96,
  });
  assert.equal(result.summary?.generated, 96);
  assert.equal(peak, 48, "2 threads × 16 tasks per worker used to cap this at 32");
});

Deno.test("a finished generation frees its place at once: the next one starts while the candidates before are scored", async () => {
  await using server = startOpenAIServer();
  const { result, events } = await runAgainst(server.url, {
    project: { execution_policy: { max_in_flight: 4 } },
    items: 6,
    plugins: [fromFileUrl(new URL("./fixtures/plugins/slow_metric.ts", import.meta.url))],
    // Long enough that every first-wave score is still running when the fifth generation
    // answers, however busy the machine.
    scores: [{ name: "slow", metrics: [{ id: "slow", config: { ms: 3000 } }] }],
  });
  assert.equal(result.summary?.scored, 6);
  const types = events.map((e) => e.type);
  const firstScore = types.indexOf("score.completed");
  const before = types.slice(0, firstScore).filter((t) => t === "generation.completed");
  // 4 generations in flight; once they end, the candidates' scores run beside one more
  // generation (a quarter of max_in_flight), and no further one until a score ends.
  assert.equal(before.length, 5);
});

for (const quota of [{ concurrency: 8, rpm: 2400 }, { concurrency: 8, rpm: 60_000 }]) {
  const bound = quota.rpm / 60 < quota.concurrency / 0.1 ? "requests per minute" : "concurrency";
  Deno.test(`an unannounced ${bound} quota: no failed trial, throughput at least 0.8 of it`, async () => {
    await using server = startQuotaServer({ latencyMs: 100, ...quota });
    const items = 480;
    const { result, events } = await runAgainst(server.url, {
      project: { execution_policy: { max_in_flight: 32 } },
      items,
    });
    assert.equal(result.summary?.generationFailed, 0);
    assert.equal(result.summary?.generated, items);
    const throttled = events.filter((e) =>
      e.type === "concurrency.changed" && e.data.reason === "throttled"
    );
    assert.ok(throttled.length > 0, "the window shrank when the server said 429");
    assert.ok(server.throttled.concurrency + server.throttled.rpm > 0);
    const perSecond = server.served / ((server.last! - server.first!) / 1000);
    const ratio = perSecond / server.quotaPerSecond;
    console.log(
      `${bound} quota ${server.quotaPerSecond}/s: ${perSecond.toFixed(1)}/s = ` +
        `${ratio.toFixed(2)} of it; 429s: ${JSON.stringify(server.throttled)}; ` +
        `window changes: ${throttled.length} decreases`,
    );
    assert.ok(ratio >= 0.8, `throughput ${ratio.toFixed(2)} of the quota`);
  });
}
