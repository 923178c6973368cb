/**
 * Paired comparisons aligned by item: two models of one run (`pairedCompare`) and two runs
 * (`compareWith`, `themis compare`), checked against the stats module on the same pairs.
 */
import assert from "node:assert/strict";
import { type ExperimentResult, stats, type TrialSummary } from "../mod.ts";
import { runCli } from "./support/cli.ts";
import { benchmark, openFixture, rounded } from "./results_fixture_test.ts";

const KEY = "acc.exact_match";

/** Values of `key` per item of one model, as `pairedCompare` aligns them. */
function byItem(summaries: TrialSummary[], model: string, slice: string) {
  const out = new Map<string, number>();
  for (const s of summaries) {
    if (s.model === model && s.slice === slice && typeof s.values[KEY] === "number") {
      out.set(JSON.stringify([s.slice, s.promptVariant, s.paramsIndex, s.itemId]), s.values[KEY]!);
    }
  }
  return out;
}

function expectedRow(
  base: Map<string, number>,
  treat: Map<string, number>,
  extra: Record<string, unknown>,
) {
  const keys = [...base.keys()].filter((k) => treat.has(k)).sort();
  const b = keys.map((k) => base.get(k)!);
  const t = keys.map((k) => treat.get(k)!);
  const r = stats.pairedCompare(b, t, { seed: 7, resamples: 2000 });
  return {
    ...extra,
    score: "acc",
    metric: "exact_match",
    unpaired: base.size + treat.size - 2 * keys.length,
    n: r.n,
    baseline_mean: r.meanBaseline,
    treatment_mean: r.meanTreatment,
    delta: r.delta,
    ci_low: r.ci.low,
    ci_high: r.ci.high,
    test: r.mcnemar ? "mcnemar" : "wilcoxon",
    p_value: r.mcnemar ? r.mcnemar.pValue : r.wilcoxon.pValue,
    p_adjusted: null as number | null,
    wins: r.wins,
    losses: r.losses,
    ties: r.ties,
  };
}

Deno.test("pairedCompare aligns two models item by item and matches the stats module", async () => {
  const f = await openFixture();
  try {
    const result = await f.orchestrator.run(benchmark());
    const summaries = await Array.fromAsync(result.iterTrialSummaries());
    const rows = ["math", "text"].map((slice) =>
      expectedRow(byItem(summaries, "solver", slice), byItem(summaries, "flaky", slice), { slice })
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
        message:
          `Run ${result.runId} has no scored trial with gpt; model values: echo, flaky, solver`,
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
    const [sa, sb] = [await summariesOf(a), await summariesOf(b)];
    const rows = [];
    for (const model of ["echo", "flaky", "solver"]) {
      for (const slice of ["math", "text"]) {
        const base = byItem(sa, model, slice);
        const treat = byItem(sb, model, slice);
        if (base.size + treat.size === 0) continue;
        rows.push(
          base.size && treat.size ? expectedRow(base, treat, { model, slice }) : {
            ...expectedRow(new Map(), new Map(), { model, slice }),
            unpaired: base.size + treat.size,
          },
        );
      }
    }
    const tested = rows.filter((r) => r.test !== null && r.p_value !== null);
    const adjusted = stats.holm(tested.map((r) => r.p_value as number));
    tested.forEach((r, i) => (r.p_adjusted = adjusted[i]));
    const unpairedRow = (r: Record<string, unknown>) =>
      r.n === 0
        ? {
          ...r,
          baseline_mean: null,
          treatment_mean: null,
          delta: null,
          ci_low: null,
          ci_high: null,
          test: null,
          p_value: null,
          wins: 0,
          losses: 0,
          ties: 0,
        }
        : r;
    assert.deepEqual(rounded(comparison.rows), rounded(rows.map(unpairedRow)));
    assert.equal(comparison.baseline, a.runId);
    assert.equal(comparison.treatment, b.runId);

    const flips = [];
    for (const slice of ["math", "text"]) {
      const base = byItem(sa, "solver", slice);
      const treat = byItem(sb, "solver", slice);
      for (const [key, value] of [...base].sort()) {
        const other = treat.get(key);
        if (other === undefined || other === value) continue;
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
      /^model\s+slice\s+score\s+metric\s+n\s+unpaired\s+baseline\s+treatment\s+delta\s+ci\s+test\s+p\s+p_adj\s+w\/l\/t$/m,
    );
    assert.match(
      table.stdout,
      /^flaky\s+math\s+acc\s+exact_match\s+7\s+0\s+1\.0000\s+1\.0000\s+0\.0000\s+\[0\.0000, 0\.0000\]\s+mcnemar\s+1\.0000\s+1\.0000\s+0\/0\/7$/m,
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
