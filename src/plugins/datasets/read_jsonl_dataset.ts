/**
 * Plain JSONL datasets read in JavaScript, streamed line by line: planning a benchmark opens
 * no SQL engine when a slice's query needs none (`all`, `item_ids`, `subset` and `stratified`
 * without `where`, over one file). The SQL reader stays the judge of anything unusual: a line
 * this reader is not sure of (not one `{…}` object on its line, invalid UTF-8, an escaped
 * surrogate, whitespace other than a final `\r`, a repeated key it reads, a line past 4 MiB, a
 * value it cannot hash) makes it give up, and the caller reads the file through SQL, which
 * accepts it or names the problem by file and line as it always has.
 */
import type { Json, JsonObject } from "../../core/json.ts";
import type { DatasetQuery } from "../../spec/schemas.ts";
import { rowCanonicalizer } from "./canonical_row.ts";
import { readPath, resolveField, withFields } from "./field_path.ts";
import { ItemList } from "./item_list.ts";
import type { FileDatasetRead, FileDatasetSpec } from "./read_file_dataset.ts";
import {
  checkUniqueIds,
  type DatasetItem,
  itemHash,
  repeatedIdError,
  selectItems,
  stableItemId,
} from "./select_items.ts";
import { isAbsolute, resolve } from "node:path";

/** Longer lines go to the SQL reader, which knows its own limit (16 MiB). */
const MAX_LINE = 4 << 20;
const READ_BYTES = 1 << 18;
/** A `\u` escape of a surrogate, which the SQL reader judges (a lone one is an error there). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const isGlob = (path: string) => /[*?[]/.test(path);

/**
 * Whether a dataset can be read by {@linkcode readJsonlDataset}: one JSONL file and a query
 * with no `where` (filters run in SQL).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readsWithoutSql } from "./read_jsonl_dataset.ts";
 * assert.equal(readsWithoutSql({ kind: "jsonl", path: "d.jsonl" }, { kind: "all" }), true);
 * assert.equal(readsWithoutSql({ kind: "jsonl", path: "d/*.jsonl" }, { kind: "all" }), false);
 * ```
 */
export function readsWithoutSql(spec: FileDatasetSpec, query: DatasetQuery): boolean {
  if (spec.kind !== "jsonl" || isGlob(spec.path)) return false;
  switch (query.kind) {
    case "all":
    case "item_ids":
      return true;
    case "subset":
    case "stratified":
      return Object.keys(query.where ?? {}).length === 0;
    case "filter":
      return false;
  }
}

/** A parsed row of pass one: the raw object and its line. */
type TakeRow = (rn: number, row: JsonObject) => boolean;

/**
 * Read a JSONL dataset the way `readFileDataset` does (same items, ids, order, totals and
 * errors), or `undefined` when the file needs the SQL reader: it is missing, or a line is
 * anything but plain. A query with a pick reads the file twice, keeping only the picked rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readJsonlDataset } from "./read_jsonl_dataset.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/d.jsonl`, '{"id":"a","q":1}\n\n{"q":2,"id":"b"}\n');
 * const read = await readJsonlDataset({ kind: "jsonl", path: "d.jsonl" }, {
 *   baseDir: dir, query: { kind: "item_ids", ids: ["b"] },
 * });
 * assert.deepEqual(read?.items.toArray(), [{ id: "b", payload: { id: "b", q: 2 } }]);
 * assert.equal(read?.total, 2);
 * await Deno.writeTextFile(`${dir}/d.jsonl`, '{"id":"a"}\n[1]\n');
 * assert.equal(await readJsonlDataset({ kind: "jsonl", path: "d.jsonl" }, {
 *   baseDir: dir, query: { kind: "all" },
 * }), undefined);
 * ```
 */
export async function readJsonlDataset(
  spec: FileDatasetSpec,
  options: { baseDir: string; query: DatasetQuery },
): Promise<FileDatasetRead | undefined> {
  const path = isAbsolute(spec.path) ? spec.path : resolve(options.baseDir, spec.path);
  try {
    if (!(await Deno.stat(path)).isFile) return undefined;
  } catch {
    return undefined;
  }
  const { query } = options;
  const idField = spec.id_field ?? "id";
  const idPath = resolveField(idField, spec.fields);
  const stratumPath = query.kind === "stratified"
    ? resolveField(query.field, spec.fields)
    : undefined;
  const canonical = rowCanonicalizer();
  const payload = (row: JsonObject) => canonical(withFields(row, spec.fields));
  const ids: string[] = [];
  const strata: Array<Json | undefined> = [];
  const all = query.kind === "all" ? new ItemList() : undefined;
  let problem: { rn: number; value: Json | undefined } | undefined;
  const plain = await eachRow(path, keysOf([idPath, stratumPath]), (rn, row) => {
    const value = readPath(row, idPath);
    let id: string;
    if (typeof value === "string") id = value;
    else if (typeof value === "number") {
      if (!Number.isFinite(value)) return false;
      id = String(value);
    } else if ((value === undefined || value === null) && spec.id_field === undefined) {
      id = itemHash(row);
    } else {
      // Reported once the whole file is known to be plain (the SQL reader's order).
      problem ??= { rn, value };
      id = "";
    }
    if (all !== undefined) all.add(id, payload(row));
    else ids.push(id);
    if (stratumPath !== undefined) strata.push(readPath(row, stratumPath));
    return true;
  });
  if (!plain) return undefined;
  const idOptions = { idField, required: spec.id_field !== undefined, source: spec.path };
  if (problem !== undefined) {
    stableItemId(problem.value, { row: problem.rn, hashOf: () => "" }, idOptions);
  }
  if (all !== undefined) {
    const repeated = all.done().repeatedId();
    if (repeated !== undefined) {
      throw repeatedIdError(all.id(repeated[0]), [repeated[0] + 1, repeated[1] + 1], idOptions);
    }
    return { items: all, total: all.length };
  }
  checkUniqueIds(ids, idOptions);
  const picked = pickRows(ids, strata, query);
  const items = await readPicked(path, picked, ids, payload);
  return items && { items, total: ids.length };
}

/** The row numbers (1-based) the query picks, in the order the items come. */
function pickRows(ids: string[], strata: Array<Json | undefined>, query: DatasetQuery): number[] {
  const field = query.kind === "stratified" ? query.field : undefined;
  const light: DatasetItem[] = ids.map((id, i) => {
    const value = field === undefined ? undefined : strata[i];
    return { id, payload: value === undefined ? {} : { [field!]: value } };
  });
  const rnOf = new Map(ids.map((id, i) => [id, i + 1]));
  return selectItems(light, query).map((item) => rnOf.get(item.id)!);
}

/** Pass two: the picked rows' payloads, placed in the order picked. */
async function readPicked(
  path: string,
  picked: number[],
  ids: string[],
  payload: (row: JsonObject) => string,
): Promise<ItemList | undefined> {
  const position = new Map(picked.map((rn, i) => [rn, i]));
  const texts: string[] = new Array(picked.length);
  const plain = await eachRow(path, [], (rn, row) => {
    const at = position.get(rn);
    if (at !== undefined) texts[at] = payload(row);
    return true;
  }, (rn) => position.has(rn));
  if (!plain) return undefined;
  const items = new ItemList();
  for (let i = 0; i < picked.length; i++) {
    // An id asked for twice leaves a hole: the SQL reader has the last word on that too.
    if (texts[i] === undefined) return undefined;
    items.add(ids[picked[i] - 1], texts[i]);
  }
  return items.done();
}

/** The quoted keys whose repetition in a line would make JSON.parse and SQL read apart. */
function keysOf(paths: Array<string | undefined>): string[] {
  const keys = new Set<string>();
  for (const path of paths) {
    if (path === undefined) continue;
    keys.add(JSON.stringify(path));
    for (const step of path.split(".")) keys.add(JSON.stringify(step));
  }
  return [...keys];
}

/**
 * Every non-blank line of the file parsed, with its row number (blank lines are not rows), or
 * `false` as soon as a line is not plain or `take` says so. `wanted` skips parsing rows that
 * are not needed (pass two).
 */
async function eachRow(
  path: string,
  keys: string[],
  take: TakeRow,
  wanted?: (rn: number) => boolean,
): Promise<boolean> {
  let rn = 0;
  const line = (text: string): boolean => {
    let end = text.length;
    if (end > 0 && text.charCodeAt(end - 1) === 13) end--;
    if (end === 0) return true;
    rn++;
    if (wanted !== undefined && !wanted(rn)) return true;
    if (end > MAX_LINE || text.charCodeAt(0) !== 123 || text.charCodeAt(end - 1) !== 125) {
      return false;
    }
    const json = end === text.length ? text : text.slice(0, end);
    if (json.includes("\r") || (json.includes("\\u") && SURROGATE_ESCAPE.test(json))) return false;
    for (const key of keys) {
      const at = json.indexOf(key);
      if (at !== -1 && json.indexOf(key, at + key.length) !== -1) return false;
    }
    try {
      return take(rn, JSON.parse(json));
    } catch {
      return false;
    }
  };
  return await eachLine(path, line);
}

/** Each line of a UTF-8 file (a leading byte order mark dropped), or false once `take` is. */
async function eachLine(path: string, take: (line: string) => boolean): Promise<boolean> {
  const file = await Deno.open(path, { read: true });
  try {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const buffer = new Uint8Array(READ_BYTES);
    let rest = "";
    for (;;) {
      const n = await file.read(buffer);
      let text: string;
      try {
        text = rest +
          (n === null ? decoder.decode() : decoder.decode(buffer.subarray(0, n), { stream: true }));
      } catch {
        return false;
      }
      let at = 0;
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", at)) {
        if (!take(text.slice(at, nl))) return false;
        at = nl + 1;
      }
      rest = text.slice(at);
      if (rest.length > MAX_LINE) return false;
      if (n === null) return rest === "" || take(rest);
    }
  } finally {
    file.close();
  }
}
