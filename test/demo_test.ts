/**
 * The demo benchmark end to end, through the public API and the CLI; its aggregate equals a
 * hand-computed expectation.
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { loadSpecFile, Orchestrator, Store } from "../mod.ts";
import { runCli } from "./support/cli.ts";

const DEMO = fromFileUrl(new URL("../examples/demo/benchmark.toml", import.meta.url));

/**
 * Worked out by hand from examples/demo/benchmark.toml:
 * - mock-solver, arithmetic, accuracy: a1 "The answer is 5." → 5 ✓, a2 "42" ✓, a3 "It is 6" ✓,
 *   a4 "I think 4" ✗, a5 "zero" has no number: not scored → 3/4 = 0.75 over 4 trials.
 * - mock-solver, arithmetic, exact_raw: only a2's raw text "42" equals its answer → 1/5.
 * - mock-solver, capitals: "Paris" ✓, "tokyo" ✓ (case-insensitive), "Toronto" ✗ → 2/3.
 * - mock-echo repeats the last user message; its first number is the question's first operand,
 *   right only for a5 "0 + 0" → 1/5; never the raw answer → 0/5; capitals never → 0/3.
 * Every row is the same for both prompt variants (answers do not depend on the prompt).
 */
function expectedRows() {
  const rows = [];
  for (const model of ["mock-echo", "mock-solver"]) {
    for (const variant of ["instruct", "plain"]) {
      const solver = model === "mock-solver";
      rows.push(
        row(model, "arithmetic", variant, "accuracy", solver ? 0.75 : 0.2, solver ? 4 : 5),
        row(model, "arithmetic", variant, "exact_raw", solver ? 0.2 : 0, 5),
        row(model, "capitals", variant, "accuracy", solver ? 2 / 3 : 0, 3),
      );
    }
  }
  return rows.sort((a, b) =>
    `${a.model}|${a.slice}|${a.prompt_variant}|${a.score}`.localeCompare(
      `${b.model}|${b.slice}|${b.prompt_variant}|${b.score}`,
    )
  );
}

function row(
  model: string,
  slice: string,
  prompt_variant: string,
  score: string,
  mean: number,
  count: number,
) {
  return { model, slice, prompt_variant, score, metric: "exact_match", mean, count };
}

/** The group keys, score, metric, mean (rounded) and count of aggregate rows. */
function rounded(rows: Array<Record<string, unknown>>) {
  const keys = ["model", "slice", "prompt_variant", "domain", "score", "metric", "mean", "count"];
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      if (r[key] === undefined) continue;
      out[key] = key === "mean" && typeof r.mean === "number"
        ? Math.round(r.mean * 1e12) / 1e12
        : r[key];
    }
    return out;
  });
}

Deno.test("the demo benchmark's aggregate equals the hand-computed expectation", async () => {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-demo-" }));
  const loaded = await loadSpecFile(DEMO);
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "demo", global_seed: 7 }, {
    store,
  });
  try {
    const result = await orchestrator.run(loaded.spec, { specDir: loaded.baseDir });
    assert.equal(result.constructor.name, "BenchmarkResult");
    assert.equal(result.summary?.generated, 32);
    assert.equal(result.summary?.parseInvalid, 2); // a5 "zero", for both prompt variants
    assert.deepEqual(rounded(await result.aggregate()), rounded(expectedRows()));
  } finally {
    store.close();
  }
});

Deno.test("aggregate groups by a slice dimension and rejects unknown keys", async () => {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-demo-" }));
  const loaded = await loadSpecFile(DEMO);
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "demo" }, { store });
  try {
    const result = await orchestrator.run(loaded.spec, { specDir: loaded.baseDir });
    const byDomain = await result.aggregate({ groupBy: ["model", "domain"], metric: "accuracy" });
    assert.deepEqual(rounded(byDomain), [
      {
        model: "mock-echo",
        domain: "geography",
        score: "accuracy",
        metric: "exact_match",
        mean: 0,
        count: 6,
      },
      {
        model: "mock-echo",
        domain: "math",
        score: "accuracy",
        metric: "exact_match",
        mean: 0.2,
        count: 10,
      },
      {
        model: "mock-solver",
        domain: "geography",
        score: "accuracy",
        metric: "exact_match",
        mean: Math.round(2 / 3 * 1e12) / 1e12,
        count: 6,
      },
      {
        model: "mock-solver",
        domain: "math",
        score: "accuracy",
        metric: "exact_match",
        mean: 0.75,
        count: 8,
      },
    ]);
    await assert.rejects(
      () => result.aggregate({ groupBy: ["modle"] }),
      /Cannot group by "modle". Did you mean "model"\? Valid keys: model, slice, prompt_variant, item, params, metric, domain/,
    );
  } finally {
    store.close();
  }
});

Deno.test("themis run on the demo prints the table, the run directory and a SQL hint", async () => {
  const storeDir = await Deno.makeTempDir({ prefix: "themis-demo-" });
  const first = await runCli(["run", DEMO, "--store", storeDir]);
  assert.equal(first.stderr, "");
  assert.equal(first.code, 0);
  assert.match(first.stdout, /^model\s+slice\s+prompt_variant\s+score\s+metric\s+mean\s+count$/m);
  assert.match(
    first.stdout,
    /^mock-solver\s+arithmetic\s+plain\s+accuracy\s+exact_match\s+0\.75\s+4$/m,
  );
  assert.match(first.stdout, /32 candidates — 32 generated, 0 reused/);
  const runDir = /run directory: (.+)$/m.exec(first.stdout)![1];
  assert.equal([...Deno.readDirSync(`${runDir}/events`)].length, 1);
  assert.ok((await Deno.stat(`${runDir}/manifest.json`)).isFile);
  const query = /query it: .* sql --store \S+ "(.+)"$/m.exec(first.stdout)![1];
  const sql = await runCli(["sql", "--store", storeDir, query]);
  assert.equal(sql.code, 0);
  assert.match(sql.stdout, /^mock-echo\s+16$/m);
  assert.match(sql.stdout, /^mock-solver\s+16$/m);

  const second = await runCli(["run", DEMO, "--store", storeDir]);
  assert.match(second.stdout, /32 candidates — 0 generated, 32 reused/);
  assert.equal(
    second.stdout.split("\nrun ")[0],
    first.stdout.split("\nrun ")[0],
    "same table the second time",
  );
});
