/**
 * The CLI without stumbles: every command takes a run-id prefix (an ambiguous one lists the
 * runs), `plan` counts parse and score work behind pending generations as work that will run,
 * `estimate` groups its notes, and status / progress never promise an end to a stopped run.
 */
import assert from "node:assert/strict";
import { type BenchmarkSpecInput, Orchestrator, type RunProgressSnapshot, Store } from "../mod.ts";
import { runCli, tempProject } from "./support/cli.ts";
import { startOpenAIServer } from "./support/openai_server.ts";

function benchmark(items: number, slices = 1): BenchmarkSpecInput {
  return {
    benchmark_id: "cli",
    models: [{
      model_id: "solver",
      provider: "mock",
      extras: { mode: "reference", template: "the answer is {answer}" },
    }],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "what is {item.q}" }] }],
    slices: Array.from({ length: slices }, (_, s) => ({
      slice_id: `s${s}`,
      dataset: {
        kind: "inline" as const,
        items: Array.from(
          { length: items },
          (_, i) => ({ id: `q${i}`, q: `${i}+${s}`, answer: `${i + s}` }),
        ),
      },
      parses: [{ name: "num", extractors: [{ id: "last_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
    })),
  };
}

const PROJECT = `project_name = "cli"\n[executor]\nkind = "inline"\n`;

async function twoRuns() {
  const dir = await tempProject({
    "themis.toml": PROJECT,
    "a.json": JSON.stringify(benchmark(3)),
    "b.json": JSON.stringify(benchmark(4)),
  });
  for (const spec of ["a.json", "b.json"]) {
    const run = await runCli(["run", spec, "--quiet"], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
  }
  const runs = [...Deno.readDirSync(`${dir}/themis-store/runs`)].map((e) => e.name).sort();
  return { dir, runs };
}

Deno.test("every command that takes a run id takes a unique prefix of one", async () => {
  const { dir, runs: [a, b] } = await twoRuns();
  const [pa, pb] = [a.slice(0, 6), b.slice(0, 6)];
  const commands = [
    ["describe", pa],
    ["status", pa],
    ["resume", pa],
    ["report", pa],
    ["compare", pa, pb],
    ["check", pa, "--fail-under", "acc=0"],
    ["pack", pa],
    ["migrate", pa],
  ];
  for (const args of commands) {
    const result = await runCli(args, { cwd: dir });
    assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
  }
  const status = await runCli(["status", pa], { cwd: dir });
  assert.match(status.stdout, new RegExp(`^run ${a}: finished`));
});

Deno.test("an ambiguous prefix lists the runs it matches, for every command", async () => {
  const { dir, runs: [a] } = await twoRuns();
  // A second run directory sharing the first four characters of run a.
  const twin = `${a.slice(0, 4)}ffffffff`;
  await Deno.mkdir(`${dir}/themis-store/runs/${twin}`);
  const prefix = a.slice(0, 4);
  for (const command of ["describe", "status", "resume", "report", "pack", "migrate"]) {
    const result = await runCli([command, prefix], { cwd: dir });
    assert.equal(result.code, 4, `${command}: ${result.stderr}`);
    assert.equal(
      result.stderr,
      `error [RUN_AMBIGUOUS] "${prefix}" matches 2 runs: ${[a, twin].sort().join(", ")}; ` +
        `give more of the id\n`,
    );
  }
  const unknown = await runCli(["describe", "zzzz"], { cwd: dir });
  assert.equal(unknown.code, 4);
  assert.match(unknown.stderr, /^error \[RUN_NOT_FOUND\] No run "zzzz" in the store/);
});

Deno.test("plan before any run counts parse and score work as will run, behind the generations", async () => {
  const dir = await tempProject({ "themis.toml": PROJECT, "a.json": JSON.stringify(benchmark(5)) });
  const plan = await runCli(["plan", "a.json"], { cwd: dir });
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /^generation\s+5\s+0\s+0\s+0\s+5\s+0$/m);
  assert.match(plan.stdout, /^parse\s+5\s+0\s+0\s+0\s+5\s+0$/m);
  assert.match(plan.stdout, /^score\s+5\s+0\s+0\s+0\s+5\s+0$/m);
  assert.match(
    plan.stdout,
    /parse and score work that reads the 5 generations still to run will run after them\./,
  );
  const json = JSON.parse((await runCli(["plan", "a.json", "--json"], { cwd: dir })).stdout);
  assert.deepEqual(
    [json.status.parse.pending, json.status.parse.skipped, json.status.score.pending],
    [5, 0, 5],
  );
});

Deno.test("estimate groups its completion-token notes instead of one per model and slice", async () => {
  const spec = benchmark(2, 8);
  spec.models.push({ model_id: "other", provider: "mock", extras: {} });
  const dir = await tempProject({ "themis.toml": PROJECT, "a.json": JSON.stringify(spec) });
  const result = await runCli(["estimate", "a.json"], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  const notes = result.stdout.slice(result.stdout.indexOf("notes:")).split("\n")
    .filter((l) => l.startsWith("  - "));
  const completion = notes.filter((n) => n.includes("Completion tokens"));
  assert.deepEqual(completion, [
    "  - Completion tokens for solver on 8 slices; other on 8 slices: no earlier generation in " +
    "the store and no max_tokens: 256 per request (a guess).",
  ]);
  assert.ok(notes.length <= 6, notes.join("\n"));
});

Deno.test("a run stopped by its budget ends its progress without an ETA; status shows none", async () => {
  const dir = await tempProject({
    "themis.toml": `${PROJECT}[execution_policy]\nmax_in_flight = 1\n` +
      `[pricing.solver]\ninput_per_million = 1000\noutput_per_million = 1000\n`,
    "a.json": JSON.stringify({ ...benchmark(10), inference_grid: { params: [{ max_tokens: 8 }] } }),
  });
  const store = Store.open(`${dir}/themis-store`);
  const snapshots: RunProgressSnapshot[] = [];
  try {
    const orchestrator = await Orchestrator.fromProjectFile(`${dir}/themis.toml`, { store });
    const spec = JSON.parse(await Deno.readTextFile(`${dir}/a.json`));
    const result = await orchestrator.run(spec, {
      maxCost: 0.05,
      progress: { onSnapshot: (s) => snapshots.push(s) },
    });
    assert.equal(result.summary?.stopped, "max_cost");
    const last = snapshots.at(-1)!;
    assert.equal(last.status, "finished");
    assert.equal(last.etaSeconds, null, "no end in sight for a stopped run");
    assert.ok(last.stages.generation.pending > 0);
    assert.ok(snapshots.slice(0, -1).every((s) => s.status === "running"));
    const status = await runCli(["status", result.runId], { cwd: dir });
    assert.equal(status.code, 0, status.stderr);
    assert.doesNotMatch(status.stdout, /eta|throughput/);
  } finally {
    store.close();
  }
});

Deno.test("a cancelled run's last progress snapshot is interrupted, with no ETA", async () => {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-cli-" }));
  const orchestrator = Orchestrator.fromProjectSpec({
    project_name: "cli",
    executor: { kind: "inline" },
    execution_policy: { max_in_flight: 1 },
  }, { store });
  const controller = new AbortController();
  const snapshots: RunProgressSnapshot[] = [];
  try {
    const result = await orchestrator.run(benchmark(300), {
      signal: controller.signal,
      progress: {
        onSnapshot: (s) => {
          snapshots.push(s);
          controller.abort();
        },
      },
    });
    assert.ok(result.summary!.generated < 300);
    const last = snapshots.at(-1)!;
    assert.deepEqual([last.status, last.etaSeconds], ["interrupted", null]);
    assert.equal(last.throughputUnit, "requests", "generations were left: the rate counts them");
  } finally {
    store.close();
  }
});

Deno.test("a run whose generations are all stored needs no API key; one with new work does", async () => {
  await using server = startOpenAIServer({ fallback: { kind: "ok", text: "the answer is 2" } });
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-cli-key-" }));
  const orchestrator = Orchestrator.fromProjectSpec({
    project_name: "cli",
    executor: { kind: "inline" },
  }, { store });
  const spec = (items: number): BenchmarkSpecInput => ({
    ...benchmark(items),
    models: [{
      model_id: "gpt",
      provider: "openai",
      extras: { base_url: server.url, api_key_env: "THEMIS_TEST_KEY" },
    }],
  });
  try {
    const first = await orchestrator.run(spec(3), { runtime: { THEMIS_TEST_KEY: "sk-test" } });
    assert.equal(first.summary?.generated, 3);
    const again = await orchestrator.run(spec(3), { runtime: {} });
    assert.deepEqual([again.summary?.generated, again.summary?.reused], [0, 3]);
    await assert.rejects(() => orchestrator.run(spec(4), { runtime: {} }), {
      code: "PROVIDER_AUTH",
      message: /models\[0\]: openai: no API key .*THEMIS_TEST_KEY/,
    });
    assert.equal(server.requests.length, 3);
  } finally {
    store.close();
  }
});
