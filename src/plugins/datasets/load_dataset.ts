import { errorMessage, isThemisError, ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import type { DatasetQuery, DatasetSpec } from "../../spec/schemas.ts";
import type { DatasetProvider, DatasetSql } from "./dataset_provider.ts";
import { withFields } from "./field_path.ts";
import { readFileDataset, readFileDatasetGroups } from "./read_file_dataset.ts";
import { readJsonlDataset, readsWithoutSql } from "./read_jsonl_dataset.ts";
import { groupItems, type ItemGroup } from "./group_items.ts";
import { assignItemIds, selectItems } from "./select_items.ts";
import { ItemList } from "./item_list.ts";

/** Where a dataset's rows come from besides the spec. */
export interface LoadDatasetOptions {
  /** Where relative dataset paths resolve from: the folder of the spec file. */
  baseDir: string;
  /** The slice's query (default: all items). */
  query?: DatasetQuery;
  /** Opens the SQL engine file datasets are read with (called once, only when needed). */
  sql?: () => Promise<DatasetSql>;
  /** Looks a dataset provider up by id (throws `PLUGIN_NOT_FOUND` for an unknown one). */
  provider?: (id: string) => DatasetProvider;
  /** The slice (or task) id, for providers and messages. */
  sliceId?: string;
}

/** A slice's items, picked by its query, and the number of items the dataset has. */
export interface LoadedDataset {
  items: ItemList;
  total: number;
}

function withIds(rows: JsonObject[], spec: DatasetSpec, source: string) {
  return assignItemIds(rows.map((row) => withFields(row, spec.fields)), {
    idField: spec.id_field ?? "id",
    required: spec.id_field !== undefined,
    source,
    raw: rows,
  });
}

function pick(
  rows: JsonObject[],
  spec: DatasetSpec,
  options: { query: DatasetQuery; source: string },
): LoadedDataset {
  const all = withIds(rows, spec, options.source);
  return { items: ItemList.from(selectItems(all, options.query)), total: all.length };
}

/** A provider's rows as plain JSON objects, or a clear error naming the provider and row. */
function checkRows(rows: unknown, id: string): JsonObject[] {
  if (!Array.isArray(rows)) {
    throw new ThemisError(
      "PLUGIN_INVALID",
      `dataset provider "${id}" must return an array of row objects, got ${typeof rows}`,
    );
  }
  return rows.map((row, index) => {
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      throw new ThemisError(
        "DATASET_INVALID",
        `dataset provider "${id}": row ${index + 1} is not an object`,
        { row: index + 1 },
      );
    }
    // Through JSON, as a file would be: dates become text, undefined members disappear.
    return JSON.parse(JSON.stringify(row)) as JsonObject;
  });
}

async function providerRows(
  spec: Extract<DatasetSpec, { kind: "provider" }>,
  options: LoadDatasetOptions & { query: DatasetQuery },
): Promise<JsonObject[]> {
  if (options.provider === undefined) {
    throw new ThemisError(
      "PLUGIN_NOT_FOUND",
      `Unknown dataset provider "${spec.provider}": no dataset providers are registered`,
    );
  }
  const provider = options.provider(spec.provider);
  let rows: unknown;
  try {
    rows = await provider.load((spec.config ?? {}) as JsonObject, {
      baseDir: options.baseDir,
      query: options.query,
      sliceId: options.sliceId ?? "",
    });
  } catch (error) {
    if (isThemisError(error)) throw error;
    throw new ThemisError(
      "PLUGIN_ERROR",
      `dataset provider "${spec.provider}" failed: ${errorMessage(error)}`,
      { provider: spec.provider },
      error,
    );
  }
  return checkRows(rows, spec.provider);
}

/** The SQL engine a file dataset is read with (the caller must pass one). */
function sqlFor(
  spec: { kind: string; path: string },
  options: { sql?: () => Promise<DatasetSql> },
): Promise<DatasetSql> {
  if (options.sql === undefined) {
    throw new ThemisError(
      "INTERNAL",
      `Reading the ${spec.kind} dataset "${spec.path}" needs a SQL engine (options.sql)`,
    );
  }
  return options.sql();
}

/**
 * Load a slice's dataset and pick its items with the slice's query: inline items, JSONL / CSV /
 * Parquet files read through SQL with the query pushed down (a plain JSONL file whose query has
 * no filter is streamed in JavaScript instead, with the same result), or the rows of a dataset
 * provider plugin. Every item gets a stable id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadDataset } from "./load_dataset.ts";
 * const { items } = await loadDataset({ kind: "inline", items: [{ id: "1" }, { id: "2" }] }, {
 *   baseDir: ".",
 *   query: { kind: "item_ids", ids: ["2"] },
 * });
 * assert.ok(items.length === 1 && items.id(0) === "2");
 * ```
 */
export async function loadDataset(
  spec: DatasetSpec,
  options: LoadDatasetOptions,
): Promise<LoadedDataset> {
  const query = options.query ?? { kind: "all" };
  switch (spec.kind) {
    case "inline":
      return pick(spec.items as JsonObject[], spec, { query, source: "inline dataset" });
    case "jsonl":
    case "csv":
    case "parquet": {
      // Plain JSONL needs no SQL engine; anything unusual in it is left to the SQL reader.
      const plain = readsWithoutSql(spec, query)
        ? await readJsonlDataset(spec, { baseDir: options.baseDir, query })
        : undefined;
      return plain ?? await readFileDataset(spec, {
        baseDir: options.baseDir,
        query,
        sql: await sqlFor(spec, options),
      });
    }
    case "provider":
      return pick(await providerRows(spec, { ...options, query }), spec, {
        query,
        source: `dataset provider "${spec.provider}"`,
      });
  }
}

/** A slice's dataset split by `slice_by`: each value's items, and the dataset's size. */
export interface LoadedGroups {
  groups: ItemGroup[];
  total: number;
}

/**
 * Load a dataset for `slice_by`: its items grouped by the values of `by` (the query's `where`
 * first, then `subset` / `stratified` within each group), sorted by value; files group in SQL
 * as they are read. More than `max` groups, a field no item has, or an item without a value
 * are `DATASET_INVALID` errors that say what to change.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadDatasetGroups } from "./load_dataset.ts";
 * const items = [{ id: "1", cat: "b" }, { id: "2", cat: "a" }, { id: "3", cat: "b" }];
 * const { groups } = await loadDatasetGroups({ kind: "inline", items }, {
 *   baseDir: ".", by: ["cat"], max: 10,
 * });
 * assert.deepEqual(groups.map((g) => [g.values[0], g.items.length]), [["a", 1], ["b", 2]]);
 * ```
 */
export async function loadDatasetGroups(
  spec: DatasetSpec,
  options: LoadDatasetOptions & { by: string[]; max: number },
): Promise<LoadedGroups> {
  const query = options.query ?? { kind: "all" };
  const group = (rows: JsonObject[], source: string): LoadedGroups => {
    const all = withIds(rows, spec, source);
    const groups = groupItems(all, query, { fields: options.by, max: options.max, source });
    return { groups, total: all.length };
  };
  switch (spec.kind) {
    case "inline":
      return group(spec.items as JsonObject[], "inline dataset");
    case "jsonl":
    case "csv":
    case "parquet": {
      return await readFileDatasetGroups(spec, {
        baseDir: options.baseDir,
        query,
        sql: await sqlFor(spec, options),
        groupBy: { fields: options.by, max: options.max },
      });
    }
    case "provider":
      return group(
        await providerRows(spec, { ...options, query }),
        `dataset provider "${spec.provider}"`,
      );
  }
}

/** The part of a dataset spec that identifies it (not its content, which items carry). */
export function datasetSource(spec: DatasetSpec): Json {
  switch (spec.kind) {
    case "inline":
      return { kind: "inline" };
    case "provider":
      return { kind: "provider", provider: spec.provider, config: spec.config ?? {} };
    default:
      return { kind: spec.kind, path: spec.path };
  }
}

export type { DatasetItem } from "./select_items.ts";
