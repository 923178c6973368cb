/**
 * Bringing the cache up to date: new bytes of event files and new or changed manifests are
 * read, then every projection is recomputed for the keys they touched. A projection's rows of
 * a key derive only from that key's facts, so the result is the table a build from scratch
 * gives (test/analytics_incremental_test.ts checks it).
 */
import { join } from "node:path";
import { errorMessage, ThemisError } from "../core/errors.ts";
import { completeLength, iterEvents } from "../store/event_log.ts";
import { storePaths } from "../store/paths.ts";
import type { Database } from "./duckdb.ts";
import {
  forgetManifest,
  listManifests,
  loadManifest,
  type ManifestFile,
} from "./manifest_tables.ts";
import {
  BASE_TABLE_NAMES,
  BASE_TABLES,
  createTableSql,
  PROJECTION_VERSION,
  PROJECTIONS,
  readEventsSql,
} from "./projections.ts";

/** Where the store is, and an optional probe of each step's time (the bench uses it). */
export interface RefreshOptions {
  root: string;
  cacheDir: string;
  profile?: (step: string, ms: number) => void;
}

/** What one refresh did. */
export interface RefreshReport {
  rebuilt: boolean;
  filesRead: number;
  bytesRead: number;
  manifestsRead: number;
}

async function listEventFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(storePaths.runs(root))) {
      if (entry.isDirectory) files.push(join(storePaths.runs(root), entry.name, "events.jsonl"));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return files.sort();
}

async function sliceToTemp(file: string, from: number, to: number, dir: string): Promise<string> {
  const handle = await Deno.open(file, { read: true });
  try {
    await handle.seek(from, Deno.SeekMode.Start);
    const bytes = new Uint8Array(to - from);
    let read = 0;
    while (read < bytes.length) {
      const n = await handle.read(bytes.subarray(read));
      if (n === null) break;
      read += n;
    }
    const tmp = join(dir, `slice-${crypto.randomUUID().slice(0, 8)}.jsonl`);
    await Deno.writeFile(tmp, bytes.subarray(0, read));
    return tmp;
  } finally {
    handle.close();
  }
}

/** What changed on disk since the cache last looked. */
interface Changes {
  files: Array<{ file: string; from: number; complete: number; size: number }>;
  manifests: ManifestFile[];
  gone: string[];
  reset: boolean;
}

async function findChanges(db: Database, root: string): Promise<Changes> {
  const version = await db.all(`select value from meta where key = 'projection_version'`);
  const known = new Map(
    (await db.all(`select file, bytes from sources`)).map((r) => [String(r.file), Number(r.bytes)]),
  );
  const sizes = new Map<string, { complete: number; size: number }>();
  for (const file of await listEventFiles(root)) {
    const length = completeLength(file);
    if (length) sizes.set(file, length);
  }
  const shrunk = [...known].some(([file, bytes]) => (sizes.get(file)?.complete ?? -1) < bytes);
  const reset = version.length === 0 || Number(version[0].value) !== PROJECTION_VERSION || shrunk;
  const files = [...sizes].map(([file, s]) => ({
    file,
    from: reset ? 0 : known.get(file) ?? 0,
    ...s,
  }))
    .filter((f) => f.complete > f.from);
  const seen = new Map(
    (await db.all(`select run, size, mtime from manifest_sources`)).map((r) => [
      String(r.run),
      `${r.size}:${r.mtime}`,
    ]),
  );
  const onDisk = await listManifests(root);
  const manifests = onDisk.filter((m) => reset || seen.get(m.run) !== `${m.size}:${m.mtime}`);
  const present = new Set(onDisk.map((m) => m.run));
  const gone = reset ? [] : [...seen.keys()].filter((run) => !present.has(run));
  return { files, manifests, gone, reset };
}

async function resetCache(db: Database): Promise<void> {
  for (const table of [...BASE_TABLE_NAMES, ...PROJECTIONS.map((p) => p.name)]) {
    await db.run(`drop table if exists ${table}`);
  }
  await db.run(BASE_TABLES);
  await db.run(`insert or replace into meta values ('projection_version', ?)`, [
    String(PROJECTION_VERSION),
  ]);
}

async function loadEvents(
  db: Database,
  f: Changes["files"][number],
  cacheDir: string,
): Promise<void> {
  const direct = f.from === 0 && f.complete === f.size;
  const source = direct ? f.file : await sliceToTemp(f.file, f.from, f.complete, cacheDir);
  try {
    await db.run(`insert into delta ${readEventsSql(source)}`);
  } catch (error) {
    // Find the exact bad line with our own reader, which names file and line.
    for await (const _ of iterEvents(f.file)) { /* throws STORE_CORRUPT at the bad line */ }
    throw new ThemisError(
      "STORE_CORRUPT",
      `Cannot load events from "${f.file}": ${errorMessage(error)}`,
      { file: f.file },
      error,
    );
  } finally {
    if (!direct) await Deno.remove(source).catch(() => {});
  }
}

async function hasProjections(db: Database): Promise<boolean> {
  const names = PROJECTIONS.map((p) => `'${p.name}'`).join(",");
  const rows = await db.all(
    `select count(*) as n from information_schema.tables where table_name in (${names})`,
  );
  return Number(rows[0].n) === PROJECTIONS.length;
}

async function buildAll(db: Database, lap: Lap): Promise<void> {
  for (const projection of PROJECTIONS) {
    await db.run(`drop table if exists ${projection.name}`);
    await db.run(createTableSql(projection));
    await db.run(`insert into ${projection.name} by name ${projection.select()}`);
    lap(projection.name);
  }
}

async function updateAffected(db: Database, lap: Lap): Promise<void> {
  // Every key set is taken before any table changes: `affected` reads the old state.
  for (const p of PROJECTIONS) await db.run(`create temp table k_${p.name} as ${p.affected}`);
  lap("affected keys");
  for (const p of PROJECTIONS) {
    const match = p.key.map((k) => `${p.name}.${k} = k.${k}`).join(" and ");
    await db.run(`delete from ${p.name} using k_${p.name} k where ${match}`);
    await db.run(`insert into ${p.name} by name ${p.select(`k_${p.name}`)}`);
    await db.run(`drop table k_${p.name}`);
    lap(p.name);
  }
}

type Lap = (step: string) => void;

function lapTimer(profile?: (step: string, ms: number) => void): Lap {
  let last = performance.now();
  return (step) => {
    const now = performance.now();
    profile?.(step, now - last);
    last = now;
  };
}

/**
 * Bring the cache up to date with the run directories: grown event files and new or changed
 * manifests are read and the projections updated for what they touched; a file that shrank or
 * vanished (a deleted run) or a new projection version rebuilds everything from scratch.
 * Everything happens in one transaction: an interrupted refresh leaves the cache as it was.
 *
 * @example
 * ```ts
 * // const report = await refreshCache(db, { root: "themis-store", cacheDir: "themis-store/.cache" });
 * // report.rebuilt, report.filesRead, report.bytesRead
 * ```
 */
export async function refreshCache(
  db: Database,
  options: RefreshOptions,
): Promise<RefreshReport> {
  const lap = lapTimer(options.profile);
  const changes = await findChanges(db, options.root);
  const built = await hasProjections(db);
  const report: RefreshReport = {
    rebuilt: changes.reset || !built,
    filesRead: changes.files.length,
    bytesRead: changes.files.reduce((n, f) => n + f.complete - f.from, 0),
    manifestsRead: changes.manifests.length,
  };
  const idle = !report.rebuilt && !report.filesRead && !report.manifestsRead &&
    changes.gone.length === 0;
  if (idle) return report;
  await db.run("begin transaction");
  try {
    if (changes.reset) await resetCache(db);
    await db.run(`create or replace temp table delta as select * from events limit 0;
      create or replace temp table changed_runs (run varchar)`);
    for (const f of changes.files) await loadEvents(db, f, options.cacheDir);
    lap("read events");
    for (const m of changes.manifests) {
      await loadManifest(db, m);
      await db.run(`insert into changed_runs values (?)`, [m.run]);
    }
    lap("read manifests");
    for (const run of changes.gone) {
      await forgetManifest(db, run);
      await db.run(`insert into changed_runs values (?)`, [run]);
    }
    await db.run(`insert into events select * from delta`);
    lap("store events");
    if (report.rebuilt) await buildAll(db, lap);
    else await updateAffected(db, lap);
    for (const f of changes.files) {
      await db.run(`insert or replace into sources values (?, ?)`, [f.file, f.complete]);
    }
    await db.run(`drop table delta; drop table changed_runs; commit`);
    lap("commit");
  } catch (error) {
    await db.run("rollback").catch(() => {});
    throw error;
  }
  return report;
}
