/**
 * The SQL entry point: read-only queries through `themis sql` and `Store.sql()`, every output
 * format, and `--out` files written by DuckDB's COPY.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./support/cli.ts";
import { benchmark, openFixture } from "./results_fixture_test.ts";

const WRITES = [
  "delete from trials",
  "insert into trials (trial) values ('x')",
  "update scores set value = 1",
  "create table mine as select 1",
  "drop table trials",
  "copy trials to '/tmp/themis-copy.csv'",
  "attach ':memory:' as other",
  "select 1; delete from trials",
];

Deno.test("themis sql and Store.sql refuse every write statement with a clear message", async () => {
  const f = await openFixture();
  try {
    await f.orchestrator.run(benchmark());
    for (const query of WRITES) {
      const out = await runCli(["sql", "--store", f.store.root, query]);
      assert.equal(out.code, 6, query);
      assert.equal(out.stdout, "");
      assert.match(
        out.stderr,
        /^error \[SQL_READ_ONLY\] themis sql only reads: use SELECT \(or EXPLAIN\)\. .*use --out/,
        query,
      );
      await assert.rejects(() => f.store.sql(query), { code: "SQL_READ_ONLY" }, query);
    }
    const [{ n }] = await f.store.sql("select count(*)::integer as n from trials");
    assert.equal(n, 42, "nothing was written");
    const bad = await runCli(["sql", "--store", f.store.root, "selec 1"]);
    assert.equal(bad.code, 6);
    assert.match(
      bad.stderr,
      /^error \[SQL_INVALID\] Invalid SQL: Parser Error: syntax error at or near "selec"/,
    );
  } finally {
    f.close();
  }
});

Deno.test("themis sql prints a table, CSV, JSON lines or Markdown", async () => {
  const f = await openFixture();
  try {
    await f.orchestrator.run(benchmark());
    const query = `select model_id, count(*)::integer as n from trials group by all order by 1`;
    const run = (format: string) =>
      runCli(["sql", "--store", f.store.root, "--format", format, query]);
    assert.equal(
      (await run("table")).stdout,
      "model_id  n \n--------  --\necho      14\nflaky     14\nsolver    14\n(3 rows)\n".replace(
        " \n",
        "\n",
      ),
    );
    assert.equal((await run("csv")).stdout, "model_id,n\necho,14\nflaky,14\nsolver,14\n");
    assert.equal(
      (await run("json")).stdout,
      '{"model_id":"echo","n":14}\n{"model_id":"flaky","n":14}\n{"model_id":"solver","n":14}\n',
    );
    assert.equal(
      (await run("markdown")).stdout,
      "| model_id | n |\n| --- | --- |\n| echo | 14 |\n| flaky | 14 |\n| solver | 14 |\n",
    );
    const usage = await run("xml");
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--format must be one of table, csv, json, markdown/);
  } finally {
    f.close();
  }
});

Deno.test("themis sql --out writes CSV, Parquet, JSON and JSON lines with DuckDB's COPY", async () => {
  const f = await openFixture();
  try {
    await f.orchestrator.run(benchmark());
    const dir = await Deno.makeTempDir({ prefix: "themis-out-" });
    const query =
      `select model_id, slice_id, count(*)::integer as n from trials group by all order by all;`;
    const expected = await f.store.sql(query);
    assert.equal(expected.length, 6);
    for (const name of ["rows.csv", "rows.parquet", "rows.json", "rows.jsonl"]) {
      const out = await runCli(["sql", "--store", f.store.root, "--out", join(dir, name), query]);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout, `wrote 6 rows to ${join(dir, name)}\n`);
    }
    const csv = await Deno.readTextFile(join(dir, "rows.csv"));
    assert.equal(
      csv,
      "model_id,slice_id,n\n" + expected.map((r) =>
        `${r.model_id},${r.slice_id},${r.n}`
      ).join("\n") + "\n",
    );
    const parquet = await f.store.sql(
      `select * from read_parquet('${join(dir, "rows.parquet")}') order by all`,
    );
    assert.deepEqual(parquet, expected);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(join(dir, "rows.json"))), expected);
    const lines = (await Deno.readTextFile(join(dir, "rows.jsonl"))).trim().split("\n");
    assert.deepEqual(lines.map((l) => JSON.parse(l)), expected);

    const unknown = await runCli([
      "sql",
      "--store",
      f.store.root,
      "--out",
      join(dir, "rows.xlsx"),
      query,
    ]);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /Cannot write ".*rows\.xlsx": the file must end in \.csv, \.parquet, \.json, \.jsonl/,
    );
    const two = await runCli([
      "sql",
      "--store",
      f.store.root,
      "--out",
      join(dir, "two.csv"),
      "select 1; select 2",
    ]);
    assert.equal(two.code, 6);
    assert.match(two.stderr, /Only one SELECT can be written to a file/);
    const write = await runCli([
      "sql",
      "--store",
      f.store.root,
      "--out",
      join(dir, "w.csv"),
      "delete from trials",
    ]);
    assert.equal(write.code, 6);
    assert.match(write.stderr, /SQL_READ_ONLY/);
    await assert.rejects(() => Deno.stat(join(dir, "w.csv")), Deno.errors.NotFound);
  } finally {
    f.close();
  }
});
