/**
 * `themis report` and `result.report()` in Markdown, CSV, JSON and LaTeX: the numbers are the
 * API's, reruns print the same bytes, and bad flags are usage errors.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./support/cli.ts";
import * as stats from "../src/results/stats/mod.ts";
import { benchmark, openFixture, rounded } from "./results_fixture_test.ts";

function parseCsv(text: string): string[][] {
  return text.trim().split("\n").map((line) => line.split(","));
}

Deno.test("the Markdown report shows the API's leaderboard and tables, the same bytes on every run", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const md = await result.report();
    assert.equal(await result.report({ format: "md" }), md, "seeded: reruns print the same report");
    for (
      const heading of [
        "## Leaderboard",
        "## Model × slice",
        "## Paired deltas against model solver",
        "## Failures",
        "## Extraction failures",
        "## Items (42 of 42 trials)",
      ]
    ) {
      assert.ok(md.includes(`\n${heading}\n`), heading);
    }
    for (const r of await result.leaderboard()) {
      const line = `| ${r.rank} | ${r.model} | acc | exact_match | ${r.mean!.toFixed(4)} | ` +
        `[${r.ci_low!.toFixed(4)}, ${r.ci_high!.toFixed(4)}] | wilson | ${
          r.stderr!.toFixed(4)
        } | ${r.n_trials} | ${r.n_scored} | ${r.n_invalid} | ${r.n_failed} |`;
      assert.ok(md.includes(line), line);
    }
    // The solver: 8 right of 14 trials, its 3 unparsed answers counted as wrong and shown.
    const solver = stats.wilsonInterval(8, 14);
    assert.ok(
      md.includes(
        `| 2 | solver | acc | exact_match | ${(8 / 14).toFixed(4)} | [${solver.low.toFixed(4)}, ${
          solver.high.toFixed(4)
        }] | wilson |`,
      ),
    );
    assert.match(md, /^\| 2 \| solver \| acc \| exact_match \| .* \| 14 \| 11 \| 3 \| 0 \|$/m);
    assert.match(md, /^\| flaky \| 50 \| 2 \| 2 \| 0 \| 5 \| 0 \|$/m);
    assert.match(md, /^\| solver \| num \| 8 \| 3 \| 0 \| 0\.3750 \|$/m);
  } finally {
    f.close();
  }
});

Deno.test("themis report writes CSV, JSON and LaTeX, by --format or by the --out extension", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const dir = await Deno.makeTempDir({ prefix: "themis-report-" });
    const cli = (...args: string[]) =>
      runCli(["report", result.runId, "--store", f.store.root, ...args]);

    const csv = await cli("--format", "csv");
    assert.equal(csv.code, 0, csv.stderr);
    const [header, ...rows] = parseCsv(csv.stdout);
    assert.deepEqual(header, [
      "model",
      "slice",
      "score",
      "metric",
      "mean",
      "ci_low",
      "ci_high",
      "ci_method",
      "stderr",
      "count",
      "n_trials",
      "n_scored",
      "n_invalid",
      "n_failed",
      "clusters",
    ]);
    const aggregate = await result.aggregate({ groupBy: ["model", "slice", "metric"] });
    const number = (cell: string) => (cell === "" ? null : Number(cell));
    assert.deepEqual(
      rows.map((r) => [...r.slice(0, 4), number(r[4]), r[7], ...r.slice(9, 14).map(Number)]),
      aggregate.map((r) => [
        r.model,
        r.slice,
        r.score,
        r.metric,
        r.mean,
        r.ci_method,
        r.count,
        r.n_trials,
        r.n_scored,
        r.n_invalid,
        r.n_failed,
      ]),
    );
    const board = parseCsv((await cli("--format", "csv", "--table", "leaderboard")).stdout);
    assert.deepEqual(board.slice(1).map((r) => r[1]), ["flaky", "solver", "echo"]);

    const written = await cli("--out", join(dir, "report.json"));
    assert.equal(
      written.stdout,
      `wrote the json report of run ${result.runId} to ${join(dir, "report.json")}\n`,
    );
    const data = JSON.parse(await Deno.readTextFile(join(dir, "report.json")));
    assert.deepEqual(rounded(data.leaderboard), rounded(await result.leaderboard()));
    assert.equal(data.items.total, 42);
    assert.deepEqual(
      data.paired.rows.map((r: { treatment: string; slice: string }) => [r.treatment, r.slice]),
      [
        ["echo", "math"],
        ["echo", "text"],
        ["flaky", "math"],
        ["flaky", "text"],
      ],
    );

    await cli("--out", join(dir, "tables.tex"), "--metric", "raw");
    const tex = await Deno.readTextFile(join(dir, "tables.tex"));
    assert.match(tex, /^% themis report: fixture, run \w+\. Needs \\usepackage\{booktabs\}\./);
    assert.match(
      tex,
      /\\caption\{Leaderboard \(run \w+\)\}\n\\begin\{tabular\}\{rlllrrlrrrrr\}\n\\toprule\nrank & model & score & metric & mean & 95\\% CI & ci\\_method & stderr & n\\_trials & n\\_scored & n\\_invalid & n\\_failed \\\\/,
    );
    // The echo's raw text is never the answer: 0 of 8, Wilson [0, 0.3244] — not [0, 0].
    const none = stats.wilsonInterval(0, 8);
    assert.ok(
      tex.includes(
        `1 & echo & raw & exact\\_match & 0.0000 & [0.0000, ${
          none.high.toFixed(4)
        }] & wilson & 0.0000 & 8 & 8 & 0 & 0 \\\\\n`,
      ),
    );
    assert.ok(!tex.includes("Items"), "the per-item table stays out of LaTeX");

    const badFormat = await cli("--format", "pdf");
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /--format must be one of md, csv, json, latex, html/);
    const badOut = await cli("--out", join(dir, "report.docx"));
    assert.equal(badOut.code, 2);
    assert.match(badOut.stderr, /cannot tell the format of ".*report\.docx": add --format/);
    const badTable = await cli("--format", "csv", "--table", "nope");
    assert.equal(badTable.code, 2);
    const missing = await runCli(["report", "nope", "--store", f.store.root]);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /No run "nope" in the store/);
  } finally {
    f.close();
  }
});
