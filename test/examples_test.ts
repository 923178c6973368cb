/**
 * Every example in examples/ runs end to end through the CLI (`themis run --json`) on the mock
 * engine, with its own themis.toml, into a temporary store; each aggregate is worked out by
 * hand (or derived from the source data in the test) and compared whole.
 */
import { withoutStats } from "./support/rows.ts";
import assert from "node:assert/strict";
import { continents, countries } from "countries-list";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { Store } from "../mod.ts";
import { runCli } from "./support/cli.ts";

const EXAMPLES = fromFileUrl(new URL("../examples/", import.meta.url));

interface Row {
  model: string;
  slice: string;
  prompt_variant: string;
  score: string;
  metric: string;
  mean: number;
  count: number;
  n_trials: number;
  n_scored: number;
  n_invalid: number;
  n_failed: number;
}

const round = (rows: Row[]) =>
  withoutStats(rows).map((r) => ({
    ...r,
    mean: Math.round((r.mean as number) * 1e9) / 1e9,
  })) as Row[];

/** Run an example's benchmark through the CLI into a fresh store; its aggregate and store. */
async function runExample(name: string): Promise<{ rows: Row[]; store: Store }> {
  const dir = await Deno.makeTempDir({ prefix: `themis-example-${name}-` });
  const result = await runCli([
    "run",
    `${EXAMPLES}${name}/benchmark.toml`,
    "--store",
    dir,
    "--json",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const rows = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Row);
  return { rows: round(rows), store: Store.open(dir) };
}

/** A row whose trials were all scored (every one has an answer), unless the fields say. */
function row(
  fields:
    & Omit<Row, "prompt_variant" | "n_trials" | "n_scored" | "n_invalid" | "n_failed">
    & Partial<Row>,
): Row {
  const counts = { n_trials: fields.count, n_scored: fields.count, n_invalid: 0, n_failed: 0 };
  return { prompt_variant: "", ...fields, ...counts, ...pick(fields) } as Row;
}

function pick(fields: Partial<Row>) {
  const keys = ["n_trials", "n_scored", "n_invalid", "n_failed"] as const;
  return Object.fromEntries(keys.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]]));
}

Deno.test("examples/arithmetic: accuracy and pass@2 over four samples, one extraction failure counted as wrong", async () => {
  const { rows, store } = await runExample("arithmetic");
  try {
    // numeric_match per sample (regex "answer is N", else the last number):
    // p1 12,12,12,12 → 4/4; p2 150,150,120,150 → 3/4; p3 27,13,14,12 → 1/4;
    // p4 20,20,5,20 → 3/4; p5 325,325,2075,(no number: invalid, scores 0) → 2/4; p6 → 4/4.
    const accuracy = (1 + 3 / 4 + 1 / 4 + 3 / 4 + 2 / 4 + 1) / 6;
    // pass@2 = 1 − C(n−c, 2) / C(n, 2) with n = 4 samples (the invalid one is incorrect):
    // 1 whenever n − c < 2; p3 (c 1) → 1 − 3/6; p5 (c 2) → 1 − 1/6.
    const passAt2 = (4 * 1 + 0.5 + 5 / 6) / 6;
    const base = { model: "mock-tutor", slice: "word_problems", prompt_variant: "step_by_step" };
    assert.deepEqual(
      rows,
      round([
        row({ ...base, score: "accuracy", metric: "numeric_match", mean: accuracy, count: 6 }),
        row({ ...base, score: "pass_at_2", metric: "numeric_match", mean: passAt2, count: 6 }),
      ]),
    );
    const rate = await store.sql(
      `select count(*) filter (where status = 'invalid')::integer as invalid,
              count(*)::integer as parses,
              count(*) filter (where status = 'invalid') / count(*) as rate
       from parses`,
    );
    assert.deepEqual(rate, [{ invalid: 1, parses: 24, rate: 1 / 24 }]);
    const attempts = await store.sql(
      `select attempts from parses where status = 'invalid'`,
    );
    assert.deepEqual(
      JSON.parse(String(attempts[0].attempts)).map((a: { extractor: string }) => a.extractor),
      [
        "regex",
        "last_number",
      ],
    );
  } finally {
    store.close();
  }
});

Deno.test("examples/multiple_choice: three prompt variants, mean accuracy and majority vote", async () => {
  const { rows, store } = await runExample("multiple_choice");
  try {
    // Letters per question (answer key B C C A C B): q1 B,B,A; q2 C,C,C; q3 B,C,B;
    // q4 A,(none: invalid, scores 0),A; q5 D,C,C; q6 B,A,D.
    const accuracy = (2 / 3 + 1 + 1 / 3 + 2 / 3 + 2 / 3 + 1 / 3) / 6;
    // Majority (ties go to the earliest sample; q4's A beats "no answer" 2 to 1): B ✓, C ✓,
    // B ✗, A ✓, C ✓, B ✓.
    const vote = 5 / 6;
    const expected = ["few_shot", "instructed", "zero_shot"].flatMap((prompt_variant) => {
      const base = { model: "mock-student", slice: "general_knowledge", prompt_variant };
      return [
        row({ ...base, score: "accuracy", metric: "choice_accuracy", mean: accuracy, count: 6 }),
        row({ ...base, score: "vote", metric: "choice_accuracy", mean: vote, count: 6 }),
      ];
    });
    assert.deepEqual(rows, round(expected));
    const invalid = await store.sql(
      `select t.item_id, t.prompt_variant_id from parses p join trials t using (trial)
       where p.status = 'invalid' order by all`,
    );
    assert.deepEqual(invalid, [
      { item_id: "q4", prompt_variant_id: "few_shot" },
      { item_id: "q4", prompt_variant_id: "instructed" },
      { item_id: "q4", prompt_variant_id: "zero_shot" },
    ]);
  } finally {
    store.close();
  }
});

Deno.test("examples/extractive_qa: SQuAD token F1 and exact match against nested accepted answers", async () => {
  const { rows, store } = await runExample("extractive_qa");
  try {
    // Normalised (lowercase, no punctuation or articles) prediction vs best reference:
    // s1 "atlantic ocean" = "atlantic ocean" → F1 1, EM 1;
    // s2 "it was 1911" vs "1911" → P 1/3, R 1 → F1 1/2;
    // s3 "to protect chinese states" vs "chinese states" → P 2/4, R 1 → F1 2/3
    //    (vs "chinese states from northern invaders": P 2/4, R 2/5 → 4/9, lower);
    // s4 "energy" vs "chemical energy" → P 1, R 1/2 → F1 2/3.
    const base = { model: "mock-reader", slice: "squad_style", prompt_variant: "read_then_answer" };
    assert.deepEqual(
      rows,
      round([
        row({ ...base, score: "span", metric: "normalized_exact_match", mean: 1 / 4, count: 4 }),
        row({
          ...base,
          score: "span",
          metric: "token_f1",
          mean: (1 + 1 / 2 + 2 / 3 + 2 / 3) / 4,
          count: 4,
        }),
      ]),
    );
    const best = await store.sql(
      `select details->>'reference' as reference from scores s join trials t using (trial)
       where t.item_id = 's3' and s.metric = 'token_f1'`,
    );
    assert.deepEqual(best, [{ reference: "Chinese states" }]);
  } finally {
    store.close();
  }
});

Deno.test("examples/custom_metric: a metric module referenced from TOML runs inside the worker pool", async () => {
  const { rows, store } = await runExample("custom_metric");
  try {
    // e1 mentions light, glucose (not chlorophyll) → 2/3; e2 vapour, condenses, droplets
    // (not clouds) → 3/4; e3 neither field nor poles → 0.
    assert.deepEqual(
      rows,
      round([row({
        model: "mock-explainer",
        slice: "explanations",
        prompt_variant: "explain",
        score: "coverage",
        metric: "keyword_coverage",
        mean: (2 / 3 + 3 / 4 + 0) / 3,
        count: 3,
      })]),
    );
    const threads = await store.sql(
      `select t.item_id, s.details->'main_thread' as main_thread,
              (s.details->>'thread_id')::integer > 0 as in_worker
       from scores s join trials t using (trial) order by t.item_id`,
    );
    assert.deepEqual(
      threads,
      ["e1", "e2", "e3"].map((item_id) => ({
        item_id,
        main_thread: "false",
        in_worker: true,
      })),
    );
    const started = await store.sql(
      `select executor from events where type = 'run.started'`,
    );
    assert.deepEqual(started, [{ executor: "pool" }]);
  } finally {
    store.close();
  }
});

Deno.test("examples/capitals: real countries-list data, every accepted spelling counts", async () => {
  // The data the hand computation rests on, straight from the package.
  const capitals = Object.fromEntries(
    ["FR", "JP", "CO", "BR", "PY", "AU", "CA", "ST"].map((code) => [
      code,
      countries[code as keyof typeof countries].capital,
    ]),
  );
  assert.deepEqual(capitals, {
    FR: "Paris",
    JP: "Tokyo",
    CO: "Bogotá",
    BR: "Brasília",
    PY: "Asunción",
    AU: "Canberra",
    CA: "Ottawa",
    ST: "São Tomé",
  });
  // The tourist: Paris ✓, tokyo ✓ (case), Bogota ✓ and Brasilia ✓ and Sao Tome ✓ (spelled
  // without diacritics, an accepted answer), Asunción ✓, Sydney ✗, Toronto ✗ → 6/8.
  const touristRight = new Set(["FR", "JP", "CO", "BR", "PY", "ST"]);
  const { rows, store } = await runExample("capitals");
  try {
    const world = await store.sql(
      `select item_id, item->>'continent' as continent from trials
       where slice_id = 'world' and model_id = 'mock-atlas' order by item_id`,
    );
    const picked = world.map((r) => String(r.item_id));
    // Stratified: each continent's share of 24 is its size × 24 / total, rounded down or up.
    const sizes = new Map<string, number>();
    for (const country of Object.values(countries)) {
      if (country.capital === "") continue;
      const name = continents[country.continent];
      sizes.set(name, (sizes.get(name) ?? 0) + 1);
    }
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    for (const [continent, size] of sizes) {
      const share = world.filter((r) => r.continent === continent).length;
      const exact = (size * 24) / total;
      assert.ok(share === Math.floor(exact) || share === Math.ceil(exact), continent);
    }
    assert.equal(picked.length, 24);
    const touristWorld = picked.filter((id) => touristRight.has(id)).length / 24;
    const score = { score: "correct", metric: "normalized_exact_match" };
    const worldScore = { score: "accuracy", metric: "normalized_exact_match" };
    assert.deepEqual(
      rows,
      round([
        row({
          model: "mock-atlas",
          slice: "spotlight",
          prompt_variant: "ask",
          ...score,
          mean: 1,
          count: 8,
        }),
        row({
          model: "mock-atlas",
          slice: "world",
          prompt_variant: "ask",
          ...worldScore,
          mean: 1,
          count: 24,
        }),
        row({
          model: "mock-tourist",
          slice: "spotlight",
          prompt_variant: "ask",
          ...score,
          mean: 6 / 8,
          count: 8,
        }),
        row({
          model: "mock-tourist",
          slice: "world",
          prompt_variant: "ask",
          ...worldScore,
          mean: touristWorld,
          count: 24,
        }),
      ]),
    );
  } finally {
    store.close();
  }
});

Deno.test("examples/code: model-written Python and TypeScript run in the sandbox, pass@1 and pass@5 of 5 samples", async () => {
  const { rows, store } = await runExample("code");
  try {
    // Samples cycle through each problem's scripted answers (R right, W wrong, S syntax error,
    // P prose, E import of a missing package, L endless, N no TypeScript block, X exits,
    // F reads a file). c = samples of 5 passing every test:
    // python: fizzbuzz [R] 5, is_palindrome [R,R,W] 4, word_count [R,S,P,W] 2, flatten [W,W] 0,
    //         roman [R,E,W] 2, primes [R,W,R,L] 3 → Σc = 16;
    // typescript: sum_evens [R] 5, reverse_words [R,W] 3, chunk [W,L,W,S] 0,
    //         camel_case [R,W,N] 2, gcd [R,F] 3, balanced [R,W,X] 2 → Σc = 15.
    // pass@1 = mean of c/5; pass@5 = share of problems with c ≥ 1 (5 of 6 in each slice).
    const base = { model: "mock-coder", prompt_variant: "one_block", metric: "code_tests" };
    assert.deepEqual(
      rows,
      round([
        row({ ...base, slice: "python", score: "pass_at_1", mean: 16 / 30, count: 6 }),
        row({ ...base, slice: "python", score: "pass_at_5", mean: 5 / 6, count: 6 }),
        row({ ...base, slice: "typescript", score: "pass_at_1", mean: 15 / 30, count: 6 }),
        row({ ...base, slice: "typescript", score: "pass_at_5", mean: 5 / 6, count: 6 }),
      ]),
    );
    const kinds = await store.sql(
      `select t.item_id as item,
              list(coalesce(s.details->>'failure_kind', 'passed') order by c.sample) as kinds
       from scores s join trials t using (trial) join candidates c using (cand)
       where s.score_name = 'pass_at_1' group by all order by item`,
    );
    const pass = "passed";
    assert.deepEqual(
      kinds.map((r) => ({ item: r.item, kinds: [...(r.kinds as string[])] })),
      [
        ["py_fizzbuzz", [pass, pass, pass, pass, pass]],
        ["py_flatten", [
          "tests_failed",
          "tests_failed",
          "tests_failed",
          "tests_failed",
          "tests_failed",
        ]],
        ["py_is_palindrome", [pass, pass, "tests_failed", pass, pass]],
        ["py_primes", [pass, "tests_failed", pass, "timeout", pass]],
        ["py_roman", [pass, "runtime_error", "tests_failed", pass, "runtime_error"]],
        ["py_word_count", [pass, "syntax", "syntax", "tests_failed", pass]],
        ["ts_balanced", [pass, "tests_failed", "exit", pass, "tests_failed"]],
        ["ts_camel_case", [pass, "tests_failed", "no_code", pass, "tests_failed"]],
        ["ts_chunk", ["tests_failed", "memory", "tests_failed", "syntax", "tests_failed"]],
        ["ts_gcd", [pass, "permission", pass, "permission", pass]],
        ["ts_reverse_words", [pass, "tests_failed", pass, "tests_failed", pass]],
        ["ts_sum_evens", [pass, pass, pass, pass, pass]],
      ].map(([item, kinds]) => ({ item, kinds })),
    );
  } finally {
    store.close();
  }
});
