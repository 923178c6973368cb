/**
 * JSONL, CSV and Parquet datasets read through a real DuckDB: the same picks as inline items
 * (golden ids), queries pushed down to SQL, nested Hugging Face style exports, stable ids.
 */
import { withoutStats } from "./support/rows.ts";
import assert from "node:assert/strict";
import { Database } from "../src/analytics/duckdb.ts";
import type { DatasetSql } from "../src/plugins/datasets/dataset_provider.ts";
import { loadDataset } from "../src/plugins/datasets/load_dataset.ts";
import { readFileDataset } from "../src/plugins/datasets/read_file_dataset.ts";
import { itemHash } from "../src/plugins/datasets/select_items.ts";
import {
  type DatasetQuery,
  type DatasetSpec,
  type JsonObject,
  Orchestrator,
  Store,
} from "../mod.ts";

/** Twenty rows, the same as the golden rows of select_items_test.ts, as text for CSV. */
const ROWS: JsonObject[] = Array.from({ length: 20 }, (_, i) => ({
  id: `item-${i}`,
  n: String(i),
  level: ["easy", "medium", "hard"][i % 3],
}));

const toJsonl = (rows: JsonObject[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";

function toCsv(rows: JsonObject[]): string {
  const columns = Object.keys(rows[0]);
  const cell = (v: unknown) => `"${String(v).replaceAll('"', '""')}"`;
  return [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))]
    .join("\n") + "\n";
}

/** A temp folder with the rows as data.jsonl, data.csv and data.parquet (written by DuckDB). */
async function writeFormats(db: Database, rows: JsonObject[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "themis-datasets-" });
  await Deno.writeTextFile(`${dir}/data.jsonl`, toJsonl(rows));
  await Deno.writeTextFile(`${dir}/data.csv`, toCsv(rows));
  await db.run(
    `copy (select * from read_json('${dir}/data.jsonl', format = 'newline_delimited', ` +
      `columns = {id: 'VARCHAR', n: 'VARCHAR', level: 'VARCHAR'})) to '${dir}/data.parquet' ` +
      `(format parquet)`,
  );
  return dir;
}

async function withDb<T>(fn: (db: Database, sql: () => Promise<DatasetSql>) => Promise<T>) {
  const db = await Database.open(":memory:");
  try {
    return await fn(db, () => Promise.resolve(db));
  } finally {
    db.close();
  }
}

const FILE_KINDS = ["jsonl", "csv", "parquet"] as const;

async function idsOf(
  spec: DatasetSpec,
  query: DatasetQuery,
  options: { baseDir: string; sql: () => Promise<DatasetSql> },
): Promise<string[]> {
  return (await loadDataset(spec, { ...options, query })).items.toArray().map((i) => i.id);
}

Deno.test("subset with the same seed picks the same golden ids from inline, JSONL, CSV and Parquet", async () => {
  await withDb(async (db, sql) => {
    const dir = await writeFormats(db, ROWS);
    const golden: Array<[DatasetQuery, string[]]> = [
      [{ kind: "subset", count: 5, seed: 0 }, ["item-1", "item-4", "item-8", "item-9", "item-17"]],
      [{ kind: "subset", count: 5, seed: 1 }, [
        "item-2",
        "item-6",
        "item-7",
        "item-13",
        "item-18",
      ]],
    ];
    for (const [query, ids] of golden) {
      assert.deepEqual(
        await idsOf({ kind: "inline", items: ROWS }, query, { baseDir: dir, sql }),
        ids,
      );
      for (const kind of FILE_KINDS) {
        const spec = { kind, path: `data.${kind}` } as DatasetSpec;
        assert.deepEqual(await idsOf(spec, query, { baseDir: dir, sql }), ids, kind);
      }
    }
  });
});

Deno.test("stratified picks a proportional, seeded share of every stratum, the same from every source", async () => {
  await withDb(async (db, sql) => {
    const dir = await writeFormats(db, ROWS);
    const query: DatasetQuery = { kind: "stratified", count: 6, field: "level", seed: 3 };
    const expected = await idsOf({ kind: "inline", items: ROWS }, query, { baseDir: dir, sql });
    // 7 easy, 7 medium, 6 hard rows: 6 × 7/20 = 2.1, 2.1, 1.8 → 2, 2, 1 and the largest
    // remainder (hard, 0.8) takes the sixth place.
    const byLevel = (ids: string[]) =>
      Object.groupBy(ids, (id) => ROWS.find((r) => r.id === id)!.level as string);
    const groups = byLevel(expected);
    assert.deepEqual(
      { easy: groups.easy?.length, medium: groups.medium?.length, hard: groups.hard?.length },
      { easy: 2, medium: 2, hard: 2 },
    );
    assert.deepEqual(expected, ["item-0", "item-4", "item-5", "item-10", "item-11", "item-12"]);
    for (const kind of FILE_KINDS) {
      const spec = { kind, path: `data.${kind}` } as DatasetSpec;
      assert.deepEqual(await idsOf(spec, query, { baseDir: dir, sql }), expected, kind);
    }
  });
});

Deno.test("filters compare with strict equality and run before subset, in SQL as in memory", async () => {
  await withDb(async (_db, sql) => {
    const rows: JsonObject[] = [
      { id: "a", level: 1, tag: "x", ok: true },
      { id: "b", level: "1", tag: "x", ok: true },
      { id: "c", level: 1, tag: "y", ok: false },
      { id: "d", level: 1.0, tag: "x", ok: true },
      { id: "e", tag: "x" },
    ];
    const dir = await Deno.makeTempDir({ prefix: "themis-datasets-" });
    await Deno.writeTextFile(`${dir}/data.jsonl`, toJsonl(rows));
    const cases: Array<[DatasetQuery, string[]]> = [
      [{ kind: "filter", where: { level: 1 } }, ["a", "c", "d"]],
      [{ kind: "filter", where: { level: "1" } }, ["b"]],
      [{ kind: "filter", where: { level: 1, tag: "x", ok: true } }, ["a", "d"]],
      [{ kind: "filter", where: { ok: false } }, ["c"]],
      [{ kind: "subset", count: 10, seed: 0, where: { tag: "x" } }, ["a", "b", "d", "e"]],
      [{ kind: "item_ids", ids: ["e", "a"] }, ["e", "a"]],
    ];
    for (const [query, ids] of cases) {
      const inline = await idsOf({ kind: "inline", items: rows }, query, { baseDir: dir, sql });
      const jsonl = await idsOf({ kind: "jsonl", path: "data.jsonl" }, query, {
        baseDir: dir,
        sql,
      });
      assert.deepEqual({ inline, jsonl }, { inline: ids, jsonl: ids }, JSON.stringify(query));
    }
  });
});

Deno.test("the query is pushed down: only the picked rows' payloads are read back", async () => {
  await withDb(async (db) => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      id: `r${i}`,
      text: "x".repeat(200),
      level: i % 4,
    }));
    const dir = await Deno.makeTempDir({ prefix: "themis-datasets-" });
    await Deno.writeTextFile(`${dir}/big.jsonl`, toJsonl(rows));
    await db.run(
      `copy (select * from read_json('${dir}/big.jsonl')) to '${dir}/big.parquet' (format parquet)`,
    );
    for (const path of ["big.jsonl", "big.parquet"]) {
      const asked: Array<{ sql: string; rows: number }> = [];
      const spy: DatasetSql = {
        all: async (sql, params) => {
          const out = await db.all(sql, params ?? {});
          asked.push({ sql, rows: out.length });
          return out;
        },
        stream: async function* (sql, params) {
          let rows = 0;
          for await (const chunk of db.stream(sql, params ?? {})) {
            rows += chunk.length;
            yield chunk;
          }
          asked.push({ sql, rows });
        },
      };
      const kind = path.endsWith(".jsonl") ? "jsonl" : "parquet";
      const read = await readFileDataset({ kind, path }, {
        baseDir: dir,
        query: { kind: "subset", count: 7, seed: 2, where: { level: 3 } },
        sql: spy,
      });
      assert.equal(read.items.length, 7);
      assert.ok(read.items.toArray().every((i) => i.payload.level === 3));
      const payloadReads = asked.filter((a) => a.sql.includes(" as doc "));
      assert.deepEqual(payloadReads.map((a) => a.rows), [7], path);
    }
  });
});

Deno.test("rows without an id get the hash of their content, the same from a file as inline", async () => {
  await withDb(async (_db, sql) => {
    const rows: JsonObject[] = [{ q: "2+2", answer: 4 }, { q: "héllo ✓", answer: [1, { b: 2 }] }];
    const dir = await Deno.makeTempDir({ prefix: "themis-datasets-" });
    await Deno.writeTextFile(`${dir}/data.jsonl`, toJsonl(rows));
    const expected = rows.map((payload) => ({ id: itemHash(payload), payload }));
    const fromFile = await loadDataset({ kind: "jsonl", path: "data.jsonl" }, {
      baseDir: dir,
      sql,
    });
    const inline = await loadDataset({ kind: "inline", items: rows }, { baseDir: dir });
    assert.deepEqual({ ...fromFile, items: fromFile.items.toArray() }, {
      items: expected,
      total: 2,
    });
    assert.deepEqual({ ...inline, items: inline.items.toArray() }, { items: expected, total: 2 });
  });
});

Deno.test("CSV values are read as text, empty cells as null, with quotes, commas, a BOM and another delimiter", async () => {
  await withDb(async (_db, sql) => {
    const dir = await Deno.makeTempDir({ prefix: "themis-datasets-" });
    await Deno.writeTextFile(
      `${dir}/data.csv`,
      '\uFEFFid,question,answer\n007,"Say ""hi"", then\nwave",42\n8,,\n',
    );
    await Deno.writeTextFile(`${dir}/data.tsv`, "id\tq\n1\ta,b\n");
    const csv = await loadDataset({ kind: "csv", path: "data.csv" }, { baseDir: dir, sql });
    assert.deepEqual({ ...csv, items: csv.items.toArray() }, {
      items: [
        { id: "007", payload: { id: "007", question: 'Say "hi", then\nwave', answer: "42" } },
        { id: "8", payload: { id: "8", question: null, answer: null } },
      ],
      total: 2,
    });
    const tsv = await loadDataset({ kind: "csv", path: "data.tsv", delimiter: "\t" }, {
      baseDir: dir,
      sql,
    });
    assert.deepEqual(tsv.items.toArray(), [{ id: "1", payload: { id: "1", q: "a,b" } }]);
  });
});

Deno.test("a Hugging Face style Parquet export with nested fields loads, aliases nested answers and reads shards by glob", async () => {
  await withDb(async (db, sql) => {
    const dir = await Deno.makeTempDir({ prefix: "themis-datasets-" });
    await Deno.mkdir(`${dir}/squad`);
    for (const shard of [0, 1]) {
      await db.run(
        `copy (select 'q' || (i + ${shard * 3}) as id, 'Where is ' || i || '?' as question,
           {'text': ['place ' || i, 'the place ' || i], 'answer_start': [i, i + 4]} as answers,
           {'source': 'wiki', 'level': i % 2} as meta, [i, i * 2] as counts
         from range(3) t(i)) to '${dir}/squad/train-0000${shard}-of-00002.parquet' (format parquet)`,
      );
    }
    const spec: DatasetSpec = {
      kind: "parquet",
      path: "squad/train-*.parquet",
      fields: { answer: "answers.text", level: "meta.level" },
    };
    const read = await loadDataset(spec, {
      baseDir: dir,
      sql,
      query: { kind: "filter", where: { level: 1 } },
    });
    assert.deepEqual({ ...read, items: read.items.toArray() }, {
      items: [1, 4].map((n) => {
        const i = n % 3;
        return {
          id: `q${n}`,
          payload: {
            id: `q${n}`,
            question: `Where is ${i}?`,
            answers: { text: [`place ${i}`, `the place ${i}`], answer_start: [i, i + 4] },
            meta: { source: "wiki", level: 1 },
            counts: [i, i * 2],
            answer: [`place ${i}`, `the place ${i}`],
            level: 1,
          },
        };
      }),
      total: 6,
    });
    const byNested = await idsOf(spec, { kind: "filter", where: { "meta.source": "wiki" } }, {
      baseDir: dir,
      sql,
    });
    assert.equal(byNested.length, 6);
  });
});

Deno.test("sharded CSV files read by a glob are one table, in file name order", async () => {
  await withDb(async (_db, sql) => {
    const dir = await Deno.makeTempDir({ prefix: "themis-datasets-" });
    await Deno.mkdir(`${dir}/shards`);
    await Deno.writeTextFile(`${dir}/shards/part-1.csv`, "id,q\nc,3\n");
    await Deno.writeTextFile(`${dir}/shards/part-0.csv`, "id,q\na,1\nb,2\n");
    const read = await loadDataset({ kind: "csv", path: "shards/part-*.csv" }, {
      baseDir: dir,
      sql,
    });
    assert.deepEqual({ ...read, items: read.items.toArray() }, {
      items: ["a", "b", "c"].map((id, i) => ({ id, payload: { id, q: String(i + 1) } })),
      total: 3,
    });
    await assert.rejects(
      () => loadDataset({ kind: "csv", path: "shards/none-*.csv" }, { baseDir: dir, sql }),
      {
        code: "DATASET_INVALID",
        message: `Cannot read dataset "${dir}/shards/none-*.csv": no file matches`,
      },
    );
  });
});

Deno.test("a Parquet export with nested fields runs end to end: nested prompt fields, aliased references", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-datasets-" });
  await withDb(async (db) => {
    await db.run(
      `copy (select * from (values
         ('q1', 'Who wrote Hamlet?', {'text': ['William Shakespeare', 'Shakespeare'], 'answer_start': [0, 8]}),
         ('q2', 'What is H2O?', {'text': ['water'], 'answer_start': [3]})
       ) t(id, question, answers)) to '${dir}/validation.parquet' (format parquet)`,
    );
  });
  const store = Store.open(`${dir}/store`);
  try {
    const orchestrator = Orchestrator.fromProjectSpec({ project_name: "hf" }, { store });
    const result = await orchestrator.run({
      benchmark_id: "hf",
      models: [{
        model_id: "reader",
        provider: "mock",
        extras: { answers: { q1: "Shakespeare", q2: "salt water" } },
      }],
      prompt_variants: [{
        id: "p",
        messages: [{
          role: "user",
          content: "{item.question} (starts at {item.answers.answer_start.0})",
        }],
      }],
      slices: [{
        slice_id: "squad",
        dataset: {
          kind: "parquet",
          path: "validation.parquet",
          fields: { answer: "answers.text" },
        },
        scores: [{ name: "f1", metrics: [{ id: "token_f1" }] }],
      }],
    }, { specDir: dir });
    // q1 "shakespeare" matches the second accepted answer → 1; q2 "salt water" vs "water" →
    // precision 1/2, recall 1 → F1 2/3.
    assert.deepEqual(withoutStats(await result.aggregate()), [{
      model: "reader",
      slice: "squad",
      prompt_variant: "p",
      score: "f1",
      metric: "token_f1",
      mean: (1 + 2 / 3) / 2,
      count: 2,
      n_trials: 2,
      n_scored: 2,
      n_invalid: 0,
      n_failed: 0,
    }]);
    const prompts = await store.sql(
      `select item_id, messages->0->>'content' as prompt from trials order by item_id`,
    );
    assert.deepEqual(prompts, [
      { item_id: "q1", prompt: "Who wrote Hamlet? (starts at 0)" },
      { item_id: "q2", prompt: "What is H2O? (starts at 3)" },
    ]);
  } finally {
    store.close();
  }
});

Deno.test("the manifest keeps the picked items' content hash: an unpicked row does not move it, a picked one does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-datasets-" });
  const store = Store.open(`${dir}/store`);
  try {
    const orchestrator = Orchestrator.fromProjectSpec({ project_name: "h" }, { store });
    const spec = {
      benchmark_id: "h",
      models: [{ model_id: "m", provider: "mock" }],
      prompt_variants: [{ id: "p", messages: [{ role: "user" as const, content: "{item.n}" }] }],
      slices: [{
        slice_id: "s",
        dataset: { kind: "jsonl" as const, path: "data.jsonl" },
        dataset_query: { kind: "item_ids" as const, ids: ["item-1", "item-2"] },
      }],
    };
    const hashWith = async (rows: JsonObject[]) => {
      await Deno.writeTextFile(`${dir}/data.jsonl`, toJsonl(rows));
      const manifest = await orchestrator.plan(spec, { specDir: dir, persist: false });
      return manifest.datasets.s;
    };
    const base = await hashWith(ROWS);
    assert.equal(base.items, 2);
    assert.match(base.content_hash, /^[0-9a-f]{12}$/);
    const unpicked = ROWS.map((r) => (r.id === "item-7" ? { ...r, n: "changed" } : r));
    assert.deepEqual(await hashWith(unpicked), base);
    const picked = ROWS.map((r) => (r.id === "item-2" ? { ...r, n: "changed" } : r));
    assert.notEqual((await hashWith(picked)).content_hash, base.content_hash);
  } finally {
    store.close();
  }
});

Deno.test("an empty CSV cell is a null value of its column, the same as inline: its own stratum, never a filter match", async () => {
  await withDb(async (_db, sql) => {
    const dir = await Deno.makeTempDir({ prefix: "themis-datasets-" });
    await Deno.writeTextFile(`${dir}/data.csv`, "id,level\na,1\nb,\nc,2\nd,\n");
    const rows: JsonObject[] = [
      { id: "a", level: "1" },
      { id: "b", level: null },
      { id: "c", level: "2" },
      { id: "d", level: null },
    ];
    const query: DatasetQuery = { kind: "stratified", count: 2, field: "level", seed: 0 };
    const csv = await idsOf({ kind: "csv", path: "data.csv" }, query, { baseDir: dir, sql });
    const inline = await idsOf({ kind: "inline", items: rows }, query, { baseDir: dir, sql });
    assert.deepEqual(csv, inline);
    assert.equal(csv.filter((id) => id === "b" || id === "d").length, 1);
    const filtered = await idsOf({ kind: "csv", path: "data.csv" }, {
      kind: "filter",
      where: { level: "1" },
    }, { baseDir: dir, sql });
    assert.deepEqual(filtered, ["a"]);
  });
});
