/**
 * Paired comparisons aligned by item: two models of one run (`pairedCompare`) and two runs
 * (`compareWith`, `themis compare`), checked against the stats module on the same pairs.
 */
import assert from "node:assert/strict";
import type { ExperimentResult } from "../mod.ts";
import * as stats from "../src/results/stats/mod.ts";
import { runCli } from "./support/cli.ts";
import { benchmark, openFixture, rounded } from "./results_fixture_test.ts";

const KEY = "acc.exact_match";

/** One trial of one model for `acc`: its value (null: out of the mean) and its outcome. */
interface ItemOutcome {
  value: number | null;
  status: "scored" | "invalid" | "failed";
}

/**
 * Each trial of one model on one slice, keyed as `pairedCompare` aligns them: the value from
 * the trial summaries, the outcome from the trial records (a failed generation, a parse that
 * found no answer, else scored).
 */
async function byItem(result: ExperimentResult, model: string, slice: string) {
  const summaries = new Map((await summariesOf(result)).map((s) => [s.trial, s]));
  const out = new Map<string, ItemOutcome>();
  for await (const t of result.iterTrials()) {
    if (t.model !== model || t.slice !== slice) continue;
    const cand = t.candidates[0];
    const parse = cand.parses.find((p) => p.name === (slice === "math" ? "num" : "word"));
    const status = cand.status === "failed"
      ? "failed"
      : parse?.status === "invalid"
      ? "invalid"
      : "scored";
    const value = summaries.get(t.trial)!.values[KEY] ?? null;
    out.set(JSON.stringify([t.slice, t.promptVariant, t.paramsIndex, t.itemId]), { value, status });
  }
  return out;
}

function sideCounts(side: Map<string, ItemOutcome>, name: "baseline" | "treatment") {
  const n = (status: string) => [...side.values()].filter((o) => o.status === status).length;
  return {
    [`n_trials_${name}`]: side.size,
    [`n_scored_${name}`]: n("scored"),
    [`n_invalid_${name}`]: n("invalid"),
    [`n_failed_${name}`]: n("failed"),
  };
}

function expectedRow(
  base: Map<string, ItemOutcome>,
  treat: Map<string, ItemOutcome>,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const keys = [...base.keys()].filter((k) =>
    treat.has(k) && base.get(k)!.value !== null && treat.get(k)!.value !== null
  ).sort();
  const b = keys.map((k) => base.get(k)!.value!);
  const t = keys.map((k) => treat.get(k)!.value!);
  const counts = {
    ...sideCounts(base, "baseline"),
    ...sideCounts(treat, "treatment"),
  };
  const unpaired = base.size + treat.size - 2 * keys.length;
  if (keys.length === 0) {
    return {
      ...extra,
      score: "acc",
      metric: "exact_match",
      unpaired,
      n: 0,
      baseline_mean: null,
      treatment_mean: null,
      delta: null,
      se: null,
      ci_low: null,
      ci_high: null,
      ci_method: null,
      mde: null,
      clusters: null,
      test: null,
      p_value: null,
      p_adjusted: null as number | null,
      wins: 0,
      losses: 0,
      ties: 0,
      ...counts,
    };
  }
  const r = stats.pairedCompare(b, t, { seed: 7, resamples: 2000 });
  const se = stats.summarize(t.map((x, i) => x - b[i])).se;
  return {
    ...extra,
    score: "acc",
    metric: "exact_match",
    unpaired,
    n: r.n,
    baseline_mean: r.meanBaseline,
    treatment_mean: r.meanTreatment,
    delta: r.delta,
    se,
    // A 0/1 metric's delta lies in [-1, 1]: the paired bootstrap never leaves it.
    ci_low: Math.max(-1, r.ci.low),
    ci_high: Math.min(1, r.ci.high),
    ci_method: "bootstrap",
    mde: se === null ? null : stats.minimumDetectableEffect(se),
    clusters: null,
    test: r.mcnemar ? "mcnemar" : "wilcoxon",
    p_value: r.mcnemar ? r.mcnemar.pValue : r.wilcoxon.pValue,
    p_adjusted: null as number | null,
    wins: r.wins,
    losses: r.losses,
    ties: r.ties,
    ...counts,
  };
}

Deno.test("pairedCompare aligns two models item by item and matches the stats module", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const rows = [];
    for (const slice of ["math", "text"]) {
      const solver = await byItem(result, "solver", slice);
      const flaky = await byItem(result, "flaky", slice);
      rows.push(expectedRow(solver, flaky, { slice }));
    }
    // Hand-derived: on math the solver answers 5 of 8 (3 "I don't know": invalid, 0), flaky 7
    // (m3 failed: unpaired); on text solver 3 of 6, flaky 5 (t3 failed).
    assert.deepEqual(
      rows.map((r) => [r.slice, r.n, r.unpaired, r.n_invalid_baseline, r.n_failed_treatment]),
      [["math", 7, 2, 3, 1], ["text", 5, 2, 0, 1]],
    );
    const p = rows.map((r) => r.p_value as number);
    const labels = { baseline: "solver", treatment: "flaky" };
    for (
      const [correction, adjusted] of [
        ["holm", stats.holm(p)],
        ["bh", stats.benjaminiHochberg(p)],
        ["none", p],
      ] as const
    ) {
      const actual = await result.pairedCompare({ ...labels, metric: "acc", correction });
      assert.deepEqual(
        rounded(actual),
        rounded(rows.map((r, i) => ({ ...r, p_adjusted: adjusted[i], ...labels }))),
        correction,
      );
    }
    assert.deepEqual(
      (await result.pairedCompare({ ...labels, metric: "acc" })).map((r) => r.test),
      ["mcnemar", "mcnemar"],
    );
  } finally {
    f.close();
  }
});

Deno.test("pairedCompare names what is wrong with a condition or a grouping", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    await assert.rejects(
      () => result.pairedCompare({ baseline: "gpt", treatment: "flaky" }),
      {
        code: "QUERY_INVALID",
        message: `Run ${result.runId} has no trial with gpt; model values: echo, flaky, solver`,
      },
    );
    await assert.rejects(
      () => result.pairedCompare({ baseline: { item: "m1" }, treatment: { item: "m2" } }),
      /Cannot compare on "item": a condition names model, slice, prompt_variant, params/,
    );
    await assert.rejects(
      () => result.pairedCompare({ baseline: "echo", treatment: "flaky", groupBy: ["model"] }),
      /Cannot group a comparison by "model": it is the compared factor/,
    );
    await assert.rejects(
      () => result.pairedCompare({ baseline: { model: "echo" }, treatment: { slice: "math" } }),
      /baseline and treatment must name the same keys/,
    );
  } finally {
    f.close();
  }
});

async function twoRuns() {
  const f = await openFixture();
  const a = await f.orchestrator.run(benchmark());
  const spec = benchmark();
  // Another setting of the solver: new trials, same identity (model, slice, prompt, item).
  spec.models[0].extras = { ...spec.models[0].extras, accuracy: 0.9 };
  const b = await f.orchestrator.run(spec);
  return { f, a, b };
}

async function summariesOf(result: ExperimentResult) {
  return await Array.fromAsync(result.iterTrialSummaries());
}

Deno.test("compareWith pairs two runs trial by trial and lists the items that flipped", async () => {
  const { f, a, b } = await twoRuns();
  try {
    const comparison = await a.compareWith(b, { metric: "acc" });
    const rows = [];
    const items = new Map<string, [Map<string, ItemOutcome>, Map<string, ItemOutcome>]>();
    for (const model of ["echo", "flaky", "solver"]) {
      for (const slice of ["math", "text"]) {
        const base = await byItem(a, model, slice);
        const treat = await byItem(b, model, slice);
        items.set(`${model}|${slice}`, [base, treat]);
        rows.push(expectedRow(base, treat, { model, slice }));
      }
    }
    const tested = rows.filter((r) => r.p_value !== null);
    const adjusted = stats.holm(tested.map((r) => r.p_value as number));
    tested.forEach((r, i) => (r.p_adjusted = adjusted[i]));
    assert.deepEqual(rounded(comparison.rows), rounded(rows));
    assert.equal(comparison.baseline, a.runId);
    assert.equal(comparison.treatment, b.runId);

    const flips = [];
    for (const slice of ["math", "text"]) {
      const [base, treat] = items.get(`solver|${slice}`)!;
      for (const [key, { value }] of [...base].sort()) {
        const other = treat.get(key)?.value ?? null;
        if (value === null || other === null || other === value) continue;
        const [, prompt_variant, params, item] = JSON.parse(key);
        flips.push({
          model: "solver",
          slice,
          prompt_variant,
          params,
          item,
          score: "acc",
          metric: "exact_match",
          baseline: value,
          treatment: other,
          direction: other > value ? "gained" : "lost",
        });
      }
    }
    assert.ok(flips.length > 0, "the more accurate solver flips some items");
    assert.deepEqual(comparison.flips, flips);
  } finally {
    f.close();
  }
});

Deno.test("themis compare prints paired deltas per model × slice and the flipped items", async () => {
  const { f, a, b } = await twoRuns();
  try {
    const json = await runCli([
      "compare",
      a.runId,
      b.runId,
      "--metric",
      "acc",
      "--store",
      f.store.root,
      "--format",
      "json",
    ]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(
      JSON.parse(json.stdout),
      JSON.parse(JSON.stringify(await a.compareWith(b, { metric: "acc" }))),
    );
    const table = await runCli([
      "compare",
      a.runId.slice(0, 8),
      b.runId,
      "--metric",
      "acc",
      "--store",
      f.store.root,
    ]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`^baseline ${a.runId} → treatment ${b.runId}$`, "m"));
    assert.match(
      table.stdout,
      /^model\s+slice\s+score\s+metric\s+n\s+unpaired\s+baseline\s+treatment\s+delta\s+ci\s+ci_method\s+mde\s+test\s+p\s+p_adj\s+w\/l\/t\s+n_trials b\/t\s+n_scored b\/t\s+n_invalid b\/t\s+n_failed b\/t$/m,
    );
    // flaky is the same in both runs: 7 math pairs, all right, m3 failed on both sides
    // (2 unpaired); se 0, so the MDE is 0.
    assert.match(
      table.stdout,
      /^flaky\s+math\s+acc\s+exact_match\s+7\s+2\s+1\.0000\s+1\.0000\s+0\.0000\s+\[0\.0000, 0\.0000\]\s+bootstrap\s+0\.0000\s+mcnemar\s+1\.0000\s+1\.0000\s+0\/0\/7\s+8\/8\s+7\/7\s+0\/0\s+1\/1$/m,
    );
    assert.match(table.stdout, /^flipped items: \d+$/m);
    const missing = await runCli(["compare", a.runId, "nope", "--store", f.store.root]);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /error \[RUN_NOT_FOUND\] No run "nope" in the store/);
    const usage = await runCli(["compare", a.runId, "--store", f.store.root]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /themis compare takes two run ids/);
  } finally {
    f.close();
  }
});
