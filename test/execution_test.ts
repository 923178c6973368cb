/**
 * The execution engine with real processes and a real worker pool: pool ≡ inline, plugins that
 * throw, hang or crash, the circuit breaker, resume, stage commands, hooks and telemetry.
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { acquireRunLock } from "../src/store/run_lock.ts";
import {
  type BenchmarkSpecInput,
  type ExecutionOptions,
  isRunHandle,
  Orchestrator,
  type ProjectSpecInput,
  Store,
  type ThemisEvent,
} from "../mod.ts";
import { TelemetryBus } from "../src/run/telemetry.ts";
import { runCliProcess, tempProject } from "./support/cli.ts";

const FAULTY = fromFileUrl(new URL("./fixtures/plugins/faulty_engine.ts", import.meta.url));

function benchmark(overrides: Partial<BenchmarkSpecInput> = {}): BenchmarkSpecInput {
  return {
    benchmark_id: "exec",
    models: [
      { model_id: "solver", provider: "mock", extras: { mode: "reference", accuracy: 0.7 } },
      { model_id: "echo", provider: "mock", extras: { mode: "echo" } },
    ],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.q}" }] }],
    slices: [{
      slice_id: "s",
      dataset: {
        kind: "inline",
        items: Array.from(
          { length: 12 },
          (_, i) => ({ id: `i${i}`, q: `${i}+1`, answer: String(i + 1) }),
        ),
      },
      parses: [{ name: "num", extractors: [{ id: "first_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
    }],
    num_samples: 2,
    ...overrides,
  };
}

async function open(project: Partial<ProjectSpecInput> = {}) {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-exec-" }));
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "exec", ...project }, {
    store,
  });
  return { store, orchestrator };
}

/** Event content that must not depend on the executor: no times, no run-level bookkeeping. */
function content(events: ThemisEvent[]) {
  return events
    .filter((e) => !e.type.startsWith("run."))
    .map((e) => {
      const data = { ...e.data } as Record<string, unknown>;
      delete data.latency_ms;
      return JSON.stringify([e.type, e.trial, e.cand, e.overlay, data]);
    })
    .sort();
}

Deno.test("the worker pool and the inline executor write identical event content", async () => {
  const pool = await open({ executor: { kind: "pool" } });
  const inline = await open({ executor: { kind: "inline" } });
  try {
    const a = await pool.orchestrator.run(benchmark());
    const b = await inline.orchestrator.run(benchmark());
    assert.equal(a.runId, b.runId);
    const ea = await Array.fromAsync(pool.store.runs.iterEvents(a.runId));
    const eb = await Array.fromAsync(inline.store.runs.iterEvents(b.runId));
    assert.equal(ea.find((e) => e.type === "run.started")?.data.executor, "pool");
    assert.equal(eb.find((e) => e.type === "run.started")?.data.executor, "inline");
    assert.deepEqual(content(ea), content(eb));
    assert.deepEqual(await a.aggregate(), await b.aggregate());
  } finally {
    pool.store.close();
    inline.store.close();
  }
});

Deno.test("a plugin that throws, hangs or crashes its worker becomes a failed attempt; the run goes on", async () => {
  const { store, orchestrator } = await open({
    executor: { kind: "pool", max_threads: 2, tasks_per_worker: 4 },
    execution_policy: { attempt_timeout: 0.5, max_attempts: 1 },
  });
  try {
    const modes = ["ok", "throw", "hang-async", "hang-cpu", "crash", "ok"];
    const result = await orchestrator.run({
      benchmark_id: "faults",
      plugins: [FAULTY],
      models: [{ model_id: "f", provider: "faulty" }],
      prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.mode}" }] }],
      slices: [{
        slice_id: "s",
        dataset: { kind: "inline", items: modes.map((mode, i) => ({ id: `m${i}-${mode}`, mode })) },
      }],
    });
    assert.equal(result.summary?.generated, 2);
    assert.equal(result.summary?.generationFailed, 4);
    const rows = await store.sql(
      `select t.item_id, f.code from failures f join trials t using (trial) order by t.item_id`,
    );
    assert.deepEqual(rows, [
      { item_id: "m1-throw", code: "PLUGIN_ERROR" },
      { item_id: "m2-hang-async", code: "PROVIDER_TIMEOUT" },
      { item_id: "m3-hang-cpu", code: "PROVIDER_TIMEOUT" },
      { item_id: "m4-crash", code: "PLUGIN_ERROR" },
    ]);
  } finally {
    store.close();
  }
});

Deno.test("a provider that always fails auth stops after N attempts; other providers finish", async () => {
  const { store, orchestrator } = await open({
    executor: { kind: "inline" },
    execution_policy: { circuit_breaker_threshold: 3, max_in_flight: 1, max_attempts: 3 },
  });
  try {
    const result = await orchestrator.run(benchmark({
      plugins: [FAULTY],
      models: [
        { model_id: "locked", provider: "auth_fails" },
        { model_id: "echo", provider: "mock", extras: { mode: "echo" } },
      ],
    }));
    const s = result.summary!;
    assert.equal(s.generationFailed, 3, "auth is never retried: one attempt per candidate");
    assert.equal(s.retries, 0);
    assert.equal(s.skipped, 21, "the rest of the locked provider's 24 candidates stay pending");
    assert.equal(s.generated, 24, "the other provider finished all its work");
    const events = await Array.fromAsync(store.runs.iterEvents(result.runId));
    const opened = events.filter((e) => e.type === "circuit.opened");
    assert.deepEqual(opened.map((e) => e.data), [{
      provider: "auth_fails",
      base_url: null,
      model: "locked",
      code: "PROVIDER_AUTH",
      message: "invalid API key (test)",
      failures: 3,
    }]);
  } finally {
    store.close();
  }
});

Deno.test("resume re-runs failed generations and never redoes successful work", async () => {
  const dir = await tempProject({
    "flaky.ts": `
      import { ThemisError } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
      export default { engines: [{ id: "flaky", async generate(req) {
        const broken = await Deno.stat(${JSON.stringify("BROKEN")}).then(() => true, () => false);
        if (broken && req.item.id.endsWith("3")) throw new ThemisError("PROVIDER_UNAVAILABLE", "down");
        return { text: "ok " + req.item.id };
      } }] };`,
    "BROKEN": "",
  });
  const store = Store.open(`${dir}/store`);
  const orchestrator = Orchestrator.fromProjectSpec({
    project_name: "resume",
    executor: { kind: "inline" },
    execution_policy: { max_attempts: 2, backoff: { initial: 0, max: 0 } },
  }, { store, baseDir: dir });
  const cwd = Deno.cwd();
  Deno.chdir(dir); // the flaky engine looks for ./BROKEN
  try {
    const spec = benchmark({
      plugins: ["./flaky.ts"],
      models: [{ model_id: "m", provider: "flaky" }],
    });
    const options: ExecutionOptions = { specDir: dir };
    const first = await orchestrator.run(spec, options);
    assert.equal(first.summary?.generationFailed, 2); // item i3, both samples
    assert.equal(first.summary?.retries, 2);
    assert.equal(first.summary?.generated, 22);
    await Deno.remove(`${dir}/BROKEN`);
    const resumed = await orchestrator.resume(first.runId);
    assert.ok(!isRunHandle(resumed), "nothing remains, so resume returns the result");
    assert.equal(resumed.runId, first.runId);
    assert.equal(resumed.summary?.generated, 2);
    assert.equal(resumed.summary?.generationFailed, 0);
    const dupes = await store.sql(`select count(*)::integer as n from (select cand from events
      where type = 'generation.completed' group by cand having count(*) > 1)`);
    assert.equal(dupes[0].n, 0);
    const again = await orchestrator.resume(first.runId);
    assert.ok(!isRunHandle(again));
    assert.equal(again.summary?.generated, 0);
    assert.equal(again.summary?.reused, 24);
  } finally {
    Deno.chdir(cwd);
    store.close();
  }
});

Deno.test("resume of an unknown run, or with changed project settings, is a clear error", async () => {
  const { store, orchestrator } = await open({ executor: { kind: "inline" } });
  try {
    await assert.rejects(() => orchestrator.resume("nope"), /No run "nope" in the store/);
    const result = await orchestrator.run(benchmark());
    const other = Orchestrator.fromProjectSpec({ project_name: "exec", global_seed: 99 }, {
      store,
    });
    await assert.rejects(
      () => other.resume(result.runId),
      /was planned with other project settings \(global_seed: 0 then, 99 now\)/,
    );
  } finally {
    store.close();
  }
});

Deno.test("transform and evaluate without generations name how many trials are missing", async () => {
  const { store, orchestrator } = await open({ executor: { kind: "inline" } });
  try {
    await assert.rejects(
      () => orchestrator.evaluate(benchmark()),
      /24 of 24 trials \(48 candidates\) have no generation in the store yet/,
    );
    await orchestrator.generate(benchmark());
    const transformed = await orchestrator.transform(benchmark());
    assert.equal(transformed.summary?.parsed! + transformed.summary?.parseInvalid!, 48);
    assert.equal(transformed.summary?.scored, 0);
    const evaluated = await orchestrator.evaluate(benchmark());
    assert.equal(evaluated.summary?.parsed, 0, "parses are reused");
    assert.ok(evaluated.summary!.scored > 0);
  } finally {
    store.close();
  }
});

Deno.test("hooks run in order around inference, in the pool too; telemetry errors never break a run", async () => {
  const { store, orchestrator } = await open({ executor: { kind: "pool" } });
  const bus = new TelemetryBus();
  const seen = new Map<string, number>();
  bus.subscribe((e) => seen.set(e.type, (seen.get(e.type) ?? 0) + 1));
  bus.subscribe(() => {
    throw new Error("a broken subscriber");
  });
  const withBus = Orchestrator.fromProjectSpec({ project_name: "exec" }, { store, telemetry: bus });
  try {
    const spec = benchmark({
      plugins: [FAULTY],
      hooks: [{ id: "shout" }, { id: "suffix", config: { text: "!x" } }],
      models: [{ model_id: "echo", provider: "mock", extras: { mode: "echo" } }],
      prompt_variants: [{ id: "p", messages: [{ role: "user", content: "q {item.q}" }] }],
      num_samples: 1,
    });
    const result = await withBus.run(spec);
    const texts = await store.sql(`select text from candidates order by text limit 2`);
    // Upper-cased by the first hook, then suffixed by the second: order matters.
    assert.deepEqual(texts, [{ text: "Q 0+1!x" }, { text: "Q 1+1!x" }]);
    assert.equal(result.summary?.generated, 12);
    assert.equal(seen.get("trial.finished"), 12);
    assert.equal(seen.get("attempt"), 12);
    assert.ok(bus.subscriberErrors > 0);
    void orchestrator;
  } finally {
    store.close();
  }
});

Deno.test("a second process on a locked run directory fails fast with a clear message", async () => {
  const dir = await tempProject({
    "themis.toml": `project_name = "lock"\n`,
    "b.toml": `benchmark_id = "b"
[[models]]
model_id = "m"
provider = "mock"
[[prompt_variants]]
id = "p"
messages = [{ role = "user", content = "{item.q}" }]
[[slices]]
slice_id = "s"
dataset = { kind = "inline", items = [{ id = "1", q = "x" }] }
`,
  });
  const first = await runCliProcess(["run", "b.toml", "--quiet"], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  const runId = [...Deno.readDirSync(`${dir}/themis-store/runs`)][0].name;
  const lock = acquireRunLock(`${dir}/themis-store/runs/${runId}/lock`);
  try {
    const second = await runCliProcess(["run", "b.toml"], { cwd: dir });
    assert.equal(second.code, 4);
    assert.match(second.stderr, /error \[STORE_LOCKED\] Run directory is in use by process \d+/);
  } finally {
    lock.release();
  }
});

Deno.test("deadlines start when a worker runs the task: a plugin module that loads for 2 s never times out 0.5 s attempts", async () => {
  const dir = await tempProject({
    "slow_load.ts": `
      await new Promise((resolve) => setTimeout(resolve, 2000));
      export default { engines: [{ id: "slow_load", generate: (req) => ({ text: "ok " + req.item.id }) }] };`,
  });
  const store = Store.open(`${dir}/store`);
  const orchestrator = Orchestrator.fromProjectSpec({
    project_name: "deadlines",
    executor: { kind: "pool", max_threads: 2 },
    execution_policy: { attempt_timeout: 0.5, max_attempts: 1 },
  }, { store, baseDir: dir });
  try {
    const result = await orchestrator.run(
      benchmark({
        plugins: ["./slow_load.ts"],
        models: [{ model_id: "m", provider: "slow_load" }],
      }),
      { specDir: dir },
    );
    assert.equal(result.summary?.generationFailed, 0);
    assert.equal(result.summary?.generated, 24);
  } finally {
    store.close();
  }
});
