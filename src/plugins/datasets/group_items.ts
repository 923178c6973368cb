/**
 * Slices from data (`slice_by`): the items of a dataset grouped by the values of some fields,
 * each group picked with the slice's query on its own. Pure; files group in SQL's first pass
 * (read_file_dataset.ts) with the same rules.
 */
import { closestMatch } from "../../core/closest.ts";
import { ThemisError } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";
import type { DatasetQuery } from "../../spec/schemas.ts";
import { readPath } from "./field_path.ts";
import { ItemList } from "./item_list.ts";
import { type DatasetItem, selectItems } from "./select_items.ts";

/** A value a slice is made for: text, a number or a boolean. */
export type SliceValue = string | number | boolean;

/** The items of one value (or combination of values) of the `slice_by` fields. */
export interface ItemGroup {
  values: SliceValue[];
  items: ItemList;
}

/** How many slices `slice_by` makes at most unless `max_slices` says otherwise. */
export const DEFAULT_MAX_SLICES = 100;

/** What grouping needs besides the items. */
export interface GroupOptions {
  /** The `slice_by` fields (names, aliases from `fields`, or dotted paths). */
  fields: string[];
  /** The most groups allowed (`max_slices`). */
  max: number;
  /** Names the dataset in messages (`data/qa.jsonl`, `inline dataset`). */
  source: string;
}

/**
 * A row's value of a `slice_by` field, or a `DATASET_INVALID` error naming the row: a missing
 * value, a list or a table cannot make a slice.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sliceValue } from "./group_items.ts";
 * const where = { field: "level", row: "item \"q1\"", source: "inline dataset" };
 * assert.equal(sliceValue(2, where), 2);
 * assert.throws(() => sliceValue(undefined, where), { code: "DATASET_INVALID" });
 * ```
 */
export function sliceValue(
  value: Json | undefined,
  where: { field: string; row: string; source: string },
): SliceValue {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  const what = value === undefined || value === null
    ? "has no value for"
    : `has ${Array.isArray(value) ? "a list" : "a table"} in`;
  throw new ThemisError(
    "DATASET_INVALID",
    `${where.source}: ${where.row} ${what} "${where.field}"; slice_by needs text, a number or ` +
      `true/false on every item it slices`,
    {
      path: "slice_by",
      suggestion: `give every item a "${where.field}", or keep only those that have one with ` +
        `dataset_query.where`,
    },
  );
}

/** The error of a field that no item has, with the name it probably meant. */
export function noSuchField(field: string, keys: string[], source: string): ThemisError {
  const guess = closestMatch(field, keys);
  return new ThemisError(
    "DATASET_INVALID",
    `${source}: no item has the slice_by field "${field}"` +
      (guess ? ` (did you mean "${guess}"?)` : "") +
      (keys.length ? `; the first item has ${keys.map((k) => `"${k}"`).join(", ")}` : ""),
    { path: "slice_by" },
  );
}

/** The error of a field with more values than slices allowed. */
export function tooManySlices(options: Pick<GroupOptions, "fields" | "max" | "source">) {
  const fields = options.fields.map((f) => `"${f}"`).join(" × ");
  return new ThemisError(
    "DATASET_INVALID",
    `${options.source}: slice_by ${fields} makes more than ${options.max} slices (max_slices)`,
    {
      path: "slice_by",
      suggestion: `slice by a field with fewer values, keep fewer rows with dataset_query.where, ` +
        `or raise max_slices above ${options.max} if you mean it`,
    },
  );
}

/**
 * Order of slice values: numbers by value, text by code units, false before true; across
 * types, booleans, then numbers, then text. Element by element for combinations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareValues } from "./group_items.ts";
 * const sorted = [[10], [9], ["b"], ["a"], [true]].sort(compareValues);
 * assert.deepEqual(sorted, [[true], [9], [10], ["a"], ["b"]]);
 * ```
 */
export function compareValues(a: ReadonlyArray<SliceValue>, b: ReadonlyArray<SliceValue>): number {
  const rank = (v: SliceValue) => (typeof v === "boolean" ? 0 : typeof v === "number" ? 1 : 2);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i], b[i]];
    if (rank(x) !== rank(y)) return rank(x) - rank(y);
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Groups by value tuple, in first-seen order, bounded by `max`. */
export class GroupIndex {
  readonly values: SliceValue[][] = [];
  readonly #index = new Map<string, number>();
  constructor(readonly options: Pick<GroupOptions, "fields" | "max" | "source">) {}

  /** The group of a value tuple (a new one when first seen). */
  of(values: SliceValue[]): number {
    const key = JSON.stringify(values);
    let index = this.#index.get(key);
    if (index === undefined) {
      if (this.values.length === this.options.max) throw tooManySlices(this.options);
      index = this.values.length;
      this.values.push(values);
      this.#index.set(key, index);
    }
    return index;
  }

  /** Group indexes sorted by their values (see `compareValues`). */
  sorted(): number[] {
    return this.values.map((_, i) => i).sort((a, b) =>
      compareValues(this.values[a], this.values[b])
    );
  }
}

/**
 * The query each group is picked with once the slice's `where` has already been applied.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { queryWithinGroup } from "./group_items.ts";
 * assert.deepEqual(queryWithinGroup({ kind: "subset", count: 5, seed: 1, where: { a: 1 } }), {
 *   kind: "subset", count: 5, seed: 1, where: undefined,
 * });
 * ```
 */
export function queryWithinGroup(query: DatasetQuery): DatasetQuery {
  if (query.kind === "filter") return { kind: "all" };
  if (query.kind === "subset" || query.kind === "stratified") return { ...query, where: undefined };
  return query;
}

/**
 * Group items (already given ids) by the values of the `slice_by` fields and pick each group
 * with the slice's query: its `where` first over all items, then `subset` / `stratified` within
 * each group — the same items a hand-written slice per value with that value in its `where`
 * would pick. Groups come sorted by value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupItems } from "./group_items.ts";
 * const items = [
 *   { id: "1", payload: { cat: "b", split: "test" } },
 *   { id: "2", payload: { cat: "a", split: "test" } },
 *   { id: "3", payload: { cat: "b", split: "train" } },
 * ];
 * const groups = groupItems(items, { kind: "filter", where: { split: "test" } }, {
 *   fields: ["cat"], max: 10, source: "inline dataset",
 * });
 * assert.deepEqual(groups.map((g) => [g.values, g.items.toArray().map((i) => i.id)]), [
 *   [["a"], ["2"]],
 *   [["b"], ["1"]],
 * ]);
 * ```
 */
export function groupItems(
  items: ReadonlyArray<DatasetItem>,
  query: DatasetQuery,
  options: GroupOptions,
): ItemGroup[] {
  const where = "where" in query ? query.where : undefined;
  const kept = where === undefined
    ? [...items]
    : selectItems([...items], { kind: "filter", where });
  for (const field of options.fields) {
    if (kept.length > 0 && kept.every((item) => readPath(item.payload, field) == null)) {
      throw noSuchField(field, Object.keys(kept[0].payload), options.source);
    }
  }
  const index = new GroupIndex(options);
  const members: DatasetItem[][] = [];
  for (const item of kept) {
    const values = options.fields.map((field) => readPath(item.payload, field));
    const g = index.of(values.map((value, i) =>
      sliceValue(value, {
        field: options.fields[i],
        row: `item "${item.id}"`,
        source: options.source,
      })
    ));
    (members[g] ??= []).push(item);
  }
  const within = queryWithinGroup(query);
  return index.sorted().map((g) => ({
    values: index.values[g],
    items: ItemList.from(selectItems(members[g], within)),
  }));
}

/**
 * The group of each kept row of a file from its `g0, g1, …` columns (the JSON text of each
 * field's value, from SQL). A missing value is reported once the pass is over: as a field no
 * row has (with the name it probably meant), else as the first row without it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rowGrouping } from "./group_items.ts";
 * const grouping = rowGrouping({ fields: ["cat"], max: 10 }, "d.jsonl");
 * assert.deepEqual([grouping.add(1, { g0: '"a"' }), grouping.add(2, { g0: '"b"' })], [0, 1]);
 * assert.equal(grouping.add(3, { g0: null }), -1);
 * await assert.rejects(() => grouping.check(async () => []), /d\.jsonl: row 3 has no value/);
 * ```
 */
export function rowGrouping(groupBy: { fields: string[]; max: number }, source: string) {
  const index = new GroupIndex({ ...groupBy, source });
  const seen = groupBy.fields.map(() => false);
  let firstMissing: { rn: number; field: number; value: Json | undefined } | undefined;
  return {
    index,
    add(rn: number, row: Record<string, unknown>): number {
      const raw = groupBy.fields.map((_, i) => {
        const text = row[`g${i}`];
        return text === null || text === undefined ? undefined : JSON.parse(String(text)) as Json;
      });
      raw.forEach((value, i) => {
        if (value !== undefined && value !== null) seen[i] = true;
      });
      const values: SliceValue[] = [];
      for (const [i, field] of groupBy.fields.entries()) {
        try {
          values.push(sliceValue(raw[i], { field, row: `row ${rn}`, source }));
        } catch (error) {
          // A list or a table is reported at once; a missing value once the pass is over.
          if (raw[i] !== undefined && raw[i] !== null) throw error;
          firstMissing ??= { rn, field: i, value: raw[i] };
          return -1;
        }
      }
      return index.of(values);
    },
    async check(names: () => Promise<string[]>): Promise<void> {
      const never = seen.indexOf(false);
      if (firstMissing && never >= 0) {
        throw noSuchField(groupBy.fields[never], await names(), source);
      }
      if (firstMissing) {
        const { rn, field, value } = firstMissing;
        sliceValue(value, { field: groupBy.fields[field], row: `row ${rn}`, source });
      }
    },
  };
}
