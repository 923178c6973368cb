/**
 * The analytics cache never lies: queried while a run writes, it counts each event once and
 * ends equal to a build from scratch; an edit in the middle of a segment is noticed; lines that
 * are not events, or events with a field of the wrong type, are STORE_CORRUPT naming the
 * segment and line.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { Store } from "../mod.ts";
import { Analytics } from "../src/analytics/analytics.ts";
import { DOCUMENTED } from "../src/analytics/projections.ts";
import { iterRunEvents } from "../src/store/read_segments.ts";
import { compressSegment, listSegments } from "../src/store/segments.ts";
import { runCli, tempProject } from "./support/cli.ts";
import { mockBenchmark } from "./support/mock_benchmark.ts";

const ITEMS = Array.from(
  { length: 600 },
  (_, i) => ({ id: `q${i}`, q: `${i} + 1`, answer: i + 1 }),
);

function project(segmentMb: number): string {
  return `project_name = "cache"\n[storage]\nsegment_mb = ${segmentMb}\n` +
    `[executor]\nkind = "inline"\n[execution_policy]\nmax_in_flight = 4\n`;
}

function spec(items = ITEMS): string {
  return JSON.stringify(
    mockBenchmark({ id: "cache", items, accuracy: 0.7, template: "It is {answer}.", latencyMs: 2 }),
  );
}

async function eventsOnDisk(root: string): Promise<number> {
  let n = 0;
  let runs: Deno.DirEntry[] = [];
  try {
    runs = [...Deno.readDirSync(join(root, "runs"))];
  } catch {
    return 0; // not planned yet
  }
  for (const run of runs) {
    for await (const _ of iterRunEvents(join(root, "runs", run.name))) n++;
  }
  return n;
}

async function snapshot(analytics: Analytics): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of DOCUMENTED) {
    out[t.name] = await analytics.sql(`select * from ${t.name} order by all`);
  }
  return out;
}

async function scratch(root: string): Promise<Record<string, unknown[]>> {
  const copy = await Deno.makeTempDir({ prefix: "themis-scratch-" });
  await new Deno.Command("cp", { args: ["-r", join(root, "runs"), copy] }).output();
  const analytics = await Analytics.open(copy);
  try {
    return await snapshot(analytics);
  } finally {
    analytics.close();
  }
}

Deno.test("queried while a run writes, the cache counts each event once and ends as a fresh build", async () => {
  const gate = await Deno.makeTempDir({ prefix: "themis-gate-" });
  const gated = JSON.parse(spec());
  gated.plugins = [new URL("./fixtures/plugins/gated_engine.ts", import.meta.url).pathname];
  gated.models = [{ model_id: "solver", provider: "gated", extras: { gate, batch: 100 } }];
  const dir = await tempProject({
    "themis.toml": project(0.05),
    "bench.json": JSON.stringify(gated),
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
    stderr: "piped",
  }).spawn();
  const store = Store.open(join(dir, "themis-store"));
  const root = join(dir, "themis-store");
  try {
    // Open one batch of 100 items at a time; while the run waits at the next gate its log is
    // still, and the cache must hold exactly the events on disk, each once.
    // Segments the cache read while open and that closed since are not read again: from the
    // third batch on (more kept than new), every refresh is an update, never a rebuild.
    const cache = await Analytics.open(root);
    for (let batch = 0; batch < 5; batch++) {
      Deno.writeTextFileSync(join(gate, `open-${batch}`), "");
      const expected = 1 + 3 * 100 * (batch + 1); // run.started, then 3 events per item
      await until(async () => (await eventsOnDisk(root)) >= expected);
      const report = await cache.refresh();
      const [{ n }] = await cache.sql(`select count(*)::integer as n from events`);
      assert.equal(n, expected, `after batch ${batch}`);
      if (batch >= 2) assert.equal(report.rebuilt, false, `batch ${batch} refreshed in place`);
    }
    cache.close();
    Deno.writeTextFileSync(join(gate, "open-5"), "");
    const out = await child.output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const analytics = await store.analytics();
    const [{ n }] = await analytics.sql(`select count(*)::integer as n from events`);
    assert.equal(n, await eventsOnDisk(root));
    const runId = [...Deno.readDirSync(join(root, "runs"))][0].name;
    assert.ok(listSegments(join(root, "runs", runId)).length > 3, "the run rotated its segments");
    assert.deepEqual(await snapshot(analytics), await scratch(root));
  } finally {
    store.close();
  }
});

/** Wait for a condition, however long the machine takes (the test's own timeout bounds it). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 20));
}

async function finishedStore() {
  const dir = await tempProject({
    "themis.toml": project(32),
    "bench.json": spec(ITEMS.slice(0, 20)),
  });
  const run = await runCli(["run", "bench.json", "--quiet"], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const root = join(dir, "themis-store");
  const runId = [...Deno.readDirSync(join(root, "runs"))][0].name;
  const [segment] = listSegments(join(root, "runs", runId));
  return { dir, root, segment };
}

function editSegment(path: string, edit: (text: string) => string): void {
  const text = new TextDecoder().decode(gunzipSync(Deno.readFileSync(path)));
  Deno.writeFileSync(path, gzipSync(edit(text)));
}

Deno.test("a segment the run compresses between the cache's listing and its reading is read from its new file", async () => {
  const { root, segment } = await finishedStore();
  // The run's last segment as it is while open: plain JSONL.
  const plain = segment.path.replace(/\.gz$/, "");
  Deno.writeFileSync(plain, gunzipSync(Deno.readFileSync(segment.path)));
  Deno.removeSync(segment.path);
  let closed = false;
  const analytics = await Analytics.open(root, {
    file: ":memory:",
    // Listed, not yet read: the run closes the segment now, as a rotation would.
    profile: (step) => {
      if (step !== "read manifests and plans" || closed) return;
      closed = true;
      compressSegment(plain);
    },
  });
  try {
    assert.ok(closed, "the segment was closed while the cache refreshed");
    assert.deepEqual(await snapshot(analytics), await scratch(root));
  } finally {
    analytics.close();
  }
});

Deno.test("an edit in the middle of a closed segment is noticed: no answer from the old cache", async () => {
  const { dir, segment } = await finishedStore();
  const count = async () =>
    (await runCli(["sql", "--format", "json", "select sum(value)::integer as s from scores"], {
      cwd: dir,
    })).stdout;
  const before = JSON.parse(await count()).s as number;
  assert.ok(before > 0);
  // Turn the first correct score into a wrong one: same line count, same length.
  editSegment(segment.path, (text) => text.replace('"value":1}', '"value":0}'));
  assert.equal(JSON.parse(await count()).s, before - 1);
});

Deno.test("a line that is not an event, a bad time or a field of the wrong type is STORE_CORRUPT with its line", async () => {
  const cases: Array<[string, (text: string) => string, RegExp]> = [
    [
      "not an event",
      (t) => t.replace(/\n/, '\n{"hello":"world"}\n'),
      /line 2 is not a themis event/,
    ],
    ["bad time", (t) => t.replace(/"ts":"[^"]+"/, '"ts":"yesterday"'), /line 1 .*valid time/],
    [
      "wrong type",
      (t) => t.replace(/"latency_ms":\d+/, '"latency_ms":"fast"'),
      /line \d+ has a bad field data\.latency_ms/,
    ],
  ];
  for (const [name, edit, message] of cases) {
    const { dir, segment } = await finishedStore();
    await Deno.remove(join(dir, "themis-store/.cache"), { recursive: true });
    editSegment(segment.path, edit);
    const out = await runCli(["sql", "select count(*) from scores"], { cwd: dir });
    assert.equal(out.code, 4, `${name}: ${out.stderr}`);
    assert.match(out.stderr, /STORE_CORRUPT/, name);
    assert.match(
      out.stderr,
      new RegExp(`${segment.name.replaceAll(".", "\\.")}": ${message.source}`),
      name,
    );
  }
});

Deno.test("themis pack closes what an interrupted run left open, and leaves a live run alone", async () => {
  const { dir, root, segment } = await finishedStore();
  const runDir = join(root, "runs", segment.label.split("/")[0]);
  // An interrupted execution: an open segment with a torn last line.
  const open = join(runDir, "events", "000002-0a1b2c3d.jsonl");
  const text = new TextDecoder().decode(gunzipSync(Deno.readFileSync(segment.path)));
  const first = text.split("\n")[0].replace('"seq":0', '"seq":1000');
  Deno.writeTextFileSync(open, `${first}\n{"v":2,"seq":10`);
  const packed = await runCli(["pack", "--json"], { cwd: dir });
  assert.equal(packed.code, 0, packed.stderr);
  assert.deepEqual(JSON.parse(packed.stdout), {
    run: segment.label.split("/")[0],
    closed: 1,
    segments: 2,
    note: "",
  });
  assert.deepEqual(listSegments(runDir).map((s) => s.compressed), [true, true]);
  assert.equal(new TextDecoder().decode(gunzipSync(Deno.readFileSync(`${open}.gz`))), `${first}\n`);

  Deno.writeTextFileSync(
    join(runDir, "lock"),
    JSON.stringify({ pid: Deno.pid, hostname: Deno.hostname(), started: "" }),
  );
  const busy = await runCli(["pack", "--json"], { cwd: dir });
  assert.match(busy.stdout, /being written: left alone/);
});

Deno.test("a new store ignores its derived cache in git", async () => {
  const { root } = await finishedStore();
  assert.equal(Deno.readTextFileSync(join(root, ".gitignore")), ".cache/\n");
});

Deno.test("queries asked at once share one analytics database", async () => {
  const { root } = await finishedStore();
  const store = Store.open(root);
  try {
    const counts = await Promise.all(
      Array.from({ length: 4 }, () => store.sql(`select count(*)::integer as n from events`)),
    );
    assert.equal(new Set(counts.map((c) => c[0].n)).size, 1);
  } finally {
    store.close();
  }
});
