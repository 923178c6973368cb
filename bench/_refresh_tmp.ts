import { Analytics } from "../src/analytics/analytics.ts";
const [root, limit, threads] = Deno.args;
await Deno.remove(`${root}/.cache/analytics.duckdb`).catch(() => {});
await Deno.remove(`${root}/.cache/analytics.duckdb.wal`).catch(() => {});
const t = performance.now();
const a = await Analytics.open(root, {
  memoryLimit: limit,
  threads: Number(threads) || undefined,
  profile: (s, ms) => console.log(s.padEnd(24), ms.toFixed(0)),
});
const rows = await a.sql("select count(*) as n from scores");
a.close();
const status = Deno.readTextFileSync("/proc/self/status");
console.log(
  limit,
  threads,
  "s",
  ((performance.now() - t) / 1000).toFixed(1),
  "hwm MB",
  Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024),
  rows[0].n,
);
