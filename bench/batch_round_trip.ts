/**
 * A Batch API round trip at scale: N requests (default 120,000) of one OpenAI model go through
 * `themis submit` and `orchestrator.resume()` (each a new process, timed with its peak RSS by
 * /usr/bin/time) against the local Batch API server (test/support/batch_server.ts, its own
 * process). Prints the number of batches the submit split into, each step's wall time and
 * peak RSS, and checks every request came back as a generation.
 *   deno run -A bench/batch_round_trip.ts [N] [DuckDB memory_limit, default 512MB]
 */
import { fromFileUrl } from "../src/cli/from_file_url.ts";

const N = Number(Deno.args[0] ?? 120_000);
// The analytics cache's DuckDB memory bound (the CLI warms the cache after a run).
const MEMORY = Deno.args[1] ?? "512MB";
const CLI = fromFileUrl(new URL("../cli.ts", import.meta.url));
const RESUME = fromFileUrl(new URL("./batch_resume_once.ts", import.meta.url));
const SERVER = fromFileUrl(new URL("../test/support/batch_server.ts", import.meta.url));

const server = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", SERVER],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
const url = (await reader.read()).value!.trim();

const dir = await Deno.makeTempDir({ prefix: "themis-batch-bench-" });
const rows = Array.from({ length: N }, (_, i) => JSON.stringify({ id: `q${i}`, q: `${i} + ${i}` }));
await Deno.writeTextFile(`${dir}/items.jsonl`, rows.join("\n") + "\n");
await Deno.writeTextFile(
  `${dir}/themis.toml`,
  `project_name = "batch_bench"\n[execution_backend]\nkind = "batch"\nprovider = "openai"\n` +
    `[analytics]\nmemory_limit = "${MEMORY}"\n`,
);
await Deno.writeTextFile(
  `${dir}/bench.toml`,
  `benchmark_id = "batch_bench"
[[models]]
model_id = "gpt"
provider = "openai"
extras = { base_url = "${url}", model = "gpt-test" }
[[prompt_variants]]
id = "p"
messages = [{ role = "user", content = "What is {item.q}?" }]
[[slices]]
slice_id = "s"
dataset = { kind = "jsonl", path = "items.jsonl" }
`,
);

async function step(name: string, args: string[], script = CLI) {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "TIME %e %M", Deno.execPath(), "run", "-A", script, ...args],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  const [, seconds, kb] = stderr.match(/TIME ([\d.]+) (\d+)/) ?? [];
  console.log(
    `${name.padEnd(10)} exit ${out.code}  ${Number(seconds).toFixed(1).padStart(6)} s  ` +
      `peak RSS ${(Number(kb) / 1024).toFixed(0).padStart(5)} MB`,
  );
  return { code: out.code, stdout, stderr };
}

console.log(`${N} requests, server ${url}`);
const submit = await step("submit", ["submit", "bench.toml"]);
const runId = submit.stdout.split("\n")[0];
console.log(submit.stderr.split("\n").find((l) => l.startsWith("note:")));
// Polls and the import through the API (each a new process): the import's own time and memory.
for (let i = 1; i <= 10; i++) {
  const resumed = await step(`resume ${i}`, [dir, runId], RESUME);
  if (resumed.code === 0) break;
}
// What the CLI adds after a run: the analytics cache warm-up (DuckDB reads every event).
await step("sql", ["sql", "select count(*) as n from candidates"]);
const status = await step("status", ["status", runId, "--json", "--no-poll"]);
const snapshot = JSON.parse(status.stdout);
console.log(
  `batches: ${snapshot.batches.map((b: { requests: number }) => b.requests).join(" + ")}; ` +
    `generations completed ${snapshot.stages.generation.completed} of ${N}`,
);
server.kill();
await server.status;
