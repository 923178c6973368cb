/** exportJson and persistArtifacts: the result as one JSON value, and as files in a folder. */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as stats from "../src/results/stats/mod.ts";
import { benchmark, openFixture, rounded } from "./results_fixture_test.ts";

Deno.test("exportJson holds the plan, summary, aggregate, leaderboard, failures and trials", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const exported = await result.exportJson();
    const { trials: _, ...manifest } = result.manifest;
    assert.deepEqual(
      rounded({ ...exported, trials: undefined }),
      rounded({
        format: "themis.result",
        version: 1,
        run_id: result.runId,
        view: null,
        manifest: JSON.parse(JSON.stringify(manifest)),
        summary: result.summary,
        aggregate: await result.aggregate(),
        leaderboard: await result.leaderboard(),
        failures: await Array.fromAsync(result.iterFailures()),
        invalid_extractions: 9,
        trials: undefined,
      }),
    );
    assert.deepEqual(exported.trials, await Array.fromAsync(result.iterTrialSummaries()));
    assert.equal(JSON.parse(JSON.stringify(exported)).trials.length, 42, "it serializes as is");
    const full = await result.exportJson({ trials: "full" });
    assert.deepEqual(full.trials, await Array.fromAsync(result.iterTrials()));
    assert.equal((await result.exportJson({ trials: "none" })).trials, undefined);
    const view = await result.forTransform("num").exportJson({ trials: "none" });
    assert.equal(view.view, `tf:${result.manifest.parses[0].hash}`);
  } finally {
    f.close();
  }
});

Deno.test("persistArtifacts writes JSON, CSV, JSONL, Markdown and HTML files that read back", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const dir = join(await Deno.makeTempDir({ prefix: "themis-artifacts-" }), "nested", "out");
    const written = await result.persistArtifacts(dir);
    assert.deepEqual(written, {
      dir,
      files: [
        "result.json",
        "aggregate.csv",
        "leaderboard.csv",
        "trials.jsonl",
        "failures.jsonl",
        "report.md",
        "report.html",
      ],
    });
    const read = (name: string) => Deno.readTextFile(join(dir, name));
    const json = JSON.parse(await read("result.json"));
    assert.equal(json.run_id, result.runId);
    assert.equal(json.trials, undefined);
    const trials = (await read("trials.jsonl")).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(
      trials,
      JSON.parse(JSON.stringify(await Array.fromAsync(result.iterTrials()))),
    );
    const failures = (await read("failures.jsonl")).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(failures.map((x) => [x.model, x.itemId, x.code]).sort(), [
      ["flaky", "m3", "PROVIDER_UNAVAILABLE"],
      ["flaky", "t3", "PROVIDER_UNAVAILABLE"],
    ]);
    const aggregate = (await read("aggregate.csv")).trim().split("\n");
    assert.equal(
      aggregate[0],
      "model,slice,prompt_variant,score,metric,mean,stderr,ci_low,ci_high,ci_method,count," +
        "n_trials,n_scored,n_invalid,n_failed,clusters",
    );
    assert.equal(aggregate.length, 1 + (await result.aggregate()).length);
    const board = (await read("leaderboard.csv")).trim().split("\n");
    // flaky: 12 of 12 scored trials right (2 failed generations, out of the mean): Wilson.
    const wilson = stats.wilsonInterval(12, 12);
    assert.equal(
      board[1],
      `1,flaky,acc,exact_match,1,0,${wilson.low},${wilson.high},wilson,12,14,12,0,2,`,
    );
    assert.equal(await read("report.md"), await result.report({ format: "md" }));
    assert.match(await read("report.html"), /^<!doctype html>/);
  } finally {
    f.close();
  }
});
