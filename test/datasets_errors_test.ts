/**
 * Bad data gets a clear error naming the file and the row or line, before any model call:
 * through the public API (`plan`) and through `themis validate`.
 */
import assert from "node:assert/strict";
import {
  type BenchmarkSpecInput,
  type DatasetQuery,
  type DatasetSpec,
  Orchestrator,
  Store,
} from "../mod.ts";
import { Database } from "../src/analytics/duckdb.ts";
import { runCli, tempProject } from "./support/cli.ts";

function benchmark(
  dataset: DatasetSpec,
  query: DatasetQuery = { kind: "all" },
): BenchmarkSpecInput {
  return {
    benchmark_id: "bad-data",
    models: [{ model_id: "m", provider: "mock" }],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.question}" }] }],
    slices: [{
      slice_id: "s",
      dataset,
      dataset_query: query,
    }],
  };
}

/** Plan a benchmark over files in a fresh folder and return the error it raises. */
async function planError(
  files: Record<string, string>,
  spec: BenchmarkSpecInput,
  prepare?: (dir: string) => Promise<void>,
): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  const dir = await tempProject(files);
  await prepare?.(dir);
  const store = Store.open(`${dir}/store`);
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "bad" }, { store });
  try {
    await orchestrator.plan(spec, { specDir: dir, persist: false });
  } catch (error) {
    const e = error as { code: string; message: string; details: Record<string, unknown> };
    return { code: e.code, message: e.message.replaceAll(dir, "<dir>"), details: e.details };
  } finally {
    store.close();
  }
  throw new Error("planning should have failed");
}

const GOOD = '{"id":"a","question":"q"}';

Deno.test("a JSONL row that is not valid JSON is named by its line", async () => {
  const error = await planError(
    { "data.jsonl": `${GOOD}\n\n{"id":"b","question":"q"}\n{"id": oops}\n` },
    benchmark({ kind: "jsonl", path: "data.jsonl" }),
  );
  assert.equal(error.code, "DATASET_INVALID");
  assert.match(error.message, /^data\.jsonl:4: row is not valid JSON \(.+\)$/);
  assert.equal(error.details.line, 4);
});

Deno.test("a JSONL row that is not an object is named by its line", async () => {
  const error = await planError(
    { "data.jsonl": `${GOOD}\n\n[1, 2]\n` },
    benchmark({ kind: "jsonl", path: "data.jsonl" }),
  );
  assert.deepEqual(
    { code: error.code, message: error.message },
    { code: "DATASET_INVALID", message: "data.jsonl:3: row is not a JSON object" },
  );
});

Deno.test("a CSV row with too many fields or an open quote is named by its line", async () => {
  const extra = await planError(
    { "data.csv": "id,question\na,q\nb,q,extra\n" },
    benchmark({ kind: "csv", path: "data.csv" }),
  );
  assert.deepEqual(
    { code: extra.code, message: extra.message },
    {
      code: "DATASET_INVALID",
      message: "data.csv:3: row cannot be read as CSV (Expected Number of Columns: 2 Found: 3)",
    },
  );
  const quote = await planError(
    { "data.csv": 'id,question\na,q\nb,"never closed\n' },
    benchmark({ kind: "csv", path: "data.csv" }),
  );
  assert.equal(quote.code, "DATASET_INVALID");
  assert.match(quote.message, /^data\.csv:3: row cannot be read as CSV/);
});

Deno.test("a CSV without a header, or with a repeated column, is refused", async () => {
  const empty = await planError({ "data.csv": "" }, benchmark({ kind: "csv", path: "data.csv" }));
  assert.equal(empty.message, "data.csv:1: a CSV dataset needs a header row naming its columns");
  const repeated = await planError(
    { "data.csv": "id,question,id\n1,q,2\n" },
    benchmark({ kind: "csv", path: "data.csv" }),
  );
  assert.equal(
    repeated.message,
    'data.csv:1: column 3 of the header repeats "id"; every column needs a unique name',
  );
});

Deno.test("a missing file, an empty glob and a file that is not Parquet are named", async () => {
  const missing = await planError({}, benchmark({ kind: "parquet", path: "nope.parquet" }));
  assert.deepEqual(
    { code: missing.code, message: missing.message },
    { code: "DATASET_INVALID", message: 'Cannot read dataset "<dir>/nope.parquet": no such file' },
  );
  const glob = await planError({}, benchmark({ kind: "parquet", path: "shards/*.parquet" }));
  assert.equal(glob.message, 'Cannot read dataset "<dir>/shards/*.parquet": no file matches');
  const notParquet = await planError(
    { "data.parquet": "id,question\n" },
    benchmark({ kind: "parquet", path: "data.parquet" }),
  );
  assert.equal(notParquet.code, "DATASET_INVALID");
  assert.match(notParquet.message, /^data\.parquet is not a readable Parquet file \(.+\)$/);
});

Deno.test("an explicit id_field must be on every row; an unset one falls back to a hash", async () => {
  const files = { "data.jsonl": `{"qid":"a","question":"q"}\n{"question":"r"}\n` };
  const error = await planError(
    files,
    benchmark({ kind: "jsonl", path: "data.jsonl", id_field: "qid" }),
  );
  assert.deepEqual(
    { code: error.code, message: error.message, row: error.details.row },
    {
      code: "DATASET_INVALID",
      message: 'data.jsonl: row 2 has no "qid" (the dataset\'s id_field)',
      row: 2,
    },
  );
  const inline = await planError(
    {},
    benchmark({
      kind: "inline",
      id_field: "qid",
      items: [{ qid: "a", question: "q" }, { question: "r" }],
    }),
  );
  assert.equal(inline.message, 'inline dataset: row 2 has no "qid" (the dataset\'s id_field)');
  assert.equal(inline.details.path, "slices[0].dataset.items[1]");
});

Deno.test("duplicate ids and ids that are not text or numbers name their rows", async () => {
  const duplicate = await planError(
    { "data.csv": "id,question\nx,q\ny,q\nx,r\n" },
    benchmark({ kind: "csv", path: "data.csv" }),
  );
  assert.equal(
    duplicate.message,
    'data.csv: rows 1 and 3 share the id "x"; item ids must be unique',
  );
  const nested = await planError(
    {},
    benchmark({ kind: "parquet", path: "data.parquet" }),
    async (dir) => {
      const db = await Database.open(":memory:");
      await db.run(
        `copy (select {'a': 1} as id, 'q' as question) to '${dir}/data.parquet' (format parquet)`,
      );
      db.close();
    },
  );
  assert.equal(nested.message, 'data.parquet: row 1 has an "id" that is not a string or number');
});

Deno.test("a query that names missing ids, a missing stratum field or matches nothing is refused", async () => {
  const files = { "data.jsonl": `${GOOD}\n{"id":"b","question":"q","level":1}\n` };
  const spec = (query: DatasetQuery) => benchmark({ kind: "jsonl", path: "data.jsonl" }, query);
  const ids = await planError(files, spec({ kind: "item_ids", ids: ["a", "zz"] }));
  assert.deepEqual(
    { message: ids.message, path: ids.details.path },
    {
      message: "dataset_query names item ids the dataset does not have: zz",
      path: "slices[0].dataset_query.ids",
    },
  );
  const stratum = await planError(
    files,
    spec({ kind: "stratified", count: 1, field: "level", seed: 0 }),
  );
  assert.equal(
    stratum.message,
    'dataset_query stratifies by "level", which item "a" does not have',
  );
  const none = await planError(files, spec({ kind: "filter", where: { level: 2 } }));
  assert.equal(
    none.message,
    'Slice "s" selects no items (dataset_query {"kind":"filter","where":{"level":2}} over 2 items)',
  );
});

Deno.test("a field a prompt needs that a file row lacks is named with the item and the variant", async () => {
  const error = await planError(
    { "data.jsonl": `${GOOD}\n{"id":"b","text":"no question here"}\n` },
    benchmark({ kind: "jsonl", path: "data.jsonl" }),
  );
  assert.deepEqual(
    { code: error.code, message: error.message, path: error.details.path },
    {
      code: "SPEC_INVALID",
      message: 'Prompt variant "p" uses {item.question}, which item "b" of slice "s" does not ' +
        "provide",
      path: "prompt_variants[0].messages[0].content",
    },
  );
});

Deno.test("themis validate points a data error at its file line, and an inline one at its TOML line", async () => {
  const toml = (dataset: string) =>
    `benchmark_id = "b"\n` +
    `[[models]]\nmodel_id = "m"\nprovider = "mock"\n` +
    `[[prompt_variants]]\nid = "p"\nmessages = [{ role = "user", content = "{item.q}" }]\n` +
    `[[slices]]\nslice_id = "s"\n${dataset}`;
  const dir = await tempProject({
    "file.toml": toml(`dataset = { kind = "jsonl", path = "data/qa.jsonl" }\n`),
    "data/qa.jsonl": '{"id":"a","q":"x"}\n{"id":"b","q":\n',
    "inline.toml": toml(
      `[slices.dataset]\nkind = "inline"\nitems = [\n  { id = "1", q = "a" },\n` +
        `  { id = "1", q = "b" },\n]\n`,
    ),
  });
  const file = await runCli(["validate", `${dir}/file.toml`], { cwd: dir });
  assert.equal(file.code !== 0, true);
  assert.match(file.stderr, /error \[DATASET_INVALID\] data\/qa\.jsonl:2: row is not valid JSON/);
  const inline = await runCli(["validate", `${dir}/inline.toml`], { cwd: dir });
  assert.match(
    inline.stderr,
    /error \[DATASET_INVALID\] .*inline\.toml:1[0-9]: slices\[0\]\.dataset\.items\[1\]: inline dataset: rows 1 and 2 share the id "1"/,
  );
});
