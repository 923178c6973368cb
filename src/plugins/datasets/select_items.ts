import { ThemisError } from "../../core/errors.ts";
import { canonicalJson, contentHash } from "../../core/canonical.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import type { DatasetQuery } from "../../spec/schemas.ts";
import { allocateStrata } from "./allocate_strata.ts";
import { readPath } from "./field_path.ts";

/** Item hash: the payload's content hash, the id of an item without an id field. */
export function itemHash(payload: JsonObject): string {
  return contentHash({ kind: "item", payload });
}

/** A dataset item with its stable id. */
export interface DatasetItem {
  id: string;
  payload: JsonObject;
}

/** Where a row's id comes from, for {@linkcode stableItemId}. */
export interface ItemIdOptions {
  /** The id field (`"id"` when the dataset does not set one). */
  idField: string;
  /** True when the spec set `id_field`: then every row must have it. */
  required: boolean;
  /** Names the dataset in messages (`data/qa.jsonl`, `inline dataset`). */
  source: string;
}

/**
 * The stable id of one row: its id field (a string, or a number as text), else the hash of the
 * row (`hashOf` is called only then). A required id field that is missing, or an id that is not
 * a string or number, is a `DATASET_INVALID` error naming the row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stableItemId } from "./select_items.ts";
 * const options = { idField: "id", required: false, source: "inline" };
 * assert.equal(stableItemId(7, { row: 1, hashOf: () => "h" }, options), "7");
 * assert.equal(stableItemId(undefined, { row: 2, hashOf: () => "h" }, options), "h");
 * ```
 */
export function stableItemId(
  value: Json | undefined,
  row: { row: number; hashOf: () => string },
  options: ItemIdOptions,
): string {
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (value === undefined || value === null) {
    if (!options.required) return row.hashOf();
    throw new ThemisError(
      "DATASET_INVALID",
      `${options.source}: row ${row.row} has no "${options.idField}" (the dataset's id_field)`,
      {
        row: row.row,
        suggestion: `give every row a "${options.idField}", or remove id_field to use ` +
          `"id" when present and a hash of the row otherwise`,
      },
    );
  }
  throw new ThemisError(
    "DATASET_INVALID",
    `${options.source}: row ${row.row} has an "${options.idField}" that is not a string or number`,
    { row: row.row },
  );
}

/**
 * Refuse duplicate ids: a `DATASET_INVALID` error naming the first two rows (1-based numbers
 * from `rows`, else positions) that share one.
 */
export function checkUniqueIds(
  ids: ReadonlyArray<string>,
  options: { source: string; idField: string; rows?: ReadonlyArray<number> },
): void {
  const seen = new Map<string, number>();
  ids.forEach((id, index) => {
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, index);
      return;
    }
    const [a, b] = [first, index].map((i) => options.rows?.[i] ?? i + 1);
    throw repeatedIdError(id, [a, b], options);
  });
}

/** The error of two rows (1-based numbers) that share an id. */
export function repeatedIdError(
  id: string,
  [a, b]: [number, number],
  options: { source: string; idField: string },
): ThemisError {
  return new ThemisError(
    "DATASET_INVALID",
    `${options.source}: rows ${a} and ${b} share the id "${id}"; item ids must be unique`,
    { row: b, suggestion: `make "${options.idField}" unique` },
  );
}

/**
 * Give every row a stable id: the `idField` value when present, else the payload hash.
 * Duplicate ids are a `DATASET_INVALID` error naming both rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assignItemIds } from "./select_items.ts";
 * const items = assignItemIds([{ id: "a" }, { q: 1 }], { idField: "id", source: "inline" });
 * assert.ok(items[0].id === "a" && items[1].id.length === 12);
 * ```
 */
export function assignItemIds(
  rows: JsonObject[],
  options: { idField: string; source: string; required?: boolean; raw?: JsonObject[] },
): DatasetItem[] {
  const idOptions = { ...options, required: options.required ?? false };
  const items = rows.map((payload, index) => ({
    id: stableItemId(readPath(payload, options.idField), {
      row: index + 1,
      hashOf: () => itemHash(options.raw?.[index] ?? payload),
    }, idOptions),
    payload,
  }));
  checkUniqueIds(items.map((i) => i.id), options);
  return items;
}

/** The sort key of an item in a seeded pick: the same on every machine. */
function pickKey(seed: number, id: string): string {
  return contentHash({ seed, id });
}

function pickByHash(items: DatasetItem[], count: number, seed: number): Set<string> {
  const keyed = items.map((item) => ({ id: item.id, key: pickKey(seed, item.id) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return new Set(keyed.slice(0, count).map((k) => k.id));
}

function matches(item: DatasetItem, where: Record<string, string | number | boolean> = {}) {
  return Object.entries(where).every(([key, value]) => readPath(item.payload, key) === value);
}

function pickStratified(
  items: DatasetItem[],
  query: { count: number; field: string; seed: number },
): Set<string> {
  const groups = new Map<string, DatasetItem[]>();
  for (const item of items) {
    const value = readPath(item.payload, query.field);
    if (value === undefined) {
      throw new ThemisError(
        "DATASET_INVALID",
        `dataset_query stratifies by "${query.field}", which item "${item.id}" does not have`,
        {
          path: "dataset_query.field",
          item: item.id,
          suggestion: `give every item a "${query.field}", or keep only those that have one ` +
            `with a "where" filter`,
        },
      );
    }
    const key = canonicalJson(value);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  const shares = allocateStrata(
    [...groups].map(([key, group]) => ({ key, size: group.length })),
    query.count,
  );
  const picked = new Set<string>();
  for (const [key, group] of groups) {
    for (const id of pickByHash(group, shares.get(key)!, query.seed)) picked.add(id);
  }
  return picked;
}

function selectByIds(items: DatasetItem[], ids: string[]): DatasetItem[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new ThemisError(
      "DATASET_INVALID",
      `dataset_query names item ids the dataset does not have: ${missing.slice(0, 5).join(", ")}` +
        (missing.length > 5 ? ` and ${missing.length - 5} more` : ""),
      { path: "dataset_query.ids", missing },
    );
  }
  return ids.map((id) => byId.get(id)!);
}

/**
 * Apply a slice's dataset query. Pure and deterministic on every machine: `subset` orders
 * items by a hash of (seed, item id) and keeps the first `count`, so the pick does not depend on
 * the file's row order or on a platform random generator; `stratified` splits `count` over the
 * values of `field` in proportion to their sizes and picks inside each the same way. Picked
 * items keep the dataset's order; `item_ids` keeps the order asked for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectItems } from "./select_items.ts";
 * const items = [{ id: "a", payload: {} }, { id: "b", payload: {} }];
 * assert.equal(selectItems(items, { kind: "subset", count: 1, seed: 0 }).length, 1);
 * ```
 */
export function selectItems(items: DatasetItem[], query: DatasetQuery): DatasetItem[] {
  switch (query.kind) {
    case "all":
      return items;
    case "filter":
      return items.filter((item) => matches(item, query.where));
    case "item_ids":
      return selectByIds(items, query.ids);
    case "subset": {
      const pool = items.filter((item) => matches(item, query.where));
      const picked = pickByHash(pool, query.count, query.seed);
      return pool.filter((item) => picked.has(item.id));
    }
    case "stratified": {
      const pool = items.filter((item) => matches(item, query.where));
      const picked = pickStratified(pool, query);
      return pool.filter((item) => picked.has(item.id));
    }
  }
}
