/**
 * Slices from data (`slice_by`): one slice per value with the value as a dimension and a filter,
 * the same trials as the hand-written slices, the same groups from inline items, JSONL, CSV,
 * Parquet and dataset providers, and errors that say what to change.
 */
import assert from "node:assert/strict";
import { Database } from "../src/analytics/duckdb.ts";
import { createRegistry } from "../src/plugins/registry.ts";
import { loadDatasetGroups } from "../src/plugins/datasets/load_dataset.ts";
import {
  type BenchmarkSpecInput,
  type DatasetSpec,
  type JsonObject,
  Orchestrator,
  Store,
} from "../mod.ts";
import { runCli, tempProject } from "./support/cli.ts";

const ROWS: JsonObject[] = Array.from({ length: 12 }, (_, i) => ({
  id: `q${i}`,
  q: `${i} + ${i}`,
  answer: `${2 * i}`,
  subject: ["biology", "college law", "algebra"][i % 3],
  level: String(1 + (i % 2)),
}));

function benchmark(slice: Record<string, unknown>, extra: Partial<BenchmarkSpecInput> = {}) {
  return {
    benchmark_id: "by",
    models: [{ model_id: "m", provider: "mock", extras: { mode: "reference" } }],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.q}" }] }],
    slices: [{
      slice_id: "mmlu",
      dataset: { kind: "inline", items: ROWS },
      parses: [{ name: "num", extractors: [{ id: "last_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
      ...slice,
    }],
    ...extra,
  } as BenchmarkSpecInput;
}

async function open() {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-sliceby-" }));
  const orchestrator = Orchestrator.fromProjectSpec({
    project_name: "by",
    executor: { kind: "inline" },
  }, { store });
  return { store, orchestrator };
}

Deno.test("slice_by makes one slice per value, with the value as a dimension and its filter", async () => {
  const { store, orchestrator } = await open();
  try {
    const manifest = await orchestrator.plan(benchmark({ slice_by: "subject" }), {
      persist: false,
    });
    assert.deepEqual(
      manifest.experiment.tasks.map((t) => [t.task_id, t.dimensions, t.dataset_query]),
      [
        ["mmlu.algebra", { subject: "algebra" }, {
          kind: "filter",
          where: { subject: "algebra" },
        }],
        ["mmlu.biology", { subject: "biology" }, {
          kind: "filter",
          where: { subject: "biology" },
        }],
        ["mmlu.college_law", { subject: "college law" }, {
          kind: "filter",
          where: { subject: "college law" },
        }],
      ],
    );
    assert.deepEqual(
      Object.entries(manifest.datasets).map(([slice, d]) => [slice, d.items]),
      [["mmlu.algebra", 4], ["mmlu.biology", 4], ["mmlu.college_law", 4]],
    );
    assert.equal(manifest.counts.trials, 12);
  } finally {
    store.close();
  }
});

Deno.test("slice_by gives the trials of the hand-written slices: running both reuses everything", async () => {
  const { store, orchestrator } = await open();
  try {
    const generated = await orchestrator.run(benchmark({ slice_by: "subject" }));
    assert.equal(generated.summary?.generated, 12);
    const byHand = benchmark({});
    byHand.slices = [["algebra", "algebra"], ["biology", "biology"], [
      "college law",
      "college_law",
    ]].map(([value, id]) => ({
      ...byHand.slices[0],
      slice_id: `mmlu.${id}`,
      dimensions: { subject: value },
      dataset_query: { kind: "filter", where: { subject: value } },
    }));
    const again = await orchestrator.run(byHand);
    assert.equal(again.summary?.generated, 0);
    assert.equal(again.summary?.reused, 12);
    const rows = await again.aggregate({ groupBy: ["subject"] });
    assert.deepEqual(rows.map((r) => [r.subject, r.n_trials]), [
      ["algebra", 4],
      ["biology", 4],
      ["college law", 4],
    ]);
    // The same spec plans the same run: a resume re-expands to the same slices.
    const replanned = await orchestrator.plan(benchmark({ slice_by: "subject" }));
    assert.equal(replanned.run_id, generated.runId);
  } finally {
    store.close();
  }
});

Deno.test("slice_by over several fields; subset picks within each slice", async () => {
  const { store, orchestrator } = await open();
  try {
    const manifest = await orchestrator.plan(
      benchmark({
        slice_by: ["subject", "level"],
        dataset_query: { kind: "subset", count: 1, seed: 3, where: { level: "1" } },
        dimensions: { suite: "mmlu" },
      }),
      { persist: false },
    );
    assert.deepEqual(manifest.experiment.tasks.map((t) => [t.task_id, t.dimensions]), [
      ["mmlu.algebra.1", { suite: "mmlu", subject: "algebra", level: "1" }],
      ["mmlu.biology.1", { suite: "mmlu", subject: "biology", level: "1" }],
      ["mmlu.college_law.1", { suite: "mmlu", subject: "college law", level: "1" }],
    ]);
    assert.deepEqual(manifest.experiment.tasks[0].dataset_query, {
      kind: "subset",
      count: 1,
      seed: 3,
      where: { level: "1", subject: "algebra", ...{} },
    });
    assert.deepEqual(Object.values(manifest.datasets).map((d) => d.items), [1, 1, 1]);
  } finally {
    store.close();
  }
});

function toCsv(rows: JsonObject[]): string {
  const columns = Object.keys(rows[0]);
  return [columns.join(","), ...rows.map((r) => columns.map((c) => `"${r[c]}"`).join(","))]
    .join("\n") + "\n";
}

Deno.test("inline items, JSONL, CSV, Parquet and a dataset provider give the same groups", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-sliceby-files-" });
  await Deno.writeTextFile(`${dir}/d.jsonl`, ROWS.map((r) => JSON.stringify(r)).join("\n"));
  await Deno.writeTextFile(`${dir}/d.csv`, toCsv(ROWS));
  const db = await Database.open(":memory:");
  const registry = createRegistry().registerDatasetProvider({ id: "rows", load: () => ROWS });
  try {
    await db.run(
      `copy (select * from read_json('${dir}/d.jsonl', format = 'newline_delimited')) ` +
        `to '${dir}/d.parquet' (format parquet)`,
    );
    const specs: DatasetSpec[] = [
      { kind: "inline", items: ROWS },
      { kind: "jsonl", path: "d.jsonl" },
      { kind: "csv", path: "d.csv" },
      { kind: "parquet", path: "d.parquet" },
      { kind: "provider", provider: "rows" },
    ];
    const query = { kind: "stratified" as const, count: 2, field: "level", seed: 1 };
    const seen: Array<Array<{ values: unknown[]; items: Array<{ id: string }> }>> = [];
    for (const spec of specs) {
      const { groups, total } = await loadDatasetGroups(spec, {
        baseDir: dir,
        query,
        sql: () => Promise.resolve(db),
        provider: (id) => registry.datasetProvider(id),
        by: ["subject"],
        max: 10,
      });
      assert.equal(total, 12, spec.kind);
      seen.push(groups.map((g) => ({ values: g.values, items: g.items.toArray() })));
    }
    for (const other of seen.slice(1)) assert.deepEqual(other, seen[0]);
    // Stratified within each subject: one item of each level.
    assert.deepEqual(seen[0].map((g) => [g.values, g.items.map((i) => i.id)]), [
      [["algebra"], ["q2", "q5"]],
      [["biology"], ["q3", "q6"]],
      [["college law"], ["q1", "q4"]],
    ]);
  } finally {
    db.close();
  }
});

Deno.test("slice_by errors say what to change: a misspelt field, a row without a value, too many slices", async () => {
  const { store, orchestrator } = await open();
  try {
    const plan = (slice: Record<string, unknown>) =>
      orchestrator.plan(benchmark(slice), { persist: false });
    await assert.rejects(() => plan({ slice_by: "subjet" }), (e: Error & { code: string }) => {
      assert.equal(e.code, "DATASET_INVALID");
      assert.match(
        e.message,
        /no item has the slice_by field "subjet" \(did you mean "subject"\?\)/,
      );
      return true;
    });
    const holes = ROWS.map((r, i) => (i === 5 ? { ...r, subject: null } : r));
    await assert.rejects(
      () => plan({ slice_by: "subject", dataset: { kind: "inline", items: holes } }),
      /inline dataset: item "q5" has no value for "subject"/,
    );
    await assert.rejects(() => plan({ slice_by: "id", max_slices: 5 }), (
      e: Error & {
        code: string;
        details: { suggestion: string; path: string };
      },
    ) => {
      assert.match(e.message, /slice_by "id" makes more than 5 slices \(max_slices\)/);
      assert.match(e.details.suggestion, /raise max_slices above 5/);
      assert.equal(e.details.path, "slices[0].slice_by");
      return true;
    });
    await assert.rejects(
      () => plan({ slice_by: "subject", dataset_query: { kind: "item_ids", ids: ["q1"] } }),
      /slice_by cannot split a dataset_query of kind "item_ids"/,
    );
    await assert.rejects(
      () => plan({ slice_by: "subject", dimensions: { subject: "x" } }),
      /slice_by sets the dimension "subject" of each slice it makes/,
    );
  } finally {
    store.close();
  }
});

Deno.test("themis validate reports a slice_by field no row of a JSONL file has, with its line", async () => {
  const dir = await tempProject({
    "d.jsonl": ROWS.map((r) => JSON.stringify(r)).join("\n") + "\n",
    "b.toml": `benchmark_id = "b"
[[models]]
model_id = "m"
provider = "mock"
[[prompt_variants]]
id = "p"
messages = [{ role = "user", content = "{item.q}" }]
[[slices]]
slice_id = "s"
slice_by = "levle"
dataset = { kind = "jsonl", path = "d.jsonl" }
`,
  });
  const result = await runCli(["validate", "b.toml"], { cwd: dir });
  assert.equal(result.code, 3, result.stderr);
  assert.match(
    result.stderr,
    /b\.toml:10: slices\[0\]\.slice_by: d\.jsonl: no item has the slice_by field "levle" \(did you mean "level"\?\)/,
  );
  await Deno.writeTextFile(
    `${dir}/b.toml`,
    (await Deno.readTextFile(`${dir}/b.toml`)).replace("levle", "level"),
  );
  const ok = await runCli(["validate", "b.toml"], { cwd: dir });
  assert.equal(
    ok.stdout,
    "b.toml: valid benchmark — 12 trials, 12 candidates, 0 parse and 0 score work items\n",
  );
});

Deno.test("a file row without a slice_by value is named by its row number", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-sliceby-hole-" });
  await Deno.writeTextFile(`${dir}/d.csv`, `id,subject\na,bio\nb,\nc,law\n`);
  const db = await Database.open(":memory:");
  try {
    await assert.rejects(
      () =>
        loadDatasetGroups({ kind: "csv", path: "d.csv" }, {
          baseDir: dir,
          sql: () => Promise.resolve(db),
          by: ["subject"],
          max: 10,
        }),
      /d\.csv: row 2 has no value for "subject"; slice_by needs text, a number or true\/false/,
    );
  } finally {
    db.close();
  }
});
