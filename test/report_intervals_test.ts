/**
 * Issue 12: no interval themis prints for the demo leaves the metric's range. Every report
 * format (Markdown, every CSV table, JSON, LaTeX, HTML) and `themis compare` (table, CSV,
 * Markdown, JSON) is scanned: intervals of means must lie in [0, 1], intervals of paired
 * deltas in [-1, 1] (the range of a difference of a 0/1 metric). Before the fix the demo's
 * report printed [0.3630, 1.1370] and [-0.1016, 0.5016].
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { loadSpecFile, Orchestrator, Store } from "../mod.ts";
import { CSV_TABLES } from "../src/results/report/render_report.ts";
import type { BenchmarkSpecInput } from "../mod.ts";
import { runCli } from "./support/cli.ts";

const DEMO = fromFileUrl(new URL("../examples/demo/benchmark.toml", import.meta.url));
const MEAN: [number, number] = [0, 1];
const DELTA: [number, number] = [-1, 1];

/** What a scan found: intervals checked against each range. */
interface Scan {
  means: number;
  deltas: number;
}

function check(low: number, high: number, range: [number, number], where: string): void {
  assert.ok(
    low >= range[0] && high <= range[1] && low <= high,
    `${where}: [${low}, ${high}] leaves [${range[0]}, ${range[1]}]`,
  );
}

/** Every "[a, b]" of a text, each section checked against the range its title calls for. */
function scanText(text: string, sections: RegExp, isDelta: (section: string) => boolean): Scan {
  const scan = { means: 0, deltas: 0 };
  for (const section of text.split(sections)) {
    const delta = isDelta(section);
    for (const m of section.matchAll(/\[(-?\d+(?:\.\d+)?), (-?\d+(?:\.\d+)?)\]/g)) {
      check(Number(m[1]), Number(m[2]), delta ? DELTA : MEAN, m[0]);
      delta ? scan.deltas++ : scan.means++;
    }
  }
  return scan;
}

/** Every object of a JSON value with `ci_low`/`ci_high`: deltas when it has a `delta`. */
function scanJson(value: unknown, scan: Scan = { means: 0, deltas: 0 }): Scan {
  if (Array.isArray(value)) value.forEach((v) => scanJson(v, scan));
  else if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.ci_low === "number" && typeof o.ci_high === "number") {
      const delta = "delta" in o;
      check(o.ci_low, o.ci_high, delta ? DELTA : MEAN, JSON.stringify(o).slice(0, 200));
      delta ? scan.deltas++ : scan.means++;
    }
    Object.values(o).forEach((v) => scanJson(v, scan));
  }
  return scan;
}

/** The ci_low/ci_high columns of a CSV. */
function scanCsv(text: string, delta: boolean): Scan {
  const [header, ...rows] = text.trim().split("\n").map((l) => l.split(","));
  const low = header.indexOf("ci_low");
  const high = header.indexOf("ci_high");
  const scan = { means: 0, deltas: 0 };
  if (low === -1) return scan;
  for (const row of rows) {
    if (row[low] === "" || row[high] === "") continue;
    check(Number(row[low]), Number(row[high]), delta ? DELTA : MEAN, row.join(","));
    delta ? scan.deltas++ : scan.means++;
  }
  return scan;
}

const add = (a: Scan, b: Scan): Scan => ({ means: a.means + b.means, deltas: a.deltas + b.deltas });

async function demoRuns() {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-intervals-" }));
  const loaded = await loadSpecFile(DEMO);
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "demo", global_seed: 7 }, {
    store,
  });
  const a = await orchestrator.run(loaded.spec, { specDir: loaded.baseDir });
  // A second solver that also gets a4 right: another run to compare with.
  const spec = structuredClone(loaded.spec) as BenchmarkSpecInput;
  const extras = spec.models[0].extras as { answers: Record<string, string> };
  extras.answers.a4 = "It is 3";
  const b = await orchestrator.run(spec, { specDir: loaded.baseDir });
  return { store, a, b };
}

Deno.test("no interval in any format of the demo's report leaves [0, 1] ([-1, 1] for deltas)", async () => {
  const { store, a } = await demoRuns();
  try {
    const md = scanText(await a.report({ format: "md" }), /\n## /, (s) => s.startsWith("Paired"));
    const tex = scanText(
      await a.report({ format: "latex" }),
      /\\begin\{table\}/,
      (s) => s.includes("\\caption{Paired"),
    );
    const html = scanText(
      await a.report({ format: "html" }),
      /<section id="/,
      (s) => s.startsWith('paired"'),
    );
    const json = scanJson(JSON.parse(await a.report({ format: "json" })));
    let csv: Scan = { means: 0, deltas: 0 };
    for (const table of CSV_TABLES) {
      const text = await a.report({ format: "csv", table: table as never });
      csv = add(csv, scanCsv(text, table === "paired"));
    }
    // Leaderboard (2 rows) + model × slice (6 rows) in every format; 2 paired deltas.
    for (const [name, scan] of Object.entries({ md, tex, json, csv })) {
      assert.deepEqual(scan, { means: 8, deltas: 2 }, name);
    }
    assert.ok(html.means >= 8 && html.deltas >= 2, JSON.stringify(html));
    // Every interval method of the means stays inside [0, 1] too.
    for (const ci of ["t", "bootstrap", "clopper_pearson", "wilson"] as const) {
      const scan = scanJson(JSON.parse(await a.report({ format: "json", ci })));
      assert.deepEqual(scan, { means: 8, deltas: 2 }, ci);
    }
  } finally {
    store.close();
  }
});

Deno.test("no interval of themis compare on the demo leaves [-1, 1], in any format", async () => {
  const { store, a, b } = await demoRuns();
  try {
    const compare = (...args: string[]) =>
      runCli(["compare", a.runId, b.runId, "--store", store.root, ...args]);
    const json = await compare("--format", "json");
    assert.equal(json.code, 0, json.stderr);
    const rows = JSON.parse(json.stdout).rows as Array<Record<string, number>>;
    // 2 models × 2 slices × the 2 scores of arithmetic + the 1 of capitals.
    assert.equal(rows.length, 6);
    for (const r of rows) {
      for (const k of ["baseline_mean", "treatment_mean"]) {
        check(r[k], r[k], MEAN, `${k} ${JSON.stringify(r)}`);
      }
    }
    assert.deepEqual(scanJson(JSON.parse(json.stdout)), { means: 0, deltas: 6 });
    for (const format of ["table", "markdown"]) {
      const out = await compare("--format", format);
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(scanText(out.stdout, /^$/, () => true), { means: 0, deltas: 6 }, format);
    }
    const csv = await compare("--format", "csv", "--flips", "0");
    assert.equal(csv.code, 0, csv.stderr);
    const [header, ...lines] = csv.stdout.split("\n\n")[1].trim().split("\n");
    assert.ok(header.split(",").includes("ci"), header);
    const intervals = lines.flatMap((l) => [...l.matchAll(/\[(-?[\d.]+), (-?[\d.]+)\]/g)]);
    assert.equal(intervals.length, 6);
    for (const m of intervals) check(Number(m[1]), Number(m[2]), DELTA, m[0]);
  } finally {
    store.close();
  }
});
