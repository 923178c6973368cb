/**
 * `deno run -A bench/view.ts [--store DIR | --trials N] [--fresh] [--cold] [--overview]`:
 * `themis view` on a large store, in headless Chromium, as a user meets it.
 *
 * Measured: the server up (URL printed); the runs page's first contentful paint and its runs
 * table; a run page's first items page; a filtered items page (a search typed into the box);
 * a candidate's timeline; with `--overview`, the leaderboard (the report's statistics, which
 * take minutes at a million trials); the server process's peak RSS. Baselines measured in the
 * same bench run: `themis runs` and the same search as one `themis sql`, each in a fresh
 * process, as the CLI would answer them.
 *
 * `--store DIR` reuses a store; otherwise one of `--trials` (default 1,000,000) trials is
 * made with the mock engine (bench/run_once.ts) in bench/out/. `--fresh` deletes the view's
 * cache first (it is seeded again from the shared one); `--cold` also hides the shared cache,
 * so the view builds its own from the events.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { chromiumAvailable, launchChromium } from "../test/support/chromium.ts";
import { startView } from "../test/support/view_process.ts";
import { writeBenchDataset } from "./bench_spec.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    store: { type: "string" },
    trials: { type: "string", default: "1000000" },
    fresh: { type: "boolean", default: false },
    cold: { type: "boolean", default: false },
    overview: { type: "boolean", default: false },
  },
});
const here = new URL(".", import.meta.url).pathname;
const cli = `${here}../cli.ts`;
const LONG = { timeout: 30 * 60_000 };

async function makeStore(trials: number): Promise<string> {
  const out = `${here}out`;
  await Deno.mkdir(out, { recursive: true });
  const dataset = `${out}/items-${trials}.jsonl`;
  await writeBenchDataset(dataset, trials);
  const root = `${out}/view-store-${trials}`;
  const made = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${here}run_once.ts`, dataset, String(trials), "inline", root],
    stderr: "inherit",
  }).output();
  if (!made.success) throw new Error("bench/run_once.ts failed");
  return root;
}

async function wallMs(args: string[]): Promise<number> {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, ...args],
    stdout: "null",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`themis ${args.join(" ")} failed`);
  return performance.now() - started;
}

function peakRssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

const since = (t: number) => Math.round(performance.now() - t);

if (!(await chromiumAvailable())) {
  console.error("bench/view.ts needs /usr/bin/chromium (apt-get install -y chromium)");
  Deno.exit(2);
}
const root = values.store ?? await makeStore(Number(values.trials));
const cache = join(root, ".cache");
const shared = join(cache, "analytics.duckdb");
const aside = `${shared}.bench-aside`;
if (values.fresh || values.cold) {
  for (const f of ["view.duckdb", "view.duckdb.wal"]) {
    await Deno.remove(join(cache, f)).catch(() => {});
  }
}
// Baselines first, so the shared cache they use is built before the view starts.
const search = "q12345";
const baseline = {
  runsCli: await wallMs(["runs", "--store", root]),
  sqlCli: await wallMs([
    "sql",
    `select count(distinct trial) from work_items where contains(item_id, '${search}')`,
    "--store",
    root,
  ]),
};
if (values.cold) await Deno.rename(shared, aside);

const mode = values.cold ? "cold" : values.fresh ? "fresh" : "warm";
const m: Record<string, number | string> = { store: root, mode };
let t = performance.now();
const view = await startView(["--store", root]);
m.serverUpMs = since(t);
const context = await launchChromium();
try {
  const page = await context.newPage();
  t = performance.now();
  await page.goto(view.url);
  m.shellLoadedMs = since(t);
  await page.waitForSelector("#runs-table", LONG);
  const paints = await page.evaluate(() =>
    performance.getEntriesByType("paint").map((e) => [e.name, e.startTime] as const)
  );
  m.firstPaintMs = Math.round(paints.find(([name]) => name === "first-paint")?.[1] ?? -1);
  m.firstContentfulPaintMs = Math.round(
    paints.find(([name]) => name === "first-contentful-paint")?.[1] ?? -1,
  );
  m.runsTableMs = since(t);

  t = performance.now();
  await page.click("#runs-table tbody a");
  await page.waitForSelector("#items tbody tr[data-cand]", LONG);
  m.firstItemsPageMs = since(t);
  m.totalTrials = Number(await page.locator("#items").getAttribute("data-total"));

  t = performance.now();
  await page.fill("#item-search", search);
  await page.waitForSelector('#items[data-matching="11"]', LONG);
  m.filteredItemsPageMs = since(t);

  t = performance.now();
  await page.fill("#item-search", "q9999"); // q9999, q9999x, q9999xx: 111 items
  await page.waitForSelector('#items[data-matching="111"]', LONG);
  m.secondFilterMs = since(t);

  t = performance.now();
  await page.click("#items tbody tr[data-cand]");
  await page.waitForSelector("#timeline-body h3", LONG);
  m.timelineMs = since(t);
  await page.click("#timeline-close");

  if (values.overview) {
    t = performance.now();
    await page.waitForSelector("#overview #leaderboard", LONG);
    m.leaderboardAfterItemsMs = since(t);
  }
  m.peakRssMb = peakRssMb(view.pid);
} finally {
  await context.close();
  t = performance.now();
  const code = await view.stop();
  m.stopMs = since(t);
  if (values.cold) await Deno.rename(aside, shared);
  if (code !== 0) console.error(view.output().stderr);
}
const ratio = (a: number, b: number) => (a / b).toFixed(2);
console.log(JSON.stringify({ ...m, baseline: { ...baseline } }));
console.log(
  [
    `themis view on ${m.totalTrials} trials (${
      {
        cold: "cold: the view builds its cache from the events",
        fresh: "fresh: the view's cache seeded from the shared one",
        warm: "warm: the view's cache exists",
      }[mode]
    })`,
    `  server up (URL printed)        ${m.serverUpMs} ms`,
    `  page loaded / first paint / FCP ${m.shellLoadedMs} / ${m.firstPaintMs} / ${m.firstContentfulPaintMs} ms`,
    `  runs table shown               ${m.runsTableMs} ms  (themis runs: ${
      Math.round(baseline.runsCli)
    } ms, ratio ${ratio(Number(m.runsTableMs), baseline.runsCli)})`,
    `  run page, first items page     ${m.firstItemsPageMs} ms`,
    `  filtered items page ("${search}") ${m.filteredItemsPageMs} ms  (themis sql: ${
      Math.round(baseline.sqlCli)
    } ms, ratio ${ratio(Number(m.filteredItemsPageMs), baseline.sqlCli)})`,
    `  another search ("q9999")       ${m.secondFilterMs} ms`,
    `  candidate timeline             ${m.timelineMs} ms`,
    ...(values.overview
      ? [`  leaderboard (after items)      ${m.leaderboardAfterItemsMs} ms`]
      : []),
    `  server peak RSS                ${m.peakRssMb} MB`,
    `  Ctrl-C to exit                 ${m.stopMs} ms${
      values.overview ? "" : " (statistics still computing)"
    }`,
  ].join("\n"),
);
