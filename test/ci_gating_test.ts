/**
 * CI gating: `themis run --fail-under` and `themis check` exit 8 with one line per shortfall when
 * a mean (or its interval's lower bound) is below a threshold, and refuse a threshold that names
 * nothing in the run.
 */
import assert from "node:assert/strict";
import { runCli, tempProject } from "./support/cli.ts";

// Two models: one right on 8 of 10 items, one on 5 of 10 (the mock's scripted answers).
function spec(): string {
  const items = Array.from(
    { length: 10 },
    (_, i) => ({ id: `q${i}`, q: `${i}+0`, answer: `${i}` }),
  );
  const answers = (right: number) =>
    Object.fromEntries(items.map((it, i) => [it.id, i < right ? `it is ${i}` : "no idea"]));
  return JSON.stringify({
    benchmark_id: "gate",
    models: [
      { model_id: "good", provider: "mock", extras: { answers: answers(8) } },
      { model_id: "weak", provider: "mock", extras: { answers: answers(5) } },
    ],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.q}" }] }],
    slices: [{
      slice_id: "s",
      dataset: { kind: "inline", items },
      parses: [{ name: "num", extractors: [{ id: "last_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
    }],
  });
}

async function project() {
  return await tempProject({
    "themis.toml": `project_name = "gate"\n[executor]\nkind = "inline"\n`,
    "b.json": spec(),
  });
}

Deno.test("run --fail-under exits 8 naming the model below the threshold", async () => {
  const dir = await project();
  const result = await runCli(["run", "b.json", "--quiet", "--fail-under", "acc=0.6"], {
    cwd: dir,
  });
  assert.equal(result.code, 8);
  assert.equal(
    result.stderr,
    "below threshold: acc.exact_match mean 0.5000 < 0.6 (model weak, 10 trials)\n",
  );
  const passing = await runCli(["run", "b.json", "--fail-under", "acc.exact_match=0.5"], {
    cwd: dir,
  });
  assert.equal(passing.code, 0, passing.stderr);
  assert.match(passing.stderr, /fail-under: all 2 checks passed/);
});

Deno.test("check gates a stored run; --on-lower-bound compares the interval's lower bound", async () => {
  const dir = await project();
  const run = await runCli(["run", "b.json", "--quiet"], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const runId = [...Deno.readDirSync(`${dir}/themis-store/runs`)][0].name;
  const ok = await runCli(["check", runId.slice(0, 5), "--fail-under", "acc=0.5"], { cwd: dir });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^good\s+acc\s+exact_match\s+0\.8000\s+0\.5\s+10\s+yes$/m);
  const strict = await runCli(
    ["check", runId, "--fail-under", "acc=0.5", "--on-lower-bound"],
    { cwd: dir },
  );
  assert.equal(strict.code, 8);
  // Wilson 95% lower bounds: 0.4902 (8/10) and 0.2366 (5/10).
  assert.equal(
    strict.stderr,
    "below threshold: acc.exact_match ci lower bound 0.4902 < 0.5 (model good, 10 trials)\n" +
      "below threshold: acc.exact_match ci lower bound 0.2366 < 0.5 (model weak, 10 trials)\n",
  );
  const json = await runCli(["check", runId, "--fail-under", "acc=0.7", "--json"], { cwd: dir });
  assert.equal(json.code, 8);
  const checks = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(checks.map((c) => [c.group.model, c.value, c.passed]), [
    ["good", 0.8, true],
    ["weak", 0.5, false],
  ]);
});

Deno.test("a threshold naming no score of the run is a usage error with the name it meant", async () => {
  const dir = await project();
  const typo = await runCli(["run", "b.json", "--fail-under", "accc=0.5"], { cwd: dir });
  assert.equal(typo.code, 2);
  assert.match(
    typo.stderr,
    /--fail-under names "accc", which is no score or metric of the run \(did you mean "acc"\?\)/,
  );
  assert.equal(
    [...Deno.readDirSync(dir)].some((e) => e.name === "themis-store"),
    false,
    "nothing ran",
  );
  const malformed = await runCli(["run", "b.json", "--fail-under", "acc>0.5"], { cwd: dir });
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /--fail-under takes SCORE=NUMBER/);
  const shard = await runCli(["run", "b.json", "--fail-under", "acc=0.5", "--shard", "0/2"], {
    cwd: dir,
  });
  assert.equal(shard.code, 2);
  assert.match(shard.stderr, /gates a whole run, not a shard/);
  const none = await runCli(["check", "abc"], { cwd: dir });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /themis check needs --fail-under S=N/);
});
