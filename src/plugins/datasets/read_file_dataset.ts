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
}

/** The picked items and the number of rows the file has. */
export interface FileDatasetRead {
  items: DatasetItem[];
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

interface KeyRow {
  rn: number;
  id: string | null;
  keep: boolean;
  stratum: string | null;
  is_object: boolean;
}

const parseJson = (text: string | null): Json | undefined =>
  text === null ? undefined : JSON.parse(text);

/** Rows by row number, as JSON objects (the payloads of the rows asked for). */
async function readRows(
  source: FileSource,
  sql: DatasetSql,
  rns: number[],
): Promise<Map<number, JsonObject>> {
  const out = new Map<number, JsonObject>();
  if (rns.length === 0) return out;
  const rows = await sql.all(
    `with src as (${relationSql(source)}) select __rn as rn, ${rowJsonSql(source)} as doc ` +
      `from src where __rn in (select cast(unnest(string_split($rns, ',')) as bigint)) ` +
      `order by __rn`,
    { rns: rns.join(",") },
  );
  for (const row of rows) out.set(Number(row.rn), JSON.parse(String(row.doc)) as JsonObject);
  return out;
}

/** First pass: every row's number, id value, filter result and stratum, in file order. */
async function readKeys(
  source: FileSource,
  spec: FileDatasetSpec,
  options: ReadFileDatasetOptions,
): Promise<KeyRow[]> {
  const { query } = options;
  const resolveName = (name: string) => resolveField(name, spec.fields);
  const params: Record<string, DatasetSqlParam> = {};
  const where = query.kind === "filter" || query.kind === "subset" || query.kind === "stratified"
    ? whereSql(source, query.where, params, resolveName)
    : "true";
  const stratum = query.kind === "stratified"
    ? fieldJsonSql(source, resolveName(query.field))
    : "null";
  const isObject = source.format === "jsonl" ? "json_type(__doc) = 'OBJECT'" : "true";
  return (await options.sql.all(
    `with src as (${relationSql(source)}) select __rn as rn, ` +
      `${fieldJsonSql(source, resolveName(spec.id_field ?? "id"))} as id, ${where} as keep, ` +
      `${stratum} as stratum, ${isObject} as is_object from src order by __rn`,
    params,
  )) as unknown as KeyRow[];
}

/** The query that is left once the filter ran in SQL. */
function queryAfterPushdown(query: DatasetQuery): DatasetQuery {
  if (query.kind === "filter") return { kind: "all" };
  if (query.kind === "subset" || query.kind === "stratified") return { ...query, where: undefined };
  return query;
}

async function pickRows(
  keys: KeyRow[],
  context: { source: FileSource; spec: FileDatasetSpec; options: ReadFileDatasetOptions },
): Promise<{ rns: number[]; ids: Map<number, string>; loaded: Map<number, JsonObject> }> {
  const { source, spec, options } = context;
  const label = spec.path;
  const bad = keys.find((k) => !k.is_object);
  if (bad !== undefined) throw await jsonlRowError(source.path, label, bad.rn);
  // Rows without an id are identified by their content: read those rows now.
  const unnamed = keys.filter((k) => k.id === null || parseJson(k.id) === null).map((k) => k.rn);
  const loaded = spec.id_field === undefined
    ? await readRows(source, options.sql, unnamed)
    : new Map<number, JsonObject>();
  const idOptions = { idField: spec.id_field ?? "id", required: spec.id_field !== undefined };
  const ids = keys.map((k) =>
    stableItemId(parseJson(k.id), {
      row: k.rn,
      hashOf: () => itemHash(loaded.get(k.rn)!),
    }, { ...idOptions, source: label })
  );
  checkUniqueIds(ids, { source: label, idField: idOptions.idField, rows: keys.map((k) => k.rn) });
  const field = options.query.kind === "stratified" ? options.query.field : undefined;
  const light: DatasetItem[] = [];
  const rnOf = new Map<string, number>();
  keys.forEach((k, i) => {
    if (!k.keep) return;
    const value = field === undefined ? undefined : parseJson(k.stratum);
    light.push({ id: ids[i], payload: value === undefined ? {} : { [field!]: value } });
    rnOf.set(ids[i], k.rn);
  });
  const picked = selectItems(light, queryAfterPushdown(options.query));
  const idByRn = new Map(keys.map((k, i) => [k.rn, ids[i]]));
  return { rns: picked.map((item) => rnOf.get(item.id)!), ids: idByRn, loaded };
}

/**
 * Read a JSONL, CSV or Parquet dataset (a path relative to `baseDir`, or a glob such as
 * `data/train-*.parquet` for sharded exports) and apply the slice's query with the filter and
 * the id scan pushed down to SQL. Picked items keep the file's order (`item_ids`: the order
 * asked for). Bad data is a `DATASET_INVALID` error naming the file and the row or line.
 *
 * @example
 * ```ts
 * import { readFileDataset } from "./read_file_dataset.ts";
 * // const { items } = await readFileDataset({ kind: "parquet", path: "qa.parquet" },
 * //   { baseDir: ".", query: { kind: "subset", count: 10, seed: 0 }, sql });
 * ```
 */
export async function readFileDataset(
  spec: FileDatasetSpec,
  options: ReadFileDatasetOptions,
): Promise<FileDatasetRead> {
  const path = isAbsolute(spec.path) ? spec.path : resolve(options.baseDir, spec.path);
  await checkFile(path);
  try {
    const source = await fileSource(spec, path, options.sql);
    const keys = await readKeys(source, spec, options);
    const { rns, ids, loaded } = await pickRows(keys, { source, spec, options });
    const missing = rns.filter((rn) => !loaded.has(rn));
    const rows = await readRows(source, options.sql, missing);
    const items = rns.map((rn) => {
      const row = loaded.get(rn) ?? rows.get(rn)!;
      return { id: ids.get(rn)!, payload: withFields(row, spec.fields) };
    });
    return { items, total: keys.length };
  } catch (error) {
    if (error instanceof ThemisError) throw error;
    const line = spec.kind === "jsonl" && /Malformed JSON/i.test(errorMessage(error))
      ? await firstInvalidJsonLine(path)
      : undefined;
    throw describeSqlError(error, { format: spec.kind, file: path, label: spec.path, line });
  }
}
