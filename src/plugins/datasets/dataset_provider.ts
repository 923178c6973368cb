import type { JsonObject } from "../../core/json.ts";
import type { DatasetQuery } from "../../spec/schemas.ts";

/** A value a dataset query parameter may take. */
export type DatasetSqlParam = string | number | boolean | null;

/**
 * The SQL engine file datasets are read with (DuckDB, handed in by the planner so that this
 * layer does not import analytics). `all` runs one query with `$name` parameters and returns
 * plain rows (integers as numbers, JSON as text).
 */
export interface DatasetSql {
  all(
    sql: string,
    params?: Record<string, DatasetSqlParam>,
  ): Promise<Array<Record<string, unknown>>>;
  /** The rows of one query in chunks, as they come (large files never sit in memory whole). */
  stream(
    sql: string,
    params?: Record<string, DatasetSqlParam>,
  ): AsyncIterable<Array<Record<string, unknown>>>;
}

/** What a dataset provider gets besides its config. */
export interface DatasetProviderContext {
  /** The folder of the spec file: where the provider's own relative paths resolve from. */
  baseDir: string;
  /** The slice's query, for information: themis applies it to the rows the provider returns. */
  query: DatasetQuery;
  /** The slice (or task) the rows are for. */
  sliceId: string;
}

/**
 * A dataset provider plugin: returns the rows of a dataset from anywhere (a package, an API
 * mirror on disk, a generator). Themis gives the rows stable ids (the dataset's `id_field`,
 * else `id`, else a hash of the row), applies `fields` and the slice's query, and hashes the
 * content into the manifest. Runs at planning time in the main thread.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DatasetProvider } from "./dataset_provider.ts";
 * const squares: DatasetProvider = {
 *   id: "squares",
 *   load: (config) =>
 *     Array.from({ length: Number(config.n ?? 3) }, (_, i) => ({ id: `sq${i}`, q: `${i}*${i}`, answer: i * i })),
 * };
 * assert.equal(squares.id, "squares");
 * ```
 */
export interface DatasetProvider {
  /** The id a dataset's `provider` names. */
  id: string;
  /** The plugin API it was written for (default: the current {@linkcode PLUGIN_API_VERSION}). */
  pluginApi?: number;
  /** Throws a ThemisError("SPEC_INVALID") when the config is unusable (checked at planning). */
  validateConfig?(config: JsonObject): void;
  /** The rows, each a JSON object. */
  load(
    config: JsonObject,
    context: DatasetProviderContext,
  ): Promise<JsonObject[]> | JsonObject[];
}
