/**
 * One measured run in a fresh process:
 * `deno run -A bench/run_once.ts <dataset.jsonl> <trials> <inline|pool> <store root>`.
 * Prints one JSON line: wall time, trials per second and peak RSS of this process.
 */
import { Orchestrator, Store } from "../mod.ts";
import { benchBenchmark } from "./bench_spec.ts";

const dataset = Deno.args[0];
const trials = Number(Deno.args[1]);
const executor = Deno.args[2] as "inline" | "pool";
const root = Deno.args[3];

function peakRssMb(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

const store = Store.open(root);
const orchestrator = Orchestrator.fromProjectSpec({
  project_name: "bench",
  executor: { kind: executor, tasks_per_worker: 32 },
  execution_policy: { max_in_flight: Number(Deno.env.get("BENCH_IN_FLIGHT") ?? 64) },
}, { store });
const started = performance.now();
const result = await orchestrator.run(benchBenchmark(trials, dataset));
const seconds = (performance.now() - started) / 1000;
store.close();
console.log(JSON.stringify({
  trials,
  executor,
  seconds: Number(seconds.toFixed(3)),
  trialsPerSecond: Math.round(trials / seconds),
  generated: result.summary?.generated,
  peakRssMb: peakRssMb(),
  root,
}));
