/**
 * `deno run -A bench/analytics.ts`: the analytics figures on a store of 1,000,000 score events
 * (written straight to disk in the real formats, see analytics_store.ts), with a plain DuckDB
 * scan of the same event files measured in the same run as the baseline for the ratios.
 *
 * 1. projection build from scratch (the cache deleted), with each step's time;
 * 2. incremental refresh after appending one more run (a new score on one slice);
 * 3. `aggregate()` by model × slice × metric over the run that covers every trial: cold, then
 *    warm (median of 5); the leaderboard with its bootstrap intervals; the HTML report;
 * 4. `themis sql` cold start to first row, in a child process, against `themis --version`.
 *
 * Options: `--fresh` rewrites the store; `--dir DIR` (default bench/out/analytics-store).
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { openResult, Store } from "../mod.ts";
import { Analytics } from "../src/analytics/analytics.ts";
import { Database } from "../src/analytics/duckdb.ts";
import { readEventsSql } from "../src/analytics/projections.ts";
import { appendBenchRun, MILLION_SCORES, writeBenchStore } from "./analytics_store.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { fresh: { type: "boolean", default: false }, dir: { type: "string" } },
});
const here = new URL(".", import.meta.url).pathname;
const root = values.dir ?? join(here, "out", "analytics-store");
const cli = join(here, "..", "cli.ts");
const APPENDED = "a00000000000";
const FULL = "f00000000000";

const seconds = (ms: number) => Math.round(ms) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

async function prepareStore(): Promise<void> {
  const exists = await Deno.stat(join(root, "runs", FULL, "manifest.json")).then(
    () => true,
    () => false,
  );
  if (values.fresh || !exists) {
    await Deno.remove(root, { recursive: true }).catch(() => {});
    const [written, ms] = await timed(() => writeBenchStore(root, MILLION_SCORES));
    console.error(`wrote ${written.scoreEvents} score events in ${seconds(ms)} s`);
  }
  await Deno.remove(join(root, "runs", APPENDED), { recursive: true }).catch(() => {});
  await Deno.remove(join(root, ".cache"), { recursive: true }).catch(() => {});
}

/** Baseline: DuckDB reading every event file with the same explicit columns, nothing more. */
async function baselineScan(): Promise<number> {
  const db = await Database.open(":memory:");
  try {
    const files: string[] = [];
    for await (const run of Deno.readDir(join(root, "runs"))) {
      files.push(join(root, "runs", run.name, "events.jsonl"));
    }
    const [, ms] = await timed(async () => {
      await db.run(
        `create table scan as ${files.map((f) => readEventsSql(f)).join(" union all ")}`,
      );
    });
    return ms;
  } finally {
    db.close();
  }
}

async function childMs(args: string[]): Promise<{ total: number; firstRow: number }> {
  const start = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, ...args],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let firstRow = 0;
  for await (const _ of child.stdout) {
    if (!firstRow) firstRow = performance.now() - start;
  }
  await child.status;
  return { total: performance.now() - start, firstRow };
}

await prepareStore();
const report: Record<string, unknown> = {};
const events = await Deno.readDir(join(root, "runs"));
let bytes = 0;
for await (const run of events) {
  bytes += (await Deno.stat(join(root, "runs", run.name, "events.jsonl"))).size;
}
report.store = { root, runs: 11, eventBytes: bytes, scoreEvents: 1_000_000 };
const baseline = await baselineScan();
report.baselineScanSeconds = seconds(baseline);

const steps: Record<string, number> = {};
const profile = (step: string, ms: number) => (steps[step] = seconds(ms));
const [analytics, buildMs] = await timed(() => Analytics.open(root, { profile }));
report.buildFromScratch = {
  seconds: seconds(buildMs),
  ratioToScan: +(buildMs / baseline).toFixed(2),
  steps: { ...steps },
};
const [{ n: events_ }] = await analytics.sql("select count(*)::bigint as n from events");
const [{ n: scores }] = await analytics.sql(
  "select count(*)::bigint as n from events where type = 'score.completed'",
);
report.store = { ...report.store as object, events: events_, scoreEventsInCache: scores };

await appendBenchRun(root, MILLION_SCORES);
for (const k of Object.keys(steps)) delete steps[k];
const [refresh, refreshMs] = await timed(() => analytics.refresh({ profile }));
report.incrementalRefresh = {
  seconds: seconds(refreshMs),
  ratioToScan: +(refreshMs / baseline).toFixed(2),
  bytesRead: refresh.bytesRead,
  steps: { ...steps },
};
const [, idleMs] = await timed(() => analytics.refresh());
report.refreshWithNothingNew = { seconds: seconds(idleMs) };
analytics.close();

const store = Store.open(root);
try {
  const result = await openResult(store, FULL);
  const groupBy = ["model", "slice", "metric"];
  const [rows, coldMs] = await timed(() => result.aggregate({ groupBy }));
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push((await timed(() => result.aggregate({ groupBy })))[1]);
  const [board, boardMs] = await timed(() => result.leaderboard());
  report.aggregate = {
    groups: rows.length,
    trialValues: rows.reduce((n, r) => n + r.count, 0),
    coldSeconds: seconds(coldMs),
    warmSeconds: seconds(median(warm)),
    warmRuns: warm.map(seconds),
    targetWarmSeconds: 1,
  };
  report.leaderboardBootstrap = { rows: board.length, seconds: seconds(boardMs) };
  const [html, htmlMs] = await timed(() => result.report({ format: "html" }));
  report.htmlReport = { seconds: seconds(htmlMs), bytes: html.length };
} finally {
  store.close();
}

const version = await childMs(["--version"]);
const sql = await childMs([
  "sql",
  "--store",
  root,
  "select cand, score_name, value from scores limit 1",
]);
report.sqlColdStart = {
  firstRowSeconds: seconds(sql.firstRow),
  exitSeconds: seconds(sql.total),
  versionBaselineSeconds: seconds(version.total),
  ratioToVersion: +(sql.total / version.total).toFixed(2),
};

await Deno.mkdir(join(here, "out"), { recursive: true });
await Deno.writeTextFile(
  join(here, "out", "analytics.json"),
  JSON.stringify(report, null, 2) + "\n",
);
console.log(JSON.stringify(report, null, 2));
