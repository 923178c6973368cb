/**
 * Incremental refresh: the projections after each appended run (a new run, a run resumed in
 * place, a re-planned manifest) equal a build from scratch; and a store of 20 runs that reuse
 * each other's trials counts every trial once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Analytics } from "../src/analytics/analytics.ts";
import { DOCUMENTED } from "../src/analytics/projections.ts";
import { benchmark, type Fixture, openFixture } from "./results_fixture_test.ts";

const TABLES = [
  ...DOCUMENTED.map((p) => p.name),
  "v1_trials",
  "plan_trials",
  "manifest_runs",
  "manifest_stages",
  "manifest_candidates",
];

async function snapshot(analytics: Analytics): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    out[table] = await analytics.sql(`select * from ${table} order by all`);
  }
  return out;
}

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyTree(join(from, entry.name), join(to, entry.name));
    else if (entry.isFile && entry.name !== "lock") {
      await Deno.copyFile(join(from, entry.name), join(to, entry.name));
    }
  }
}

/** The projections of the same run directories, built from scratch in a fresh cache. */
async function fromScratch(f: Fixture): Promise<Record<string, unknown[]>> {
  const root = await Deno.makeTempDir({ prefix: "themis-scratch-" });
  await copyTree(join(f.store.root, "runs"), join(root, "runs"));
  const analytics = await Analytics.open(root);
  try {
    return await snapshot(analytics);
  } finally {
    analytics.close();
  }
}

async function assertSameAsScratch(f: Fixture, step: string, incremental = true) {
  const analytics = await f.store.analytics();
  const report = await analytics.refresh();
  // A cache with no events yet may be built from scratch: there is nothing to update.
  if (incremental) assert.equal(report.rebuilt, false, `${step}: refreshed incrementally`);
  assert.deepEqual(await snapshot(analytics), await fromScratch(f), step);
}

Deno.test("projections refreshed after each appended run equal a build from scratch", async () => {
  const f = await openFixture();
  try {
    await f.store.analytics(); // the cache exists before the first run
    const first = await f.orchestrator.run(benchmark());
    await assertSameAsScratch(f, "first run, with failures", false);

    const spec = benchmark();
    spec.slices[0].scores!.push({ name: "again", parse: "num", metrics: [{ id: "exact_match" }] });
    await f.orchestrator.run(spec);
    await assertSameAsScratch(f, "a run that adds a score and reuses every generation");

    f.flaky.broken = false;
    await f.orchestrator.resume(first.runId);
    await assertSameAsScratch(f, "the first run resumed in place: its failures now succeed");

    await f.orchestrator.run(benchmark({ num_samples: 2 }));
    await assertSameAsScratch(f, "more samples");

    await f.orchestrator.plan(benchmark({ num_samples: 3 }));
    await assertSameAsScratch(f, "a planned run without events");
  } finally {
    f.close();
  }
});

Deno.test("a store of 20 runs that reuse each other's trials reports each trial once", async () => {
  const f = await openFixture();
  try {
    const items = Array.from(
      { length: 25 },
      (_, i) => ({ id: `m${i}`, q: `${i} + 1`, answer: `${i + 1}` }),
    );
    const runs: string[] = [];
    for (let i = 0; i < 20; i++) {
      // Overlapping windows of 6 items: run i shares trials with runs i − 1 and i + 1 (and more).
      const spec = benchmark({ models: benchmark().models.slice(0, 2) });
      spec.slices = [{
        ...spec.slices[0],
        dataset: { kind: "inline", items: items.slice(i, i + 6) },
      }];
      runs.push((await f.orchestrator.run(spec)).runId);
    }
    assert.equal(new Set(runs).size, 20);
    const counts = await f.store.sql(
      `select (select count(*) from trials)::integer as trials,
              (select count(distinct trial) from plan_trials)::integer as distinct_trials,
              (select count(*) from run_trials)::integer as run_trials,
              (select count(*) from candidates)::integer as candidates,
              (select count(*) from events where type = 'generation.completed')::integer
                as generations,
              (select count(*) from scores)::integer as scores,
              (select count(*) from scores where invalid)::integer as invalid_scores,
              (select count(*) from (select distinct cand, overlay from events
                where type = 'score.completed'))::integer as score_facts`,
    );
    // 25 items × 2 models, each generated and scored once (2 scores each); 20 runs × 12 trials
    // reached. The solver's "I don't know" has no number: 11 of its 25 "acc" scores are
    // recorded invalid (once each, however many runs plan them).
    assert.deepEqual(counts, [{
      trials: 50,
      distinct_trials: 50,
      run_trials: 240,
      candidates: 50,
      generations: 50,
      scores: 100,
      invalid_scores: 11,
      score_facts: 100,
    }]);
    const last = await (await import("../mod.ts")).openResult(f.store, runs[19]);
    const rows = await last.aggregate({ groupBy: ["model"], metric: "raw" });
    assert.deepEqual(rows.map((r) => [r.model, r.count, r.n_trials]), [["echo", 6, 6], [
      "solver",
      6,
      6,
    ]]);
    const reused = await f.store.sql(
      `select count(*)::integer as n from work_items
       where run = '${runs[19]}' and stage = 'generation' and reused_from is not null`,
    );
    assert.deepEqual(reused, [{ n: 10 }]);
  } finally {
    f.close();
  }
});
