/**
 * `deno task bench`: the execution engine's figures, each measured in a fresh process so peak
 * RSS is that run's own, with the hand-written loop measured in the same bench run as the
 * baseline for the ratios.
 *
 * 1. trials/s end to end (plan → generation → parse → score → events on disk), mock engine,
 *    10,000 and 100,000 trials, inline and pool; peak RSS; ratio to the hand-written loop.
 * 2. a local OpenAI-compatible server with a fixed 50 ms latency, 64 and 256 in flight, default
 *    executor settings: achieved throughput as a fraction of the ideal (in flight / 0.05 s),
 *    beside a bare fetch loop's at the same concurrency (what the machine's runtime gives).
 * 3. `themis resume` of the completed 100,000-trial run, which has nothing to do: wall time.
 * 4. With `--store-scale 100000,1000000`: the store's figures at those sizes (bench/store_scale.ts:
 *    `themis run` printing its aggregate against the hand-written loop, the store on disk, the
 *    first `themis sql`, a no-op `themis resume`, a cold cache build), whole processes.
 *
 * Options: `--sizes 10000,100000` `--skip-http` `--skip-resume` `--store-scale SIZES`
 * `--store-executor pool|inline`.
 */
import { parseArgs } from "node:util";
import { writeBenchDataset } from "./bench_spec.ts";
import { measureHttpThroughput } from "./http_throughput.ts";
import { measureStoreScale, STORE_SCALE_HEADER } from "./store_scale.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sizes: { type: "string", default: "10000,100000" },
    "skip-http": { type: "boolean", default: false },
    "skip-resume": { type: "boolean", default: false },
    "store-scale": { type: "string", default: "" },
    "store-executor": { type: "string", default: "pool" },
  },
});
const sizes = values.sizes!.split(",").map(Number);
const here = new URL(".", import.meta.url).pathname;
const out = `${here}out`;
await Deno.mkdir(out, { recursive: true });

interface Measure {
  trials: number;
  executor: string;
  seconds: number;
  trialsPerSecond: number;
  peakRssMb: number;
  generated?: number;
}

async function child(script: string, args: string[]): Promise<Measure> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${here}${script}`, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!result.success) throw new Error(`${script} ${args.join(" ")} failed`);
  const lines = new TextDecoder().decode(result.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

async function wallTime(args: string[]): Promise<{ seconds: number; code: number }> {
  const started = performance.now();
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${here}../cli.ts`, ...args],
    stdout: "null",
    stderr: "inherit",
  }).output();
  return { seconds: (performance.now() - started) / 1000, code: result.code };
}

const rows: Array<Measure & { ratio: string }> = [];
const rss: Record<string, number> = {};
let largestPoolStore: string | undefined;
for (const size of sizes) {
  const dataset = `${out}/items-${size}.jsonl`;
  await writeBenchDataset(dataset, size);
  const baseline = await child("baseline_loop.ts", [dataset, out]);
  rows.push({ ...baseline, ratio: "1.00" });
  for (const executor of ["inline", "pool"]) {
    const root = await Deno.makeTempDir({ prefix: `themis-bench-${executor}-${size}-` });
    const measure = await child("run_once.ts", [dataset, String(size), executor, root]);
    rows.push({
      ...measure,
      ratio: (measure.trialsPerSecond / baseline.trialsPerSecond).toFixed(2),
    });
    rss[`${executor}@${size}`] = measure.peakRssMb;
    if (executor === "pool") largestPoolStore = root;
  }
}

console.log("\n## Throughput, end to end (mock engine)\n");
console.log(
  "| trials | executor | seconds | trials/s | ratio to hand-written loop | peak RSS MB |",
);
console.log("|---:|---|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(
    `| ${r.trials} | ${r.executor} | ${r.seconds} | ${r.trialsPerSecond} | ${r.ratio} | ${r.peakRssMb} |`,
  );
}
if (sizes.length >= 2) {
  const [small, large] = [sizes[0], sizes[sizes.length - 1]];
  for (const executor of ["inline", "pool"]) {
    const ratio = rss[`${executor}@${large}`] / rss[`${executor}@${small}`];
    console.log(`\npeak RSS ${executor}: ${large} trials / ${small} trials = ${ratio.toFixed(2)}×`);
  }
}

if (!values["skip-resume"] && largestPoolStore) {
  const runId = [...Deno.readDirSync(`${largestPoolStore}/runs`)].map((e) => e.name)[0];
  const resume = await wallTime(["resume", runId, "--store", largestPoolStore, "--quiet"]);
  console.log(
    `\n## Resume of the completed ${sizes[sizes.length - 1]}-trial run (nothing to do)\n\n` +
      `wall time ${resume.seconds.toFixed(2)} s (exit ${resume.code}), including process start`,
  );
}

if (!values["skip-http"]) {
  console.log(`\n## Local HTTP engine, 50 ms latency, default executor settings\n`);
  for (const inFlight of [64, 256]) {
    const http = await measureHttpThroughput({
      latencyMs: 50,
      inFlight,
      requests: inFlight * 40,
      floor: true,
    });
    const floor = http.floor?.fraction ?? Number.NaN;
    console.log(
      `${inFlight} in flight: ${http.requests} requests in ${http.seconds.toFixed(2)} s = ` +
        `${http.perSecond.toFixed(0)}/s; ideal ${http.ideal}/s; fraction of ideal ` +
        `${http.fraction.toFixed(3)}; a bare fetch loop ${floor.toFixed(3)}, themis / bare ` +
        `${(http.fraction / floor).toFixed(3)}`,
    );
  }
}

if (values["store-scale"]) {
  console.log(`\n## The store at scale (${values["store-executor"]} executor)\n`);
  console.log(STORE_SCALE_HEADER);
  for (const size of values["store-scale"].split(",").map(Number)) {
    for (const row of await measureStoreScale(size, values["store-executor"]!)) console.log(row);
  }
}
