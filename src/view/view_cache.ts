/**
 * The view's own analytics cache (`.cache/view.duckdb`). A DuckDB file has one writer at a
 * time, and a long-lived server holding the store's `analytics.duckdb` would push every
 * `themis run`, `sql` or `report` meanwhile into an in-memory rebuild; so the view keeps its
 * own file, seeded once from the shared cache when that one is free (docs/design/view.md).
 */
import { copyFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { Database } from "../analytics/duckdb.ts";
import { storePaths } from "../store/paths.ts";

/** Where the view's cache lives in a store. */
export function viewCachePath(root: string): string {
  return join(storePaths.cache(root), "view.duckdb");
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/**
 * The view's cache file, seeded from the shared cache on first use: a copy of a consistent
 * file (taken while holding a read lock, and only without a pending write-ahead log) that the
 * incremental refresh then brings up to date. When the shared cache is busy or absent, the
 * view builds its own from the events. Returns the path and whether it was seeded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareViewCache, viewCachePath } from "./view_cache.ts";
 * const root = await Deno.makeTempDir();
 * assert.deepEqual(await prepareViewCache(root), { file: viewCachePath(root), seeded: false });
 * ```
 */
export async function prepareViewCache(root: string): Promise<{ file: string; seeded: boolean }> {
  const file = viewCachePath(root);
  if (await exists(file)) return { file, seeded: false };
  // A log without its database would be replayed into a fresh file: drop the orphan.
  await Deno.remove(`${file}.wal`).catch(() => {});
  const shared = storePaths.analytics(root);
  if (!(await exists(shared)) || (await exists(`${shared}.wal`))) return { file, seeded: false };
  let db: Database;
  try {
    db = await Database.open(shared, { readOnly: true });
  } catch {
    return { file, seeded: false }; // a writer holds it: build from the events instead
  }
  const partial = `${file}.${crypto.randomUUID().slice(0, 8)}.partial`;
  try {
    await copyFile(shared, partial);
    await rename(partial, file);
    return { file, seeded: true };
  } catch {
    await Deno.remove(partial).catch(() => {});
    return { file, seeded: false };
  } finally {
    db.close();
  }
}
