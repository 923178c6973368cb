import { Orchestrator, Store } from "../mod.ts";
const [executor, n] = [Deno.args[0], Number(Deno.args[1])];
const mem = (label: string) => {
  const m = Deno.memoryUsage();
  const status = Deno.readTextFileSync("/proc/self/status");
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  console.log(
    label.padEnd(14),
    "rss",
    rss.toFixed(0),
    "hwm",
    hwm.toFixed(0),
    "heap",
    (m.heapUsed / 1e6).toFixed(0),
    "ext",
    (m.external / 1e6).toFixed(0),
  );
};
const root = Deno.makeTempDirSync();
const store = Store.open(root);
const o = Orchestrator.fromProjectSpec({
  project_name: "b",
  executor: { kind: executor as "pool" },
}, { store });
const spec = {
  benchmark_id: "b",
  models: [{
    model_id: "solver",
    provider: "mock",
    extras: { mode: "reference", accuracy: 0.8, template: "The answer is {answer}." },
  }],
  prompt_variants: [{ id: "p", messages: [{ role: "user", content: "What is {item.question}?" }] }],
  slices: [{
    slice_id: "sums",
    dataset: { kind: "jsonl", path: `/tmp/b/items${n / 1000}k.jsonl` },
    parses: [{ name: "num", extractors: [{ id: "last_number" }] }],
    scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
  }],
};
mem("start");
const t0 = performance.now();
const plan = await o.planSpec(spec);
mem("planned");
const r = await o.run(spec);
mem("ran");
console.log("run s", ((performance.now() - t0) / 1000).toFixed(1));
const t1 = performance.now();
const rows = await r.aggregate();
mem("aggregated");
console.log("agg s", ((performance.now() - t1) / 1000).toFixed(1), rows.length);
store.close();
