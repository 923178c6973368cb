/**
 * Whole-process figures of the store (issue "Store v2"), each command in a fresh process timed
 * by GNU time (wall clock and peak RSS): the hand-written loop, `themis run` printing its
 * aggregate, the store's size on disk and its largest file, the first `themis sql` after the
 * run, a no-op `themis resume`, and a cold cache build (`.cache` deleted first).
 *
 * `deno run -A bench/store_scale.ts [--sizes 100000,1000000] [--executor inline|pool]`
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeBenchDataset } from "./bench_spec.ts";

const here = new URL(".", import.meta.url).pathname;
const cli = join(here, "..", "cli.ts");

/** One timed process. */
export interface Timed {
  seconds: number;
  /** User + system CPU seconds: less at the mercy of a loaded machine than the wall clock. */
  cpuSeconds: number;
  peakRssMb: number;
  code: number;
  stdout: string;
}

/** Run a command under GNU time: wall seconds and peak RSS of the whole process. */
export async function timed(args: string[], cwd: string): Promise<Timed> {
  const report = await Deno.makeTempFile();
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%e %M %U %S", "-o", report, ...args],
    cwd,
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).output();
  const [seconds, kb, user, sys] = (await Deno.readTextFile(report)).trim().split(/\s+/).slice(-4)
    .map(Number);
  await Deno.remove(report);
  return {
    seconds,
    cpuSeconds: Math.round((user + sys) * 10) / 10,
    peakRssMb: Math.round(kb / 1024),
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
  };
}

function benchToml(dataset: string): string {
  return `benchmark_id = "scale"
[[models]]
model_id = "solver"
provider = "mock"
extras = { mode = "reference", accuracy = 0.8, template = "The answer is {answer}." }
[[prompt_variants]]
id = "p"
messages = [{ role = "user", content = "What is {item.question}?" }]
[[slices]]
slice_id = "sums"
dataset = { kind = "jsonl", path = "${dataset}" }
parses = [{ name = "num", extractors = [{ id = "last_number" }] }]
scores = [{ name = "acc", parse = "num", metrics = [{ id = "exact_match" }] }]
`;
}

/** Size of every file under a folder: total bytes and the largest file. */
function sizes(dir: string): { total: number; largest: number; files: number } {
  let total = 0;
  let largest = 0;
  let files = 0;
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      const inner = sizes(path);
      total += inner.total;
      largest = Math.max(largest, inner.largest);
      files += inner.files;
    } else if (entry.isFile) {
      const size = Deno.statSync(path).size;
      total += size;
      largest = Math.max(largest, size);
      files++;
    }
  }
  return { total, largest, files };
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

/** The header of the rows {@linkcode measureStoreScale} prints. */
export const STORE_SCALE_HEADER = "| trials | what | wall | CPU | peak RSS | notes |\n" +
  "|---:|---|---:|---:|---:|---|";

/** Every figure for one size, printed as Markdown rows. */
export async function measureStoreScale(trials: number, executor: string): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: `themis-scale-${trials}-` });
  const dataset = join(dir, "items.jsonl");
  await writeBenchDataset(dataset, trials);
  await Deno.writeTextFile(join(dir, "bench.toml"), benchToml(dataset));
  await Deno.writeTextFile(
    join(dir, "themis.toml"),
    `project_name = "scale"\n[executor]\nkind = "${executor}"\n` +
      `[execution_policy]\nmax_in_flight = 64\n`,
  );
  const deno = Deno.execPath();
  const loop = await timed([deno, "run", "-A", join(here, "baseline_loop.ts"), dataset, dir], dir);
  const run = await timed([deno, "run", "-A", cli, "run", "bench.toml"], dir);
  if (run.code !== 0) throw new Error(`themis run failed (${run.code})`);
  const runs = join(dir, "themis-store", "runs");
  const runId = [...Deno.readDirSync(runs)][0].name;
  const disk = sizes(runs);
  const query = ["sql", "select count(*) as n, avg(value) as mean from scores"];
  const firstSql = await timed([deno, "run", "-A", cli, ...query], dir);
  const resume = await timed([deno, "run", "-A", cli, "resume", runId, "--quiet"], dir);
  await Deno.remove(join(dir, "themis-store", ".cache"), { recursive: true });
  const cold = await timed([deno, "run", "-A", cli, ...query], dir);
  await Deno.remove(dir, { recursive: true });
  const ratio = (run.seconds / loop.seconds).toFixed(1);
  const cpuRatio = (run.cpuSeconds / loop.cpuSeconds).toFixed(1);
  const row = (what: string, t: Timed, notes = "") =>
    `| ${trials} | ${what} | ${t.seconds} s | ${t.cpuSeconds} s | ${t.peakRssMb} MB | ${notes} |`;
  return [
    row("hand-written loop", loop),
    row(
      "themis run (prints its aggregate)",
      run,
      `${ratio}× the loop's wall, ${cpuRatio}× its CPU; store ${mb(disk.total)} MB in ` +
        `${disk.files} files, largest ${mb(disk.largest)} MB`,
    ),
    row("first themis sql after the run", firstSql),
    row("no-op themis resume", resume),
    row("themis sql, cache deleted (cold build)", cold),
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      sizes: { type: "string", default: "100000,1000000" },
      executor: { type: "string", default: "pool" },
    },
  });
  console.log(STORE_SCALE_HEADER);
  for (const size of values.sizes!.split(",").map(Number)) {
    for (const row of await measureStoreScale(size, values.executor!)) console.log(row);
  }
}
