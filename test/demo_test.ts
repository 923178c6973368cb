/**
 * The demo benchmark end to end, through the public API and the CLI; its aggregate equals a
 * hand-computed expectation.
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { loadSpecFile, openResult, Orchestrator, Store } from "../mod.ts";
import * as stats from "../src/results/stats/mod.ts";

import { runCli } from "./support/cli.ts";

const DEMO = fromFileUrl(new URL("../examples/demo/benchmark.toml", import.meta.url));

/**
 * Worked out by hand from examples/demo/benchmark.toml:
 * - mock-solver, arithmetic, accuracy: a1 "The answer is 5." → 5 ✓, a2 "42" ✓, a3 "It is 6" ✓,
 *   a4 "I think 4" ✗, a5 "zero" has no number: invalid, counted as wrong → 3/5 = 0.6 per
 *   prompt variant (4 scored, 1 invalid of 5 trials); 6/10 over both.
 * - mock-solver, arithmetic, exact_raw: only a2's raw text "42" equals its answer → 1/5.
 * - mock-solver, capitals: "Paris" ✓, "tokyo" ✓ (case-insensitive), "Toronto" ✗ → 2/3.
 * - mock-echo repeats the last user message; its first number is the question's first operand,
 *   right only for a5 "0 + 0" → 1/5; never the raw answer → 0/5; capitals never → 0/3.
 * Every row is the same for both prompt variants (answers do not depend on the prompt). No
 * generation fails.
 */
function expectedRows() {
  const rows = [];
  for (const model of ["mock-echo", "mock-solver"]) {
    for (const variant of ["instruct", "plain"]) {
      const solver = model === "mock-solver";
      rows.push(
        row(model, "arithmetic", variant, "accuracy", solver ? 0.6 : 0.2, 5, solver ? 1 : 0),
        row(model, "arithmetic", variant, "exact_raw", solver ? 0.2 : 0, 5, 0),
        row(model, "capitals", variant, "accuracy", solver ? 2 / 3 : 0, 3, 0),
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
  trials: number,
  invalid: number,
) {
  return {
    model,
    slice,
    prompt_variant,
    score,
    metric: "exact_match",
    mean,
    count: trials, // invalid answers are in the mean (as 0)
    n_trials: trials,
    n_scored: trials - invalid,
    n_invalid: invalid,
    n_failed: 0,
  };
}

const KEYS = [
  "model",
  "slice",
  "prompt_variant",
  "domain",
  "score",
  "metric",
  "mean",
  "count",
  "n_trials",
  "n_scored",
  "n_invalid",
  "n_failed",
];

/** The group keys, score, metric, mean (rounded) and counts of aggregate rows. */
function rounded(rows: Array<Record<string, unknown>>) {
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const key of KEYS) {
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
    assert.equal(result.summary?.scoreNoAnswer, 2); // recorded as invalid scores
    assert.deepEqual(rounded(await result.aggregate()), rounded(expectedRows()));
    // Issue 12: mock-solver / arithmetic / accuracy is 6/10 = 0.60 with its 2 invalid shown.
    const [solver] = await result.aggregate({
      groupBy: ["model", "slice"],
      metric: "accuracy",
    }).then((rows) => rows.filter((r) => r.model === "mock-solver" && r.slice === "arithmetic"));
    const wilson = stats.wilsonInterval(6, 10);
    // The sample sd of six 1s and four 0s is √(0.6 · 0.4 · 10/9); the SE is that over √10.
    assert.ok(Math.abs(solver.stderr! - Math.sqrt(0.6 * 0.4 * 10 / 9) / Math.sqrt(10)) < 1e-15);
    assert.deepEqual(solver, {
      model: "mock-solver",
      slice: "arithmetic",
      score: "accuracy",
      metric: "exact_match",
      mean: 0.6,
      stderr: solver.stderr,
      ci_low: wilson.low,
      ci_high: wilson.high,
      ci_method: "wilson",
      count: 10,
      n_trials: 10,
      n_scored: 8,
      n_invalid: 2,
      n_failed: 0,
      clusters: null,
    });
    // The policy is read-side: excluding invalid answers gives the old 0.75 over 8, still
    // showing the 2 invalid trials.
    const [excluded] = await result.aggregate({
      groupBy: ["model", "slice"],
      metric: "accuracy",
      onInvalid: "exclude",
    }).then((rows) => rows.filter((r) => r.model === "mock-solver" && r.slice === "arithmetic"));
    assert.deepEqual(
      [excluded.mean, excluded.count, excluded.n_trials, excluded.n_invalid],
      [0.75, 8, 10, 2],
    );
    // The leaderboard: 6/10 + 2/3 · 6 → 10/16 = 0.625 for the solver; 2/16 for the echo.
    const board = await result.leaderboard();
    assert.deepEqual(
      board.map((r) => [r.rank, r.model, r.mean, r.n_trials, r.n_invalid]),
      [[1, "mock-solver", 0.625, 16, 2], [2, "mock-echo", 0.125, 16, 0]],
    );
    // Paired on arithmetic: the solver alone is right on a1–a3 (×2 variants), the echo alone
    // on a5 (×2): McNemar's exact p = 2·P(X ≤ 2 | n = 8, ½) = 2·(1 + 8 + 28)/256 = 0.2890625.
    const [paired] = await result.pairedCompare({
      baseline: "mock-solver",
      treatment: "mock-echo",
      metric: "accuracy",
    });
    assert.deepEqual(
      [paired.slice, paired.n, paired.wins, paired.losses, paired.p_value],
      ["arithmetic", 10, 2, 6, 74 / 256],
    );
    assert.deepEqual([paired.n_invalid_baseline, paired.n_invalid_treatment], [2, 0]);
  } finally {
    store.close();
  }
});

function domainRow(model: string, domain: string, mean: number, trials: number, invalid: number) {
  return {
    model,
    domain,
    score: "accuracy",
    metric: "exact_match",
    mean,
    count: trials,
    n_trials: trials,
    n_scored: trials - invalid,
    n_invalid: invalid,
    n_failed: 0,
  };
}

Deno.test("aggregate groups by a slice dimension and rejects unknown keys", async () => {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-demo-" }));
  const loaded = await loadSpecFile(DEMO);
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "demo" }, { store });
  try {
    const result = await orchestrator.run(loaded.spec, { specDir: loaded.baseDir });
    const byDomain = await result.aggregate({ groupBy: ["model", "domain"], metric: "accuracy" });
    assert.deepEqual(rounded(byDomain), [
      domainRow("mock-echo", "geography", 0, 6, 0),
      domainRow("mock-echo", "math", 0.2, 10, 0),
      domainRow("mock-solver", "geography", Math.round(2 / 3 * 1e12) / 1e12, 6, 0),
      domainRow("mock-solver", "math", 0.6, 10, 2),
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
  assert.match(
    first.stdout,
    /^model\s+slice\s+prompt_variant\s+score\s+metric\s+mean\s+n_trials\s+n_scored\s+n_invalid\s+n_failed$/m,
  );
  assert.match(
    first.stdout,
    /^mock-solver\s+arithmetic\s+plain\s+accuracy\s+exact_match\s+0\.6\s+5\s+4\s+1\s+0$/m,
  );
  // 32 candidates; 20 arithmetic × 2 scores + 12 capitals × 1 = 52 scores, of which a5's
  // accuracy (×2 variants) has no answer: 50 scored, 2 invalid.
  assert.match(
    first.stdout,
    /32 candidates — 32 generated, 0 reused, 30 parsed \(2 without an answer, 6\.3%\), 50 scored, 2 invalid \(2 without an answer\), 0 failed$/m,
  );
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

Deno.test("SQL sees the demo's invalid answers: scores.invalid, score_counts and the runs view", async () => {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-demo-" }));
  const loaded = await loadSpecFile(DEMO);
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "demo" }, { store });
  try {
    const result = await orchestrator.run(loaded.spec, { specDir: loaded.baseDir });
    // a5 "zero" (both variants): the accuracy score is recorded invalid with value 0.
    assert.deepEqual(
      await store.sql(
        `select t.model_id, t.item_id, s.score_name, s.value, s.range_min, s.range_max,
           s.range_binary
         from scores s join trials t using (trial) where s.invalid order by all`,
      ),
      ["instruct", "plain"].map(() => ({
        model_id: "mock-solver",
        item_id: "a5",
        score_name: "accuracy",
        value: 0,
        range_min: 0,
        range_max: 1,
        range_binary: true,
      })),
    );
    const counts = await store.sql(
      `select model_id, slice_id, prompt_variant_id, score_name, metric, n_trials, n_scored,
         n_invalid, n_failed, n_pending
       from score_counts where run = '${result.runId}' order by all`,
    );
    const rows = await result.aggregate();
    assert.deepEqual(
      counts,
      rows.map((r) => ({
        model_id: r.model,
        slice_id: r.slice,
        prompt_variant_id: r.prompt_variant,
        score_name: r.score,
        metric: r.metric,
        n_trials: r.n_trials,
        n_scored: r.n_scored,
        n_invalid: r.n_invalid,
        n_failed: r.n_failed,
        n_pending: 0,
      })),
    );
    const [run] = await store.sql(`select scores, invalid_scores from runs`);
    assert.deepEqual(run, { scores: 50, invalid_scores: 2 });
  } finally {
    store.close();
  }
});

/** A gzip segment's lines without the `score.completed` events marked invalid. */
async function withoutInvalidScores(path: string): Promise<number> {
  const text = await new Response(
    (await Deno.open(path)).readable.pipeThrough(new DecompressionStream("gzip")),
  ).text();
  const lines = text.split("\n");
  const kept = lines.filter((l) =>
    !(l.includes('"score.completed"') && l.includes('"invalid":true'))
  );
  const gz = new Response(
    new Blob([kept.join("\n")]).stream().pipeThrough(new CompressionStream("gzip")),
  );
  await Deno.writeFile(path, new Uint8Array(await gz.arrayBuffer()));
  return lines.length - kept.length;
}

Deno.test("a log written before invalid scores were recorded gives the same numbers", async () => {
  const root = await Deno.makeTempDir({ prefix: "themis-demo-" });
  const loaded = await loadSpecFile(DEMO);
  let store = Store.open(root);
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "demo" }, { store });
  const result = await orchestrator.run(loaded.spec, { specDir: loaded.baseDir });
  const before = await result.aggregate({ groupBy: ["model", "slice"] });
  store.close();
  const dir = `${root}/runs/${result.runId}/events`;
  let removed = 0;
  for (const entry of Deno.readDirSync(dir)) {
    removed += await withoutInvalidScores(`${dir}/${entry.name}`);
  }
  assert.equal(removed, 2, "a5's accuracy, both variants");
  store = Store.open(root);
  try {
    // The old log: the score behind a parse without an answer was skipped, never recorded.
    assert.deepEqual(
      await store.sql(
        `select status, skip_reason, count(*)::integer as n from work_items
         where stage = 'score' and status <> 'completed' group by all`,
      ),
      [{ status: "skipped", skip_reason: "no_answer", n: 2 }],
    );
    const after = await (await openResult(store, result.runId)).aggregate({
      groupBy: ["model", "slice"],
    });
    assert.deepEqual(after, before);
    const solver = after.find((r) =>
      r.model === "mock-solver" && r.score === "accuracy" &&
      r.slice === "arithmetic"
    )!;
    assert.deepEqual([solver.mean, solver.n_invalid], [0.6, 2]);
  } finally {
    store.close();
  }
});
