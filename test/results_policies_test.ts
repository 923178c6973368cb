/**
 * The read-side policies of issue 12 on real runs (mock engine, real DuckDB): invalid samples
 * inside reductions (mean, majority over raw text, pass@k), on_invalid in the spec and as an
 * option, cluster-robust standard errors in aggregates and paired deltas, corpus BLEU, and the
 * clear errors of a cluster field that cannot be read.
 */
import assert from "node:assert/strict";
import { type BenchmarkSpecInput, Orchestrator, type ProjectSpecInput, Store } from "../mod.ts";
import * as stats from "../src/results/stats/mod.ts";
import { corpusBleu } from "../src/plugins/metrics/corpus_bleu.ts";

const ITEMS = [1, 2, 3, 4, 5, 6].map((n) => ({
  id: `q${n}`,
  q: `${n}`,
  answer: n,
  passage: `p${Math.ceil(n / 2)}`, // q1, q2 → p1; q3, q4 → p2; q5, q6 → p3
}));

/** Model `a` answers three samples per item; `b` the same text three times. */
function benchmark(score: Record<string, unknown> = {}): BenchmarkSpecInput {
  return {
    benchmark_id: "policies",
    num_samples: 3,
    models: [
      {
        model_id: "a",
        provider: "mock",
        extras: {
          answers: {
            q1: ["1", "1", "1"],
            q2: ["2", "x", "x"], // one right, two without a number
            q3: ["x", "x", "x"], // no answer at all
            q4: ["5", "4", "4"],
            q5: ["5", "5", "9"],
            q6: ["6", "7", "8"], // issue 12: "A", "B", "C" with reference "A"
          },
        },
      },
      {
        model_id: "b",
        provider: "mock",
        extras: { answers: { q1: "1", q2: "2", q3: "3", q4: "0", q5: "5", q6: "6" } },
      },
    ],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.q}" }] }],
    slices: [{
      slice_id: "s",
      dataset: { kind: "inline", items: ITEMS },
      parses: [{ name: "num", extractors: [{ id: "first_number" }] }],
      scores: [
        { name: "mean_acc", parse: "num", metrics: [{ id: "exact_match" }], ...score },
        { name: "vote", metrics: [{ id: "exact_match" }], reduction: "majority" },
        {
          name: "pass2",
          parse: "num",
          metrics: [{ id: "exact_match" }],
          reduction: "pass_at_k",
          k: 2,
        },
      ],
    }],
  };
}

async function open(project: Partial<ProjectSpecInput> = {}) {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-policies-" }));
  const orchestrator = Orchestrator.fromProjectSpec({
    project_name: "policies",
    executor: { kind: "inline" },
    ...project,
  }, { store });
  return { store, orchestrator };
}

const values =
  (summaries: Array<{ model: string; values: Record<string, number | null> }>) =>
  (model: string, key: string) =>
    summaries.filter((s) => s.model === model).map((s) => s.values[key]);

Deno.test("invalid samples count inside every reduction: mean, majority over raw text, pass@k", async () => {
  const { store, orchestrator } = await open();
  try {
    const result = await orchestrator.run(benchmark());
    const of = values(await Array.fromAsync(result.iterTrialSummaries()));
    const order = (await Array.fromAsync(result.iterTrialSummaries()))
      .filter((s) => s.model === "a").map((s) => s.itemId);
    const byItem = (xs: Array<number | null>) =>
      Object.fromEntries(order.map((id, i) => [id, xs[i]]));
    // mean: a sample without a number scores 0 (q2: 1/3, q3: 0).
    assert.deepEqual(byItem(of("a", "mean_acc.exact_match")), {
      q1: 1,
      q2: 1 / 3,
      q3: 0,
      q4: 2 / 3,
      q5: 2 / 3,
      q6: 1 / 3,
    });
    // majority votes on the raw text: q2 "x" wins, q4 "4", q6 is a three-way tie that goes
    // to the first answer, "6", which is right (voting on the 0/1 values gave 0).
    assert.deepEqual(byItem(of("a", "vote.exact_match")), {
      q1: 1,
      q2: 0,
      q3: 0,
      q4: 1,
      q5: 1,
      q6: 1,
    });
    // pass@2 = 1 − C(n − c, 2)/C(n, 2) with n = 3 samples, invalid ones incorrect:
    // q2 c = 1 → 1 − 1/3; q3 c = 0 → 0; q4, q5 c = 2 → 1; q6 c = 1 → 2/3.
    const pass = byItem(of("a", "pass2.exact_match"));
    assert.deepEqual(
      Object.fromEntries(Object.entries(pass).map(([k, v]) => [k, Math.round(v! * 1e12) / 1e12])),
      { q1: 1, q2: 0.666666666667, q3: 0, q4: 1, q5: 1, q6: 0.666666666667 },
    );
    const rows = await result.aggregate({ groupBy: ["model"] });
    const a = (score: string) => rows.find((r) => r.model === "a" && r.score === score)!;
    assert.deepEqual(
      [a("mean_acc").mean, a("mean_acc").n_scored, a("mean_acc").n_invalid, a("mean_acc").count],
      [0.5, 5, 1, 6], // (1 + 1/3 + 0 + 2/3 + 2/3 + 1/3)/6
    );
    assert.equal(Math.round(a("pass2").mean! * 1e12), Math.round(13 / 18 * 1e12));
    assert.deepEqual([a("pass2").n_invalid, a("vote").mean], [1, 4 / 6]);
    // A mean of 0/1 values over samples is no proportion: a t interval, clipped to [0, 1].
    assert.equal(a("mean_acc").ci_method, "t");
    assert.ok(a("mean_acc").ci_low! >= 0 && a("mean_acc").ci_high! <= 1);
  } finally {
    store.close();
  }
});

Deno.test('on_invalid = "exclude" in the spec reuses every generation and leaves invalid samples out', async () => {
  const { store, orchestrator } = await open();
  try {
    const zero = await orchestrator.run(benchmark());
    const exclude = await orchestrator.run(benchmark({ on_invalid: "exclude" }));
    assert.equal(exclude.summary?.generated, 0, "no generation redone");
    assert.equal(exclude.summary?.scored, 0, "no score redone");
    assert.deepEqual(
      exclude.manifest.scores.map((s) => s.hash),
      zero.manifest.scores.map((s) => s.hash),
      "policies never enter a score hash",
    );
    assert.equal(exclude.manifest.scores[0].onInvalid, "exclude");
    const [row] = await exclude.aggregate({ groupBy: ["model"], metric: "mean_acc" });
    // q2 keeps its one scored sample (1), q3 has none and leaves the mean:
    // (1 + 1 + 2/3 + 2/3 + 1/3)/5; still 1 invalid trial shown.
    assert.deepEqual(
      [row.model, Math.round(row.mean! * 1e12), row.count, row.n_trials, row.n_invalid],
      ["a", Math.round(11 / 15 * 1e12), 5, 6, 1],
    );
    const [overridden] = await exclude.aggregate({
      groupBy: ["model"],
      metric: "mean_acc",
      onInvalid: "zero",
    });
    assert.equal(overridden.mean, 0.5);
  } finally {
    store.close();
  }
});

Deno.test("a cluster field gives means and paired deltas cluster-robust standard errors", async () => {
  const { store, orchestrator } = await open();
  try {
    const result = await orchestrator.run(benchmark({ cluster: "passage" }));
    const [a, b] = await result.aggregate({ groupBy: ["model"], metric: "mean_acc" });
    const clusters = ["p1", "p1", "p2", "p2", "p3", "p3"].map((p) => JSON.stringify(p));
    const aValues = [1, 1 / 3, 0, 2 / 3, 2 / 3, 1 / 3];
    const expected = stats.clusteredMean(aValues, { clusters });
    // Residuals from 0.5 summed per passage: 1/3, −1/3, 0 → se = √(3/2 · 2/9)/6 = √(1/3)/6.
    assert.ok(Math.abs(expected.se! - Math.sqrt(1 / 3) / 6) < 1e-15);
    assert.deepEqual(
      [a.model, a.mean, a.stderr, a.ci_low, a.ci_high, a.ci_method, a.clusters],
      ["a", 0.5, expected.se, expected.ci!.low, expected.ci!.high, "t_cluster", 3],
    );
    // b is right on 5 of 6 (q4 "0"): one cluster (p2) holds the miss.
    const bExpected = stats.clusteredMean([1, 1, 1, 0, 1, 1], { clusters });
    assert.deepEqual(
      [b.mean, b.stderr, b.ci_high, b.clusters],
      [5 / 6, bExpected.se, Math.min(1, bExpected.ci!.high), 3],
    );
    assert.ok(b.ci_high! <= 1, "the t_cluster interval is clipped to the metric's range");

    const [paired] = await result.pairedCompare({
      baseline: "a",
      treatment: "b",
      metric: "mean_acc",
      groupBy: [],
    });
    const d = stats.clusteredPairedDifference(aValues, [1, 1, 1, 0, 1, 1], { clusters });
    assert.deepEqual(
      [paired.delta, paired.se, paired.ci_method, paired.clusters, paired.mde],
      [d.mean, d.se, "t_cluster", 3, stats.minimumDetectableEffect(d.se!)],
    );
    assert.deepEqual(
      [paired.ci_low, paired.ci_high],
      [Math.max(-1, d.ci!.low), Math.min(1, d.ci!.high)],
    );
    // An earlier run answers "how many items to detect 0.1": from se and n (design effect in).
    const [detect] = await result.itemsToDetect({ delta: 0.1, metric: "mean_acc" });
    assert.deepEqual(
      [detect.source, detect.n, detect.se, detect.items],
      ["a → b", 6, d.se, stats.itemsToDetect(0.1, { se: d.se!, n: 6 }).items],
    );
  } finally {
    store.close();
  }
});

Deno.test("a cluster field the items lack, or items the run did not store, are clear errors", async () => {
  const { store, orchestrator } = await open();
  try {
    const result = await orchestrator.run(benchmark({ cluster: "chapter" }));
    await assert.rejects(() => result.aggregate({ metric: "mean_acc" }), {
      code: "QUERY_INVALID",
      message:
        /score "mean_acc" clusters by the item field "chapter", but item "q\d" of slice "s" has no "chapter"/,
    });
  } finally {
    store.close();
  }
  const hidden = await open({ storage: { store_item_payloads: false } });
  try {
    const result = await hidden.orchestrator.run(benchmark({ cluster: "passage" }));
    await assert.rejects(() => result.aggregate({ metric: "mean_acc" }), {
      code: "QUERY_INVALID",
      message: /stored no payload for item "q\d" of slice "s" \(store_item_payloads = false\)/,
    });
  } finally {
    hidden.store.close();
  }
});

Deno.test("corpus BLEU is an aggregate row over summed statistics, an invalid answer an empty hypothesis", async () => {
  const { store, orchestrator } = await open();
  const refs = ["the cat sat on the mat", "a quick brown fox", "hello there world"];
  const outputs = ["SAY: the cat sat on a mat", "SAY: a quick brown dog", "no marker here"];
  try {
    const result = await orchestrator.run({
      benchmark_id: "mt",
      models: [{
        model_id: "m",
        provider: "mock",
        extras: { answers: { t1: outputs[0], t2: outputs[1], t3: outputs[2] } },
      }],
      prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.src}" }] }],
      slices: [{
        slice_id: "mt",
        dataset: {
          kind: "inline",
          items: refs.map((answer, i) => ({ id: `t${i + 1}`, src: "x", answer })),
        },
        parses: [{ name: "said", extractors: [{ id: "regex", config: { pattern: "SAY: (.*)" } }] }],
        scores: [{ name: "bleu", parse: "said", metrics: [{ id: "bleu" }] }],
      }],
    });
    const rows = await result.aggregate({ groupBy: ["model"] });
    assert.deepEqual(rows.map((r) => [r.metric, r.n_trials, r.n_invalid]), [
      ["bleu", 3, 1],
      ["corpus_bleu", 3, 1],
    ]);
    const corpus = rows[1];
    // sacrebleu's corpus_bleu of the parsed sentences, t3 (no "SAY:") as an empty hypothesis.
    const expected = corpusBleu(
      ["the cat sat on a mat", "a quick brown dog", ""],
      refs.map((r) => [r]),
    );
    assert.deepEqual(
      [corpus.mean, corpus.count, corpus.stderr, corpus.ci_low, corpus.ci_method],
      [expected.score / 100, 3, null, null, null],
    );
    const excluded = await result.aggregate({ groupBy: ["model"], onInvalid: "exclude" });
    const scoredOnly = corpusBleu(["the cat sat on a mat", "a quick brown dog"], [
      [refs[0]],
      [refs[1]],
    ]);
    assert.deepEqual([excluded[1].mean, excluded[1].count], [scoredOnly.score / 100, 2]);
    assert.notEqual(expected.score, scoredOnly.score);
    // A metric filter names either row: the sentence BLEU mean or the corpus statistic.
    const only = async (metric: string) =>
      (await result.aggregate({ groupBy: ["model"], metric })).map((r) => r.metric);
    assert.deepEqual(await only("bleu.bleu"), ["bleu"]);
    assert.deepEqual(await only("corpus_bleu"), ["corpus_bleu"]);
    assert.deepEqual(await only("bleu"), ["bleu", "corpus_bleu"]); // the score's name
  } finally {
    store.close();
  }
});
