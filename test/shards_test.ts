/**
 * Sharded runs: N shards of a plan, each in its own run directory of one store, give exactly
 * the ids, scores and aggregate of one process; status names done, unfinished and missing
 * shards; resuming a shard redoes only its own part.
 */
import assert from "node:assert/strict";
import {
  type BenchmarkSpecInput,
  type ExperimentResult,
  Orchestrator,
  type RunManifest,
  type RunProgressSnapshot,
  Store,
} from "../mod.ts";
import { shardTrials } from "../src/plan/shard_plan.ts";
import { runCli, tempProject } from "./support/cli.ts";

function benchmark(items = 24): BenchmarkSpecInput {
  const model = (id: string, accuracy: number) => ({
    model_id: id,
    provider: "mock",
    extras: { mode: "reference", template: "it is {answer}", wrong: "it is -1", accuracy },
  });
  return {
    benchmark_id: "shards",
    num_samples: 2,
    models: [model("good", 0.9), model("poor", 0.4)],
    prompt_variants: [
      { id: "a", messages: [{ role: "user", content: "{item.q}?" }] },
      { id: "b", messages: [{ role: "user", content: "compute {item.q}" }] },
    ],
    slices: [{
      slice_id: "s",
      dataset: {
        kind: "inline",
        items: Array.from(
          { length: items },
          (_, i) => ({ id: `q${i}`, q: `${i}+1`, answer: i + 1 }),
        ),
      },
      parses: [{ name: "num", extractors: [{ id: "last_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
    }],
  };
}

const project = { project_name: "shards", executor: { kind: "inline" as const } };

async function facts(store: Store): Promise<unknown[]> {
  return await store.sql(
    `select s.cand, s.trial, s.score_hash, s.metric, s.value, c.text from scores s
     join candidates c using (cand) order by all`,
  );
}

async function plannedIds(store: Store, runId: string): Promise<string[]> {
  const rows = await store.sql(
    `select trial from plan_trials where run = '${runId}' order by trial`,
  );
  return rows.map((r) => String(r.trial));
}

Deno.test("shardTrials() partitions trial ids into balanced, disjoint parts", () => {
  const ids = Array.from({ length: 103 }, (_, i) => `t${(i * 7919) % 1000}`);
  const parts = [0, 1, 2, 3].map((index) => shardTrials(ids, { index, count: 4 }));
  const sizes = parts.map((p) => p.size);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
  const union = parts.flatMap((p) => [...p]).sort();
  assert.deepEqual(union, [...new Set(ids)].sort());
  // Chosen by id, not by position: the same ids in another order give the same parts.
  assert.deepEqual(shardTrials([...ids].reverse(), { index: 2, count: 4 }), parts[2]);
});

Deno.test("three shards in one store equal one process: ids, scores and aggregate", async () => {
  const single = Store.open(await Deno.makeTempDir({ prefix: "themis-single-" }));
  const sharded = Store.open(await Deno.makeTempDir({ prefix: "themis-sharded-" }));
  try {
    const one = await Orchestrator.fromProjectSpec(project, { store: single }).run(benchmark());
    const orchestrator = Orchestrator.fromProjectSpec(project, { store: sharded });
    const parts: ExperimentResult[] = [];
    for (const index of [2, 0, 1]) {
      parts.push(await orchestrator.run(benchmark(), { shard: { index, count: 3 } }));
    }
    const of = one.runId;
    for (const part of parts) assert.equal(part.manifest.shard?.of, of);
    const sizes = parts.map((p) => p.manifest.counts.trials);
    assert.equal(sizes.reduce((a, b) => a + b, 0), one.manifest.counts.trials);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    // Each shard generated only its own candidates: nothing was done twice.
    assert.equal(parts.reduce((n, p) => n + p.summary!.generated, 0), 96 * 2);
    // One query at a time: Store.analytics() opened concurrently races (see the report).
    const shardTrialIds: string[] = [];
    for (const part of parts) shardTrialIds.push(...await plannedIds(sharded, part.runId));
    shardTrialIds.sort();
    assert.deepEqual(shardTrialIds, await plannedIds(single, of));
    assert.deepEqual(await facts(sharded), await facts(single));
    const whole = orchestrator.resultOf(
      await sharded.runs.readManifest<RunManifest>(of),
    );
    assert.deepEqual(await whole.aggregate(), await one.aggregate());
    const snapshot = await orchestrator.getRunProgress(of);
    assert.equal(snapshot?.status, "finished");
    assert.deepEqual(snapshot?.shards?.map((g) => [g.count, g.done, g.unfinished, g.missing]), [
      [3, [0, 1, 2], [], []],
    ]);
  } finally {
    single.close();
    sharded.close();
  }
});

Deno.test("status names missing and unfinished shards; resuming a shard redoes only its part", async () => {
  const dir = await tempProject({
    "themis.toml": `project_name = "shards"\n[executor]\nkind = "inline"\n` +
      `[execution_policy]\nmax_in_flight = 1\n`,
    "bench.json": JSON.stringify(benchmark(40)),
  });
  const store = Store.open(`${dir}/themis-store`);
  try {
    const orchestrator = await Orchestrator.fromProjectFile(`${dir}/themis.toml`, { store });
    const stop = new AbortController();
    const first = await orchestrator.run(benchmark(40), {
      specDir: dir,
      shard: { index: 1, count: 4 },
      signal: stop.signal,
      progress: {
        onSnapshot: (s) => s.stages.generation.completed >= 10 && stop.abort(),
      },
    });
    const shardRun = first.runId;
    const mine = first.manifest.counts.candidates;
    assert.ok(first.summary!.generated < mine, "stopped part way");
    const of = first.manifest.shard!.of;
    const status = await runCli(["status", of], { cwd: dir });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /shards \(4\): 0 done; unfinished: 1; not started: 0, 2, 3/);
    assert.match(status.stdout, new RegExp(`unfinished: themis resume ${shardRun}`));
    assert.match(status.stdout, /missing: themis run <spec> --shard 0\/4/);
    const json = JSON.parse(
      (await runCli(["status", of, "--json"], { cwd: dir })).stdout,
    ) as RunProgressSnapshot;
    assert.equal(json.status, "interrupted");

    const resumed = await runCli(["resume", shardRun], { cwd: dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`shard 1/4 of run ${of}`));
    const [row] = await store.sql(
      `select count(*) as n, count(distinct run) as runs from candidates`,
    );
    // Only shard 1's candidates exist, all written by shard 1's run directory.
    assert.deepEqual({ n: Number(row.n), runs: Number(row.runs) }, { n: mine, runs: 1 });
    const after = await orchestrator.getRunProgress(of);
    assert.deepEqual(after?.shards?.[0].done, [1]);
    assert.deepEqual(after?.shards?.[0].missing, [0, 2, 3]);
    assert.equal(after?.stages.generation.pending, 320 - mine);
  } finally {
    store.close();
  }
});

Deno.test("--shard is checked and a shard run prints where the whole run is", async () => {
  const dir = await tempProject({
    "themis.toml": `project_name = "shards"\n[executor]\nkind = "inline"\n`,
    "bench.json": JSON.stringify(benchmark(6)),
  });
  const bad = await runCli(["run", "bench.json", "--shard", "2/2"], { cwd: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--shard takes i\/N with 0 ≤ i < N \(got "2\/2"\)/);
  const ok = await runCli(["run", "bench.json", "--shard", "0/2"], { cwd: dir });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^shard 0\/2 of run [0-9a-f]{12} \(run [0-9a-f]{12}\): 24 candidates/);
  assert.match(ok.stdout, /every shard done\? themis status [0-9a-f]{12}/);
});
