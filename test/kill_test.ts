/**
 * Crash safety: a real `cli.ts run` child on a 2,000-trial benchmark is SIGKILLed at random
 * moments, then resumed each time; the final scores equal an uninterrupted run's, with no
 * duplicate successful records.
 */
import assert from "node:assert/strict";
import { seededRandom } from "../src/core/prng.ts";
import { runEventsText } from "./support/run_events.ts";
import { Store } from "../mod.ts";
import { runCliProcess, tempProject } from "./support/cli.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;

function benchmarkToml(): string {
  const items = Array.from(
    { length: 1000 },
    (_, i) => `  { id = "q${i}", question = "${i} + ${i}", answer = "${2 * i}" },`,
  ).join("\n");
  return `benchmark_id = "kill"
[[models]]
model_id = "solver"
provider = "mock"
extras = { mode = "reference", accuracy = 0.8, template = "It is {answer}.", latency_ms = 5 }
[[models]]
model_id = "echo"
provider = "mock"
extras = { mode = "echo", latency_ms = 5 }
[[prompt_variants]]
id = "p"
messages = [{ role = "user", content = "What is {item.question}?" }]
[[slices]]
slice_id = "sums"
[slices.dataset]
kind = "inline"
items = [
${items}
]
[[slices.parses]]
name = "num"
extractors = [{ id = "last_number" }]
[[slices.scores]]
name = "acc"
parse = "num"
metrics = [{ id = "exact_match" }]
`;
}

const PROJECT = `project_name = "kill"
[execution_policy]
max_in_flight = 4
`;

async function scoresTable(root: string): Promise<unknown[]> {
  const store = Store.open(root);
  try {
    return await store.sql(
      `select cand, score_hash, metric, value from scores order by cand, score_hash, metric`,
    );
  } finally {
    store.close();
  }
}

async function duplicateSuccesses(root: string): Promise<number> {
  const store = Store.open(root);
  try {
    const rows = await store.sql(`select count(*)::integer as n from (
      select cand, overlay from events
      where type in ('generation.completed', 'parse.completed', 'score.completed')
      group by cand, overlay having count(*) > 1)`);
    return rows[0].n as number;
  } finally {
    store.close();
  }
}

function generationsOnDisk(runDir: string): number {
  return runDir === ""
    ? 0
    : runEventsText(runDir).split('"type":"generation.completed"').length - 1;
}

/**
 * Start a run and SIGKILL it once `more` new generations are on disk (so the kill lands in
 * the middle of the work however busy the machine is). Returns whether it was killed.
 */
async function runAndKill(dir: string, args: string[], more: number): Promise<boolean> {
  const before = generationsOnDisk(runDirOf(dir));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args, "--quiet"],
    cwd: dir,
    stdout: "null",
    stderr: "null",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  while (!exited) {
    await new Promise((r) => setTimeout(r, 10));
    if (generationsOnDisk(runDirOf(dir)) - before >= more) {
      try {
        child.kill("SIGKILL");
      } catch {
        // it finished just now
      }
      break;
    }
  }
  return (await status).signal === "SIGKILL";
}

function runDirOf(dir: string): string {
  try {
    const [run] = [...Deno.readDirSync(`${dir}/themis-store/runs`)];
    return run ? `${dir}/themis-store/runs/${run.name}` : "";
  } catch {
    return "";
  }
}

Deno.test("SIGKILL at random moments, resumed each time, ends with the uninterrupted scores", async () => {
  const files = { "themis.toml": PROJECT, "bench.toml": benchmarkToml() };
  const clean = await tempProject(files);
  const killed = await tempProject(files);

  const reference = await runCliProcess(["run", "bench.toml", "--quiet"], { cwd: clean });
  assert.equal(reference.code, 0, reference.stderr);
  const expected = await scoresTable(`${clean}/themis-store`);
  assert.ok(expected.length > 1500, `${expected.length} scores`);

  const random = seededRandom(20261129);
  let kills = 0;
  let midRun = 0;
  let runId: string | undefined;
  for (let round = 0; round < 8 && kills < 5; round++) {
    const args = runId ? ["resume", runId] : ["run", "bench.toml"];
    const wasKilled = await runAndKill(killed, args, 20 + Math.floor(random() * 300));
    runId ??= [...Deno.readDirSync(`${killed}/themis-store/runs`)].map((e) => e.name)[0];
    if (!wasKilled) continue;
    kills++;
    const done = generationsOnDisk(`${killed}/themis-store/runs/${runId}`);
    if (done > 0 && done < 2000) midRun++;
  }
  assert.ok(kills >= 5, `killed ${kills} times`);
  assert.ok(midRun >= 3, `only ${midRun} kills landed in the middle of the work`);
  assert.ok(runId);

  const last = await runCliProcess(["resume", runId!, "--quiet"], { cwd: killed });
  assert.equal(last.code, 0, last.stderr);
  assert.deepEqual(await scoresTable(`${killed}/themis-store`), expected);
  assert.equal(await duplicateSuccesses(`${killed}/themis-store`), 0);
});
