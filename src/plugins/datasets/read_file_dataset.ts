/**
 * JSONL, CSV and Parquet datasets read through SQL with the slice's query pushed down: a first
 * pass reads only ids, the filter result and the stratification field; the pick happens in
 * `selectItems` (the same pure rule as for inline items); a second pass reads the picked rows.
 */
import { isAbsolute, resolve } from "node:path";
import { errorMessage, ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import type { DatasetQuery } from "../../spec/schemas.ts";
import type { DatasetSql, DatasetSqlParam } from "./dataset_provider.ts";
import { resolveField, withFields } from "./field_path.ts";
import {
  fieldJsonSql,
  type FileFormat,
  type FileSource,
  relationSql,
  rowJsonSql,
  sqlLiteral,
  whereSql,
} from "./file_source_sql.ts";
import { readCsvHeader } from "./read_csv_header.ts";
import { describeSqlError, firstInvalidJsonLine, jsonlRowError } from "./sql_errors.ts";
import {
  checkUniqueIds,
  type DatasetItem,
  itemHash,
  selectItems,
  stableItemId,
} from "./select_items.ts";
import { ItemList } from "./item_list.ts";
import { type GroupIndex, type ItemGroup, rowGrouping } from "./group_items.ts";
import { rowCanonicalizer } from "./canonical_row.ts";

/** A file dataset as the spec gives it. */
export interface FileDatasetSpec {
  kind: FileFormat;
  path: string;
  id_field?: string;
  fields?: Record<string, string>;
  delimiter?: string;
}

/** Options of {@linkcode readFileDataset}. */
export interface ReadFileDatasetOptions {
  baseDir: string;
  query: DatasetQuery;
  sql: DatasetSql;
  /** `slice_by` (readFileDatasetGroups): group by these fields' values, at most `max` groups. */
  groupBy?: { fields: string[]; max: number };
}

/** The picked items and the number of rows the file has. */
export interface FileDatasetRead {
  items: ItemList;
  total: number;
}

const isGlob = (path: string) => /[*?[]/.test(path);

async function checkFile(path: string): Promise<void> {
  if (isGlob(path)) return;
  try {
    const info = await Deno.stat(path);
    if (info.isFile) return;
    throw new ThemisError("DATASET_INVALID", `Cannot read dataset "${path}": not a file`, {
      file: path,
    });
  } catch (error) {
    if (error instanceof ThemisError) throw error;
    const why = error instanceof Deno.errors.NotFound ? "no such file" : errorMessage(error);
    throw new ThemisError("DATASET_INVALID", `Cannot read dataset "${path}": ${why}`, {
      file: path,
      suggestion: "dataset paths are relative to the spec file",
    });
  }
}

const BOM = [0xef, 0xbb, 0xbf];

/** Whether a file starts with a UTF-8 byte order mark. */
async function startsWithBom(file: string): Promise<boolean> {
  const handle = await Deno.open(file);
  try {
    const head = new Uint8Array(3);
    const n = await handle.read(head);
    return n === 3 && BOM.every((b, i) => head[i] === b);
  } finally {
    handle.close();
  }
}

/** Whether the file, or any file of the glob, starts with a byte order mark. */
async function anyBom(path: string, sql: DatasetSql): Promise<boolean> {
  const files = isGlob(path)
    ? (await sql.all(`select file from glob(${sqlLiteral(path)})`)).map((r) => String(r.file))
    : [path];
  for (const file of files) if (await startsWithBom(file)) return true;
  return false;
}

async function fileSource(spec: FileDatasetSpec, path: string, sql: DatasetSql) {
  const source: FileSource = { format: spec.kind, path, columns: [], delimiter: spec.delimiter };
  // A byte order mark is accepted in every input (spec files, CSV, JSONL) the same way.
  if (spec.kind === "jsonl" && await anyBom(path, sql)) source.bom = true;
  if (spec.kind === "csv") {
    // The header comes from the first file of a glob (the files are read as one table).
    const first = isGlob(path)
      ? (await sql.all(`select file from glob(${sqlLiteral(path)}) order by file limit 1`))[0]
      : { file: path };
    if (first === undefined) {
      throw new ThemisError("DATASET_INVALID", `Cannot read dataset "${path}": no file matches`, {
        file: path,
        suggestion: "dataset paths are relative to the spec file",
      });
    }
    source.columns = await readCsvHeader(String(first.file), spec);
  }
  if (spec.kind === "parquet") {
    const rows = await sql.all(`describe select * from (${relationSql(source)})`);
    source.columns = rows.map((r) => String(r.column_name)).filter((c) => c !== "__rn");
  }
  return source;
}

/**
 * The keys pass over a file, compactly: per row (row number − 1) its id (null: none, the row's
 * hash stands in), whether the filter keeps it, and its stratum's JSON text.
 */
interface Keys {
  ids: Array<string | null>;
  keep: Uint8Array;
  strata: Array<string | null>;
  /** With `groupBy`: each kept row's group (an index into `groups.values`). */
  group: number[];
  groups?: GroupIndex;
}

/** What a row without an id is named until its hash is known. */
const NO_ID = "\u0000";

const parseJson = (text: string | null): Json | undefined =>
  text === null ? undefined : JSON.parse(text);

/** First pass, streamed: every row's number, id value, filter result and stratum. */
async function readKeys(
  source: FileSource,
  spec: FileDatasetSpec,
  options: ReadFileDatasetOptions,
): Promise<Keys> {
  const { query } = options;
  const resolveName = (name: string) => resolveField(name, spec.fields);
  const params: Record<string, DatasetSqlParam> = {};
  const where = query.kind === "filter" || query.kind === "subset" || query.kind === "stratified"
    ? whereSql(source, query.where, params, resolveName)
    : "true";
  const stratified = query.kind === "stratified";
  const stratum = stratified ? fieldJsonSql(source, resolveName(query.field)) : "null";
  const isObject = source.format === "jsonl" ? "json_type(__doc) = 'OBJECT'" : "true";
  const keys: Keys = { ids: [], keep: new Uint8Array(1024), strata: [], group: [] };
  const grouping = options.groupBy && rowGrouping(options.groupBy, spec.path);
  if (grouping) keys.groups = grouping.index;
  const groupColumns = (options.groupBy?.fields ?? [])
    .map((field, i) => `, ${fieldJsonSql(source, resolveName(field))} as g${i}`).join("");
  const idOptions = {
    idField: spec.id_field ?? "id",
    required: spec.id_field !== undefined,
    source: spec.path,
  };
  const rows = options.sql.stream(
    `with src as (${relationSql(source)}) select __rn as rn, ` +
      `${fieldJsonSql(source, resolveName(spec.id_field ?? "id"))} as id, ${where} as keep, ` +
      `${stratum} as stratum, ${isObject} as is_object${groupColumns} from src order by __rn`,
    params,
  );
  for await (const chunk of rows) {
    for (const row of chunk) {
      const rn = Number(row.rn);
      if (row.is_object === false) throw await jsonlRowError(source.path, spec.path, rn);
      const n = keys.ids.length;
      if (n === keys.keep.length) {
        const bigger = new Uint8Array(keys.keep.length * 2);
        bigger.set(keys.keep);
        keys.keep = bigger;
      }
      keys.keep[n] = row.keep === true ? 1 : 0;
      // A row without an id is named by its hash, read in a second pass (null until then).
      const value = parseJson(row.id === null ? null : String(row.id));
      keys.ids.push(stableItemId(value, { row: rn, hashOf: () => NO_ID }, idOptions));
      if (stratified) keys.strata.push(row.stratum === null ? null : String(row.stratum));
      if (grouping && keys.keep[n]) keys.group[n] = grouping.add(rn, row);
    }
  }
  await grouping?.check(async () => [
    ...(source.columns.length ? source.columns : await firstRowKeys(source, options.sql)),
    ...Object.keys(spec.fields ?? {}),
  ]);
  return keys;
}

/** The keys of a JSONL file's first row (for the name a misspelt field meant). */
async function firstRowKeys(source: FileSource, sql: DatasetSql): Promise<string[]> {
  if (source.format !== "jsonl") return [];
  const rows = await sql.all(
    `select json_keys(__doc) as k from (${relationSql(source)}) where __rn = 1`,
  );
  const keys = rows[0]?.k;
  return Array.isArray(keys) ? keys.map(String) : [];
}

/** The query that is left once the filter ran in SQL. */
function queryAfterPushdown(query: DatasetQuery): DatasetQuery {
  if (query.kind === "filter") return { kind: "all" };
  if (query.kind === "subset" || query.kind === "stratified") return { ...query, where: undefined };
  return query;
}

/** Rows by row number, streamed in file order, each handed to `take` as a parsed object. */
async function streamRows(
  context: { source: FileSource; sql: DatasetSql },
  rns: number[] | "kept",
  take: (rn: number, row: JsonObject) => void,
  where = "true",
  params: Record<string, DatasetSqlParam> = {},
): Promise<void> {
  const { source, sql } = context;
  if (rns !== "kept" && rns.length === 0) return;
  const filter = rns === "kept" ? where : `__rn in (select unnest(from_json($rns, '["BIGINT"]')))`;
  const chunks = sql.stream(
    `with src as (${relationSql(source)}) select __rn as rn, ${rowJsonSql(source)} as doc ` +
      `from src where ${filter} order by __rn`,
    rns === "kept" ? params : { rns: JSON.stringify(rns) },
  );
  for await (const chunk of chunks) {
    for (const row of chunk) take(Number(row.rn), JSON.parse(String(row.doc)) as JsonObject);
  }
}

/** Every row's stable id: rows without one get their hash (read now); checked unique. */
async function itemIds(
  keys: Keys,
  context: { source: FileSource; spec: FileDatasetSpec; sql: DatasetSql },
): Promise<string[]> {
  const ids = keys.ids as string[];
  const unnamed = ids.flatMap((id, i) => (id === NO_ID ? [i + 1] : []));
  await streamRows(context, unnamed, (rn, row) => (ids[rn - 1] = itemHash(row)));
  checkUniqueIds(ids, { source: context.spec.path, idField: context.spec.id_field ?? "id" });
  return ids;
}

/** The row numbers the query picks, in the order items come (`item_ids`: as asked). */
function pickRows(keys: Keys, ids: string[], query: DatasetQuery): number[] | "kept" {
  const after = queryAfterPushdown(query);
  if (after.kind === "all") return "kept";
  return pickAmong(keys, [ids.flatMap((_, i) => (keys.keep[i] ? [i] : []))], ids, after)[0];
}

/**
 * The rows the query picks within each set of rows (row indexes, 0-based): the pick reads only
 * each row's id and, for `stratified`, its stratum.
 */
function pickAmong(
  keys: Keys,
  sets: number[][],
  ids: string[],
  query: DatasetQuery,
): number[][] {
  const field = query.kind === "stratified" ? query.field : undefined;
  return sets.map((rows) => {
    const light: DatasetItem[] = rows.map((i) => {
      const value = field === undefined ? undefined : parseJson(keys.strata[i]);
      return { id: ids[i], payload: value === undefined ? {} : { [field!]: value } };
    });
    const rnOf = new Map(rows.map((i) => [ids[i], i + 1]));
    return selectItems(light, query).map((item) => rnOf.get(item.id)!);
  });
}

/**
 * Read a JSONL, CSV or Parquet dataset (a path relative to `baseDir`, or a glob such as
 * `data/train-*.parquet` for sharded exports) and apply the slice's query with the filter and
 * the id scan pushed down to SQL. Both passes stream, and the picked items are kept compactly
 * (an `ItemList`), so a file of millions of rows never sits in memory as objects. Picked items
 * keep the file's order (`item_ids`: the order asked for). Bad data is a `DATASET_INVALID`
 * error naming the file and the row or line.
 */
export async function readFileDataset(
  spec: FileDatasetSpec,
  options: ReadFileDatasetOptions,
): Promise<FileDatasetRead> {
  return await readFile(spec, { ...options, groupBy: undefined }, async (context, keys, ids) => {
    const picked = pickRows(keys, ids, options.query);
    // Row numbers are 1 … n in file order: a row's id is at its number minus one.
    const idOf = (rn: number) => ids[rn - 1];
    const items = await collectItems(context, { picked, idOf, query: options.query });
    return { items, total: keys.ids.length };
  });
}

/**
 * `slice_by` over a file: the rows grouped by the values of the fields, read in the first SQL
 * pass with the ids and the filter (the `where` runs in SQL first), each group picked with the
 * query on its own, and the picked rows of every group read in one second pass. Groups come
 * sorted by value; more than `groupBy.max` of them is an error suggesting a bound.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFileDatasetGroups } from "./read_file_dataset.ts";
 * import { Database } from "../../analytics/duckdb.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/d.jsonl`, '{"id":"1","s":"law"}\n{"id":"2","s":"bio"}\n');
 * const sql = await Database.open(":memory:");
 * const { groups } = await readFileDatasetGroups({ kind: "jsonl", path: "d.jsonl" }, {
 *   baseDir: dir, query: { kind: "all" }, sql, groupBy: { fields: ["s"], max: 100 },
 * });
 * sql.close();
 * assert.deepEqual(groups.map((g) => [g.values, g.items.id(0)]), [[["bio"], "2"], [["law"], "1"]]);
 * ```
 */
export async function readFileDatasetGroups(
  spec: FileDatasetSpec,
  options: ReadFileDatasetOptions & { groupBy: { fields: string[]; max: number } },
): Promise<{ groups: ItemGroup[]; total: number }> {
  return await readFile(spec, options, async (context, keys, ids) => ({
    groups: await collectGroups(context, { keys, ids, query: options.query }),
    total: keys.ids.length,
  }));
}

/** Both passes' common part: the file checked, its keys read, errors named by file and line. */
async function readFile<T>(
  spec: FileDatasetSpec,
  options: ReadFileDatasetOptions,
  finish: (
    context: { source: FileSource; spec: FileDatasetSpec; sql: DatasetSql },
    keys: Keys,
    ids: string[],
  ) => Promise<T>,
): Promise<T> {
  const path = isAbsolute(spec.path) ? spec.path : resolve(options.baseDir, spec.path);
  await checkFile(path);
  try {
    const source = await fileSource(spec, path, options.sql);
    const context = { source, spec, sql: options.sql };
    const keys = await readKeys(source, spec, options);
    return await finish(context, keys, await itemIds(keys, context));
  } catch (error) {
    if (error instanceof ThemisError) throw error;
    const line = spec.kind === "jsonl" && /Malformed JSON/i.test(errorMessage(error))
      ? await firstInvalidJsonLine(path)
      : undefined;
    throw describeSqlError(error, { format: spec.kind, file: path, label: spec.path, line });
  }
}

/** The picked rows, streamed into an `ItemList` in the order the query gives. */
async function collectItems(
  context: { source: FileSource; spec: FileDatasetSpec; sql: DatasetSql },
  o: { picked: number[] | "kept"; idOf: (rn: number) => string; query: DatasetQuery },
): Promise<ItemList> {
  const { spec, source } = context;
  const items = new ItemList();
  const canonical = rowCanonicalizer();
  const payload = (row: JsonObject) => canonical(withFields(row, spec.fields));
  if (o.picked === "kept" || o.query.kind !== "item_ids") {
    const params: Record<string, DatasetSqlParam> = {};
    const q = o.query;
    const where = o.picked === "kept" && (q.kind === "filter")
      ? whereSql(source, q.where, params, (name) => resolveField(name, spec.fields))
      : "true";
    await streamRows(
      context,
      o.picked,
      (rn, row) => {
        items.add(o.idOf(rn), payload(row));
      },
      where,
      params,
    );
    return items.done();
  }
  // Items asked for by id come in the order asked: place them by position.
  const position = new Map(o.picked.map((rn, i) => [rn, i]));
  const texts: string[] = new Array(o.picked.length);
  await streamRows(context, o.picked, (rn, row) => (texts[position.get(rn)!] = payload(row)));
  o.picked.forEach((rn, i) => items.add(o.idOf(rn), texts[i]));
  return items.done();
}

/** Each group's picked rows, read in one pass and placed in their group's list in file order. */
async function collectGroups(
  context: { source: FileSource; spec: FileDatasetSpec; sql: DatasetSql },
  o: { keys: Keys; ids: string[]; query: DatasetQuery },
): Promise<ItemGroup[]> {
  const index = o.keys.groups!;
  const members: number[][] = index.values.map(() => []);
  o.ids.forEach((_, i) => {
    if (o.keys.keep[i] && o.keys.group[i] >= 0) members[o.keys.group[i]].push(i);
  });
  const groupOf = new Map<number, number>();
  pickAmong(o.keys, members, o.ids, queryAfterPushdown(o.query)).forEach((rns, g) => {
    for (const rn of rns) groupOf.set(rn, g);
  });
  const lists = index.values.map(() => new ItemList());
  const rns = [...groupOf.keys()].sort((a, b) => a - b);
  const canonical = rowCanonicalizer();
  await streamRows(context, rns, (rn, row) => {
    lists[groupOf.get(rn)!].add(o.ids[rn - 1], canonical(withFields(row, context.spec.fields)));
  });
  return index.sorted().map((g) => ({ values: index.values[g], items: lists[g].done() }));
}
