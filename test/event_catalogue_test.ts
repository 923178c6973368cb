/**
 * Every event a run writes is one the catalogue (src/store/event_catalogue.ts) declares, with
 * data of the declared shape: runs with failures and reuse, an import, a judge, the demo.
 */
import assert from "node:assert/strict";
import { iterRunEvents } from "../src/store/read_segments.ts";
import { EVENT_TYPES } from "../src/store/event_catalogue.ts";
import { benchmark, openFixture } from "./results_fixture_test.ts";
import { runCli } from "./support/cli.ts";

async function checkStore(root: string, seen: Set<string>): Promise<number> {
  let n = 0;
  for (const run of Deno.readDirSync(`${root}/runs`)) {
    for await (const event of iterRunEvents(`${root}/runs/${run.name}`, { strict: true })) {
      seen.add(event.type);
      n++;
    }
  }
  return n;
}

Deno.test("every event runs, resumes and imports write matches the event catalogue", async () => {
  const seen = new Set<string>();
  const f = await openFixture({ execution_policy: { max_attempts: 2 } });
  try {
    const first = await f.orchestrator.run(benchmark());
    const spec = benchmark();
    spec.slices[0].scores!.push({ name: "again", parse: "num", metrics: [{ id: "exact_match" }] });
    await f.orchestrator.run(spec);
    f.flaky.broken = false;
    await f.orchestrator.resume(first.runId);
    const planned = await f.orchestrator.plan(benchmark({ num_samples: 2 }));
    const trials = await Array.fromAsync(f.store.runs.iterPlan(planned.run_id, planned));
    await f.orchestrator.importCandidates(
      trials.map((t) => ({ trial_id: t.trial, sample: 1, text: "The answer is 1" })),
    );
    const checked = await checkStore(f.store.root, seen);
    assert.ok(checked > 100, `${checked} events checked`);
  } finally {
    f.close();
  }
  const demo = await Deno.makeTempDir();
  for (const file of ["benchmark.toml", "themis.toml"]) {
    await Deno.copyFile(new URL(`../examples/demo/${file}`, import.meta.url), `${demo}/${file}`);
  }
  assert.equal((await runCli(["run", "benchmark.toml", "--quiet"], { cwd: demo })).code, 0);
  await checkStore(`${demo}/themis-store`, seen);
  const written = EVENT_TYPES.filter((t) => seen.has(t)).sort();
  assert.deepEqual(written, [
    "attempt.retried",
    "generation.completed",
    "generation.failed",
    "parse.completed",
    "parse.failed",
    "run.finished",
    "run.started",
    "score.completed",
  ]);
});
