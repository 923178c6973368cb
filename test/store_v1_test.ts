/**
 * Version 1 run directories (test/fixtures/v1_store, written by the themis of 2026-11-29: one
 * events.jsonl, the trial list in manifest.json) keep working: read as they are, resumed in
 * place, and rewritten by `themis migrate` with every fact kept.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Store } from "../mod.ts";
import { listSegments } from "../src/store/segments.ts";
import { runCli } from "./support/cli.ts";

const FIXTURE = new URL("./fixtures/v1_store/", import.meta.url).pathname;
const RUNS = ["6c0b28e433f8", "c07904a19e96"];

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyTree(join(from, entry.name), join(to, entry.name));
    else await Deno.copyFile(join(from, entry.name), join(to, entry.name));
  }
}

async function fixtureCopy(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "themis-v1-" });
  await copyTree(FIXTURE, dir);
  return dir;
}

/** What the v1 themis answered for these queries on this store (its own `themis sql`). */
const V1_ACCURACY = [
  { model_id: "mock-echo", slice_id: "arithmetic", m: 0.2, n: 20 },
  { model_id: "mock-echo", slice_id: "capitals", m: 0, n: 12 },
  { model_id: "mock-solver", slice_id: "arithmetic", m: 0.75, n: 16 },
  { model_id: "mock-solver", slice_id: "capitals", m: 0.6667, n: 12 },
];

async function facts(dir: string) {
  const store = Store.open(join(dir, "themis-store"));
  try {
    const accuracy = await store.sql(
      `select model_id, slice_id, round(avg(value), 4) as m, count(*)::integer as n
       from scores join trials using (trial) where score_name = 'accuracy'
       group by all order by all`,
    );
    const counts = await store.sql(
      `select run, count(*)::integer as events,
         count(*) filter (where type = 'generation.completed')::integer as generations,
         count(*) filter (where type = 'score.completed')::integer as scores
       from events where type <> 'trial.planned' group by run order by run`,
    );
    const items = await store.sql(`select count(*)::integer as n from trials where item is not null
      and messages is not null`);
    const work = await store.sql(`select run, stage, status, count(*)::integer as n
      from work_items group by all order by all`);
    return { accuracy, counts, items: items[0].n, work };
  } finally {
    store.close();
  }
}

Deno.test("a version 1 store is read as it is: the same numbers the version 1 themis gave", async () => {
  const dir = await fixtureCopy();
  const seen = await facts(dir);
  assert.deepEqual(seen.accuracy, V1_ACCURACY);
  assert.deepEqual(seen.counts, [
    { run: RUNS[0], events: 116, generations: 32, scores: 50 },
    { run: RUNS[1], events: 156, generations: 32, scores: 90 },
  ]);
  assert.equal(seen.items, 32);
  const runs = await runCli(["runs", "--json"], { cwd: dir });
  assert.equal(runs.code, 0, runs.stderr);
  const statuses = runs.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(statuses.map((s) => [s.run, s.status, s.generations, s.pending]), [
    [RUNS[0], "finished", "32/32", 0],
    [RUNS[1], "finished", "64/64", 0],
  ]);
});

Deno.test("rerunning a version 1 run's spec reuses every fact and writes nothing", async () => {
  const dir = await fixtureCopy();
  const before = listSegments(join(dir, "themis-store/runs", RUNS[1])).map((s) => s.name);
  const again = await runCli(["run", "demo_more.toml"], { cwd: dir });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /64 candidates — 0 generated, 64 reused/);
  assert.deepEqual(
    listSegments(join(dir, "themis-store/runs", RUNS[1])).map((s) => s.name),
    before,
  );
});

Deno.test("themis migrate rewrites version 1 runs with every fact kept, and only once", async () => {
  const dir = await fixtureCopy();
  const expected = await facts(dir);
  const migrated = await runCli(["migrate", "--json"], { cwd: dir });
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.deepEqual(migrated.stdout.trim().split("\n").map((l) => JSON.parse(l)), [
    { run: RUNS[0], migrated: "yes", events: 116, trials: 32, segments: 1 },
    { run: RUNS[1], migrated: "yes", events: 156, trials: 32, segments: 1 },
  ]);
  for (const run of RUNS) {
    const runDir = join(dir, "themis-store/runs", run);
    const names = [...Deno.readDirSync(runDir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["events", "manifest.json", "plan"]);
    const manifest = JSON.parse(Deno.readTextFileSync(join(runDir, "manifest.json")));
    assert.equal(manifest.manifest_version, 2);
    assert.equal(manifest.trials, undefined);
    assert.ok(listSegments(runDir).every((s) => s.compressed));
  }
  await Deno.remove(join(dir, "themis-store/.cache"), { recursive: true });
  assert.deepEqual(await facts(dir), expected);
  const twice = await runCli(["migrate", "--json"], { cwd: dir });
  assert.match(twice.stdout, /"migrated":"already current"/);
  const again = await runCli(["run", "demo_more.toml"], { cwd: dir });
  assert.match(again.stdout, /64 candidates — 0 generated, 64 reused/);
});

Deno.test("a version 1 run resumed by this themis, then migrated, keeps both parts of its log", async () => {
  const dir = await fixtureCopy();
  // Drop the last run's finish: it is interrupted, so a rerun appends a segment beside the v1 log.
  const legacy = join(dir, "themis-store/runs", RUNS[1], "events.jsonl");
  const lines = Deno.readTextFileSync(legacy).trimEnd().split("\n");
  assert.match(lines[lines.length - 1], /"type":"run.finished"/);
  Deno.writeTextFileSync(legacy, lines.slice(0, -1).join("\n") + "\n");
  const resumed = await runCli(["resume", RUNS[1]], { cwd: dir });
  assert.equal(resumed.code, 0, resumed.stderr);
  const runDir = join(dir, "themis-store/runs", RUNS[1]);
  assert.deepEqual(listSegments(runDir).map((s) => s.index), [0, 1]);
  const expected = await facts(dir);
  await runCli(["migrate"], { cwd: dir });
  assert.deepEqual(listSegments(runDir).map((s) => s.index), [1]);
  await Deno.remove(join(dir, "themis-store/.cache"), { recursive: true });
  assert.deepEqual(await facts(dir), expected);
});

Deno.test("a migration interrupted mid-swap is finished by the next one", async () => {
  const dir = await fixtureCopy();
  const expected = await facts(dir);
  const runDir = join(dir, "themis-store/runs", RUNS[0]);
  await runCli(["migrate", RUNS[0]], { cwd: dir });
  // Put back the state of a crash between the two renames: events.new holds the rewritten log
  // (with its marker), the old log is still there, events/ is missing.
  Deno.renameSync(join(runDir, "events"), join(runDir, "events.new"));
  Deno.writeTextFileSync(join(runDir, "events.new", "MIGRATED"), "events.jsonl\n");
  await Deno.copyFile(
    join(FIXTURE, "themis-store/runs", RUNS[0], "events.jsonl"),
    join(runDir, "events.jsonl"),
  );
  const done = await runCli(["migrate", "--json"], { cwd: dir });
  assert.equal(done.code, 0, done.stderr);
  assert.deepEqual([...Deno.readDirSync(runDir)].map((e) => e.name).sort(), [
    "events",
    "manifest.json",
    "plan",
  ]);
  await runCli(["migrate"], { cwd: dir });
  await Deno.remove(join(dir, "themis-store/.cache"), { recursive: true });
  assert.deepEqual(await facts(dir), expected);
});
