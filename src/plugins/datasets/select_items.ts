import { ThemisError } from "../../core/errors.ts";
import { contentHash } from "../../core/canonical.ts";
import type { JsonObject } from "../../core/json.ts";
import type { DatasetQuery } from "../../spec/schemas.ts";

/** Item hash: the payload's content hash, the id of an item without an id field. */
export function itemHash(payload: JsonObject): string {
  return contentHash({ kind: "item", payload });
}

/** A dataset item with its stable id. */
export interface DatasetItem {
  id: string;
  payload: JsonObject;
}

/**
 * Give every row a stable id: the `idField` value when present, else the payload hash.
 * Duplicate ids are a `DATASET_INVALID` error naming both rows.
 */
export function assignItemIds(
  rows: JsonObject[],
  options: { idField: string; source: string },
): DatasetItem[] {
  const seen = new Map<string, number>();
  return rows.map((payload, index) => {
    const raw = payload[options.idField];
    let id: string;
    if (raw === undefined || raw === null) id = itemHash(payload);
    else if (typeof raw === "string" || typeof raw === "number") id = String(raw);
    else {
      throw new ThemisError(
        "DATASET_INVALID",
        `${options.source}: row ${index + 1} has an "${options.idField}" that is not a string ` +
          `or number`,
        { row: index + 1 },
      );
    }
    const first = seen.get(id);
    if (first !== undefined) {
      throw new ThemisError(
        "DATASET_INVALID",
        `${options.source}: rows ${first + 1} and ${index + 1} share the id "${id}"; item ids ` +
          `must be unique`,
        { row: index + 1, suggestion: `make "${options.idField}" unique` },
      );
    }
    seen.set(id, index);
    return { id, payload };
  });
}

/**
 * Apply a slice's dataset query. Pure and deterministic on every machine: `subset` orders
 * items by a hash of (seed, item id) and keeps the first `count`, so the pick does not depend on
 * the file's row order or on a platform random generator.
 *
 * @example
 * ```ts
 * import { selectItems } from "./select_items.ts";
 * const items = [{ id: "a", payload: {} }, { id: "b", payload: {} }];
 * console.assert(selectItems(items, { kind: "subset", count: 1, seed: 0 }).length === 1);
 * ```
 */
export function selectItems(items: DatasetItem[], query: DatasetQuery): DatasetItem[] {
  switch (query.kind) {
    case "all":
      return items;
    case "subset": {
      const keyed = items.map((item) => ({
        item,
        key: contentHash({ seed: query.seed, id: item.id }),
      }));
      keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const picked = new Set(keyed.slice(0, query.count).map((k) => k.item.id));
      return items.filter((item) => picked.has(item.id));
    }
    case "item_ids": {
      const byId = new Map(items.map((item) => [item.id, item]));
      const missing = query.ids.filter((id) => !byId.has(id));
      if (missing.length > 0) {
        throw new ThemisError(
          "DATASET_INVALID",
          `dataset_query names item ids the dataset does not have: ${
            missing.slice(0, 5).join(", ")
          }` +
            (missing.length > 5 ? ` and ${missing.length - 5} more` : ""),
          { missing },
        );
      }
      return query.ids.map((id) => byId.get(id)!);
    }
    case "filter":
      return items.filter((item) =>
        Object.entries(query.where).every(([key, value]) => item.payload[key] === value)
      );
  }
}
