/**
 * Run lifecycle: plan output, submit on each backend, progress snapshots (live and from the
 * store after a SIGKILL), runs/status, and a cost budget that stops cleanly and resumes.
 */
import assert from "node:assert/strict";
import { runEventsText } from "./support/run_events.ts";
import {
  type BenchmarkSpecInput,
  isRunHandle,
  Orchestrator,
  type RunProgressSnapshot,
  Store,
} from "../mod.ts";
import { runCli, tempProject } from "./support/cli.ts";

function benchmark(items = 30, latency = 0): BenchmarkSpecInput {
  return {
    benchmark_id: "life",
    models: [{
      model_id: "solver",
      provider: "mock",
      extras: { mode: "reference", template: "the answer is {answer}", latency_ms: latency },
    }],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "what is {item.q}" }] }],
    slices: [{
      slice_id: "s",
      dataset: {
        kind: "inline",
        items: Array.from(
          { length: items },
          (_, i) => ({ id: `q${i}`, q: `${i}+${i}`, answer: `${2 * i}` }),
        ),
      },
      parses: [{ name: "num", extractors: [{ id: "last_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
    }],
  };
}

Deno.test("the progress callback sees pending work fall to zero", async () => {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-life-" }));
  const orchestrator = Orchestrator.fromProjectSpec({
    project_name: "life",
    executor: { kind: "inline" },
    execution_policy: { max_in_flight: 2 },
  }, { store });
  const snapshots: RunProgressSnapshot[] = [];
  try {
    await orchestrator.run(benchmark(200), { progress: { onSnapshot: (s) => snapshots.push(s) } });
    assert.ok(snapshots.length >= 3, `${snapshots.length} snapshots`);
    const pending = snapshots.map((s) => s.stages.generation.pending);
    assert.equal(pending[0] < 200, true);
    for (let i = 1; i < pending.length; i++) assert.ok(pending[i] <= pending[i - 1]);
    const last = snapshots[snapshots.length - 1];
    assert.deepEqual(last.stages, {
      generation: { total: 200, pending: 0, running: 0, completed: 200, failed: 0, skipped: 0 },
      parse: { total: 200, pending: 0, running: 0, completed: 200, failed: 0, skipped: 0 },
      score: { total: 200, pending: 0, running: 0, completed: 200, failed: 0, skipped: 0 },
    });
    assert.equal(last.activeStage, null);
    const stored = await orchestrator.getRunProgress(last.runId);
    assert.equal(stored?.status, "finished");
    assert.deepEqual(stored?.stages, last.stages);
    assert.equal(await orchestrator.getRunProgress("nope"), undefined);
  } finally {
    store.close();
  }
});

Deno.test("status after a SIGKILL shows the true state of the interrupted run", async () => {
  const spec = JSON.stringify(benchmark(400, 5));
  const dir = await tempProject({
    "themis.toml": `project_name = "life"\n[execution_policy]\nmax_in_flight = 2\n`,
    "bench.json": spec,
  });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../cli.ts", import.meta.url).pathname,
      "run",
      "bench.json",
      "--quiet",
    ],
    cwd: dir,
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Kill once some generations are on disk.
  const deadline = Date.now() + 20_000;
  let events = "";
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      const runs = [...Deno.readDirSync(`${dir}/themis-store/runs`)];
      events = runEventsText(`${dir}/themis-store/runs/${runs[0].name}`);
      if (events.split("generation.completed").length > 20) break;
    } catch {
      // not started yet
    }
  }
  child.kill("SIGKILL");
  await child.status;
  const runId = [...Deno.readDirSync(`${dir}/themis-store/runs`)][0].name;
  events = runEventsText(`${dir}/themis-store/runs/${runId}`);
  const completeLines = events.slice(0, events.lastIndexOf("\n") + 1);
  const generated = completeLines.split('"type":"generation.completed"').length - 1;
  const status = await runCli(["status", runId, "--json"], { cwd: dir });
  assert.equal(status.code, 0, status.stderr);
  const snapshot = JSON.parse(status.stdout) as RunProgressSnapshot;
  assert.equal(snapshot.status, "interrupted");
  assert.equal(snapshot.stages.generation.completed, generated);
  assert.equal(snapshot.stages.generation.pending, 400 - generated);
  assert.ok(generated > 0 && generated < 400, `${generated} generations before the kill`);
  const runs = await runCli(["runs"], { cwd: dir });
  assert.match(runs.stdout, new RegExp(`^${runId}\\s+interrupted\\s`, "m"));
});

Deno.test("submit runs now on the local backend; worker_pool returns a pending handle naming the shard commands", async () => {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-life-" }));
  try {
    const local = Orchestrator.fromProjectSpec({
      project_name: "life",
      executor: { kind: "inline" },
    }, {
      store,
    });
    const done = await local.submit(benchmark(5));
    assert.equal(done.status, "finished");
    assert.deepEqual(done.warnings, []);
    assert.ok(done.result);
    const pool = Orchestrator.fromProjectSpec({
      project_name: "life",
      execution_backend: { kind: "worker_pool" },
    }, { store });
    const pending = await pool.submit(benchmark(7));
    assert.equal(pending.status, "planned");
    assert.equal(pending.result, undefined);
    assert.match(pending.warnings[0], /execution_backend is "worker_pool": nothing ran here/);
    assert.match(pending.warnings[0], new RegExp(`themis resume ${pending.runId} --shard 0/4`));
    const batch = Orchestrator.fromProjectSpec({
      project_name: "life",
      execution_backend: "batch",
    }, { store });
    await assert.rejects(batch.submit(benchmark(7)), /needs to know whose Batch API/);
    assert.equal((await pending.progress())?.stages.generation.pending, 2, "5 of 7 reused");
  } finally {
    store.close();
  }
});

Deno.test("--max-cost stops before the budget is passed and the run resumes later", async () => {
  const dir = await tempProject({
    // 3 prompt words + 4 output words per generation at 1000 per million = 0.007 each; before a
    // call the scheduler reserves prompt chars / 4 + max_tokens (3 + 8) = 0.011.
    "themis.toml": `project_name = "life"
[executor]
kind = "inline"
[execution_policy]
max_in_flight = 1
[pricing.solver]
input_per_million = 1000
output_per_million = 1000
`,
    "bench.json": JSON.stringify({
      ...benchmark(10),
      inference_grid: { params: [{ max_tokens: 8 }] },
    }),
  });
  const stopped = await runCli(["run", "bench.json", "--max-cost", "0.05"], { cwd: dir });
  assert.equal(stopped.code, 7, stopped.stderr + stopped.stdout);
  assert.match(stopped.stdout, /stopped: the next generations would pass --max-cost/);
  const cost = Number(/cost: ([\d.]+)/.exec(stopped.stdout)?.[1]);
  assert.ok(cost <= 0.05 && cost > 0, `cost ${cost}`);
  const runId = /^run (\w+):/m.exec(stopped.stdout)![1];
  const resumed = await runCli(["resume", runId], { cwd: dir });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /10 candidates — \d+ generated/);
  const store = Store.open(`${dir}/themis-store`);
  try {
    const orchestrator = Orchestrator.fromProjectSpec({ project_name: "life" }, { store });
    const outcome = await orchestrator.resume(runId);
    assert.ok(!isRunHandle(outcome));
    assert.equal(outcome.summary?.generated, 0);
  } finally {
    store.close();
  }
});

Deno.test("themis plan shows what is reused from which run and what will run", async () => {
  const dir = await tempProject({
    "themis.toml": `project_name = "life"\n[executor]\nkind = "inline"\n`,
    "a.json": JSON.stringify(benchmark(4)),
    "b.json": JSON.stringify({ ...benchmark(6), benchmark_id: "life2" }),
  });
  const first = await runCli(["run", "a.json", "--quiet"], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  const runA = [...Deno.readDirSync(`${dir}/themis-store/runs`)][0].name;
  const plan = await runCli(["plan", "b.json"], { cwd: dir });
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /^generation\s+6\s+4\s+4\s+0\s+2\s+0$/m);
  assert.match(plan.stdout, new RegExp(`reused from runs: ${runA} \\(12\\)`));
});
