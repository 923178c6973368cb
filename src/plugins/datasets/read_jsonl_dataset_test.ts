import assert from "node:assert/strict";
import { Database } from "../../analytics/duckdb.ts";
import type { DatasetQuery } from "../../spec/schemas.ts";
import { loadDataset } from "./load_dataset.ts";
import { readFileDataset } from "./read_file_dataset.ts";
import { readJsonlDataset } from "./read_jsonl_dataset.ts";

/** What a read gives: its items and total, or its error's code, message and details. */
async function outcome(read: () => Promise<{ items: { toArray(): unknown[] }; total: number }>) {
  try {
    const { items, total } = await read();
    return { items: items.toArray(), total };
  } catch (error) {
    const e = error as { code?: string; message: string; details?: unknown };
    return { code: e.code, message: e.message, details: e.details };
  }
}

const FILES: Record<string, string> = {
  plain: '{"id":"a","q":"x"}\n{"q":"y","id":"b"}\n',
  blank_lines: '\n{"id":"a"}\n\n\r\n{"id":"b"}\n\n',
  crlf: '{"id":"a"}\r\n{"id":"b"}\r\n',
  no_final_newline: '{"id":"a"}\n{"id":"b"}',
  bom: '\uFEFF{"id":"a"}\n{"id":"b"}\n',
  bom_crlf: '\uFEFF{"id":"a"}\r\n{"id":"b"}\r\n',
  spaces_line: '{"id":"a"}\n   \n{"id":"b"}\n',
  tab_line_bom: '\uFEFF{"id":"a"}\n\t\n{"id":"b"}\n',
  padded: '  {"id":"a"}  \n{"id":"b"}\n',
  no_ids: '{"q":"2+2","answer":4}\n{"q":"héllo ✓","answer":[1,{"b":2}]}\n',
  number_ids: '{"id":7}\n{"id":1.0}\n{"id":1e2}\n{"id":-0}\n{"id":12345678901234567890}\n',
  null_id: '{"id":null,"q":1}\n',
  object_id: '{"id":{"a":1}}\n',
  duplicate_ids: '{"id":"x"}\n{"id":"y"}\n{"id":"x"}\n',
  repeated_key: '{"id":"a","id":"b"}\n',
  unicode: '{"id":"a","q":"\\u00e9\\u65e5 😀 \u2028"}\n',
  escaped_pair: '{"id":"a","q":"\\ud83d\\ude00"}\n',
  lone_surrogate: '{"id":"a","q":"\\ud800"}\n',
  not_json: '{"id":"a"}\n\n{"id": oops}\n',
  not_object: '{"id":"a"}\n\n[1, 2]\n',
  two_objects: '{"id":"a"} {"id":"b"}\n',
  nan: '{"id":"a","x":NaN}\n',
  big_number: '{"id":"a","x":1e400}\n',
  bom_inside: '{"id":"a"}\n\uFEFF{"id":"b"}\n',
  nbsp_line: '{"id":"a"}\n\u00a0\n{"id":"b"}\n',
  empty: "",
  cr_inside: '{"id":\r"a"}\n',
  nested_id: '{"meta":{"id":"m1"},"q":1}\n{"meta":{"id":"m2"},"q":2}\n',
};

const INVALID_UTF8 = new Uint8Array([
  ...new TextEncoder().encode('{"id":"a","q":"'),
  0xe9,
  0x22,
  0x7d,
]);

const QUERIES: DatasetQuery[] = [
  { kind: "all" },
  { kind: "subset", count: 1, seed: 3 },
  { kind: "item_ids", ids: ["b", "a"] },
];

Deno.test("plain JSONL read in JavaScript gives what the SQL reader gives, data and errors alike", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-jsonl-" });
  for (const [name, text] of Object.entries(FILES)) {
    await Deno.writeTextFile(`${dir}/${name}.jsonl`, text);
  }
  await Deno.writeFile(`${dir}/invalid_utf8.jsonl`, INVALID_UTF8);
  const db = await Database.open(":memory:");
  try {
    for (const name of [...Object.keys(FILES), "invalid_utf8"]) {
      for (const query of QUERIES) {
        for (
          const spec of [{ kind: "jsonl" as const, path: `${name}.jsonl` }, {
            kind: "jsonl" as const,
            path: `${name}.jsonl`,
            id_field: "ident",
            fields: { ident: "meta.id" },
          }]
        ) {
          const sql = await outcome(() => readFileDataset(spec, { baseDir: dir, query, sql: db }));
          const js = await outcome(() =>
            loadDataset(spec, { baseDir: dir, query, sql: () => Promise.resolve(db) })
          );
          assert.deepEqual(js, sql, `${name} ${JSON.stringify(query)} ${spec.id_field ?? ""}`);
        }
      }
    }
  } finally {
    db.close();
  }
});

Deno.test("readJsonlDataset() leaves unusual files to the SQL reader and reads plain ones itself", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-jsonl-" });
  for (const [name, text] of Object.entries(FILES)) {
    await Deno.writeTextFile(`${dir}/${name}.jsonl`, text);
  }
  await Deno.writeFile(`${dir}/invalid_utf8.jsonl`, INVALID_UTF8);
  const query: DatasetQuery = { kind: "all" };
  const read = async (name: string) =>
    (await readJsonlDataset({ kind: "jsonl", path: `${name}.jsonl` }, { baseDir: dir, query })) !==
      undefined;
  for (
    const name of [
      "plain",
      "blank_lines",
      "crlf",
      "no_final_newline",
      "bom",
      "no_ids",
      "unicode",
      "empty",
    ]
  ) {
    assert.equal(await read(name), true, name);
  }
  for (
    const name of [
      "spaces_line",
      "padded",
      "repeated_key",
      "escaped_pair",
      "lone_surrogate",
      "not_json",
      "not_object",
      "nan",
      "big_number",
      "bom_inside",
      "cr_inside",
      "invalid_utf8",
      "missing",
    ]
  ) {
    assert.equal(await read(name), false, name);
  }
});

Deno.test("a stratified pick from a JSONL file read in JavaScript matches the SQL reader", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-jsonl-" });
  const rows = Array.from({ length: 40 }, (_, i) => ({
    id: `r${i}`,
    level: ["easy", "medium", "hard", null][i % 4],
    ...(i % 9 === 0 ? {} : { meta: { band: i % 3 } }),
  }));
  await Deno.writeTextFile(`${dir}/d.jsonl`, rows.map((r) => JSON.stringify(r)).join("\n"));
  const db = await Database.open(":memory:");
  try {
    for (
      const query of [
        { kind: "stratified", count: 7, field: "level", seed: 1 },
        { kind: "stratified", count: 5, field: "meta.band", seed: 2 },
        { kind: "stratified", count: 5, field: "band", seed: 2 },
        { kind: "subset", count: 10, seed: 4, where: {} },
        { kind: "item_ids", ids: ["r3", "nope"] },
      ] as DatasetQuery[]
    ) {
      const spec = { kind: "jsonl" as const, path: "d.jsonl", fields: { band: "meta.band" } };
      const sql = await outcome(() => readFileDataset(spec, { baseDir: dir, query, sql: db }));
      const js = await outcome(async () =>
        (await readJsonlDataset(spec, { baseDir: dir, query }))!
      );
      assert.deepEqual(js, sql, JSON.stringify(query));
    }
  } finally {
    db.close();
  }
});
