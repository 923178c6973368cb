/**
 * Bringing the cache up to date (DESIGN §6): new and grown event segments are read (exactly the
 * bytes of their complete lines), changed or vanished ones dropped, changed manifests and plans
 * read again; then every projection is recomputed for the keys those events touched. A
 * projection's rows of a key derive only from that key's facts, so the result is the table a
 * build from scratch gives (test/analytics_incremental_test.ts checks it).
 */
import { join } from "node:path";
import { errorMessage, isThemisError, ThemisError } from "../core/errors.ts";
import { EVENT_TYPES } from "../store/event_catalogue.ts";
import { iterSegmentEvents } from "../store/read_segments.ts";
import type { Segment } from "../store/segments.ts";
import { createTableSql, sqlString } from "./_projection.ts";
import type { Database } from "./duckdb.ts";
import { eventColumnsSql } from "./event_columns.ts";
import { forgetManifest, forgetPlan, loadManifest, loadPlan } from "./manifest_tables.ts";
import {
  BASE_TABLE_NAMES,
  BASE_TABLES,
  PROJECTION_VERSION,
  PROJECTIONS,
  VIEWS,
} from "./projections.ts";
import { findChanges, hashPrefixes, listSources, type SourceFile } from "./sources.ts";

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

type Lap = (step: string) => void;

function lapTimer(profile?: (step: string, ms: number) => void): Lap {
  let last = performance.now();
  return (step) => {
    const now = performance.now();
    profile?.(step, now - last);
    last = now;
  };
}

/** Store-relative label of a file (`runs/<id>/events/…`): the cache's key for it. */
const labelOf = (root: string, file: string) =>
  file.startsWith(root) ? file.slice(root.length + 1).replaceAll("\\", "/") : file;

async function resetCache(db: Database): Promise<void> {
  for (const view of VIEWS) await db.run(`drop view if exists ${view.name}`);
  for (const table of [...BASE_TABLE_NAMES, ...PROJECTIONS.map((p) => p.name)]) {
    await db.run(`drop table if exists ${table}`);
  }
  await db.run(BASE_TABLES);
  await db.run(`insert or replace into meta values ('projection_version', ?)`, [
    String(PROJECTION_VERSION),
  ]);
}

async function createViews(db: Database): Promise<void> {
  for (const view of VIEWS) await db.run(`create or replace view ${view.name} as ${view.select}`);
}

/** Copy bytes [from, to) of a file to a temporary file DuckDB can read. */
function sliceToTemp(file: string, from: number, to: number, dir: string): string {
  const handle = Deno.openSync(file, { read: true });
  try {
    handle.seekSync(from, Deno.SeekMode.Start);
    const bytes = new Uint8Array(to - from);
    let read = 0;
    while (read < bytes.length) {
      const n = handle.readSync(bytes.subarray(read));
      if (n === null) break;
      read += n;
    }
    const tmp = join(dir, `slice-${crypto.randomUUID().slice(0, 8)}.jsonl`);
    Deno.writeFileSync(tmp, bytes.subarray(0, read));
    return tmp;
  } finally {
    handle.close();
  }
}

/** Find the exact bad line of segments DuckDB refused, with our own strict reader. */
async function locateBadLine(segments: Segment[], cause: unknown): Promise<ThemisError> {
  for (const segment of segments) {
    try {
      for await (const _ of iterSegmentEvents(segment, { strict: true })) { /* check */ }
    } catch (error) {
      if (isThemisError(error)) return error;
    }
  }
  return new ThemisError(
    "STORE_CORRUPT",
    `Cannot load events: ${errorMessage(cause)}`,
    { files: segments.map((s) => s.label) },
    cause,
  );
}

/**
 * Read event files into `delta` and `events`: each file from its `from` byte to its last
 * complete line, so a segment that grows meanwhile is read up to what was measured, never more.
 */
async function readEvents(
  db: Database,
  files: Array<SourceFile & { from: number }>,
  o: { root: string; cacheDir: string },
): Promise<number> {
  if (files.length === 0) return 0;
  const tmpDir = join(o.cacheDir, "tmp");
  Deno.mkdirSync(tmpDir, { recursive: true });
  const reads = files.map((f) => {
    const whole = f.segment!.compressed;
    const path = whole ? f.file : sliceToTemp(f.file, f.from, f.bytes, tmpDir);
    return { path, label: labelOf(o.root, f.file), temp: !whole };
  });
  const list = `[${reads.map((r) => sqlString(r.path)).join(", ")}]`;
  const labels = reads.map((r) => `(${sqlString(r.path)}, ${sqlString(r.label)})`).join(", ");
  try {
    await db.run(`create or replace temp table added as
      select e.v, e.seq, e.ts, e.run, e.type, e.trial, e.cand, e.overlay, e.data, l.label as file
      from read_json(${list}, format = 'newline_delimited', columns = ${eventColumnsSql()},
        filename = true, maximum_object_size = 33554432) e
      join (values ${labels}) as l(path, label) on l.path = e.filename`);
  } catch (error) {
    throw await locateBadLine(files.map((f) => f.segment!), error);
  } finally {
    for (const r of reads) if (r.temp) Deno.removeSync(r.path);
  }
  const types = EVENT_TYPES.map(sqlString).join(", ");
  const bad = await db.all(`select distinct file from added where v is null or seq is null
    or ts is null or run is null or type is null or type not in (${types})`);
  if (bad.length > 0) {
    const labels = new Set(bad.map((b) => String(b.file)));
    const segments = files.filter((f) => labels.has(labelOf(o.root, f.file)));
    throw await locateBadLine(
      segments.map((f) => f.segment!),
      new Error("lines that are not themis events"),
    );
  }
  await db.run(`insert into delta select * from added; insert into events select * from added`);
  const n = await db.all(`select count(*) as n from added`);
  await db.run(`drop table added`);
  return Number(n[0].n);
}

/** Record what was read of each file: its bytes, time and content hash. */
async function recordSources(db: Database, sources: SourceFile[]): Promise<void> {
  for (const s of sources) {
    const [sha256] = hashPrefixes(s.file, [s.bytes]);
    await db.run(`insert or replace into sources values (?, ?, ?, ?, ?, ?)`, [
      s.file,
      s.run,
      s.kind,
      s.bytes,
      s.mtime,
      sha256,
    ]);
  }
}

async function readRunPlans(db: Database, root: string, runs: Set<string>): Promise<SourceFile[]> {
  const read: SourceFile[] = [];
  const sources = listSources(root).filter((s) => runs.has(s.run) && s.kind !== "events");
  for (const run of runs) {
    await forgetManifest(db, run);
    await forgetPlan(db, run);
    await db.run(`delete from sources where run = ? and kind <> 'events'`, [run]);
    await db.run(`insert into changed_runs values (?)`, [run]);
  }
  for (const run of runs) {
    const mine = sources.filter((s) => s.run === run);
    const manifest = mine.find((s) => s.kind === "manifest");
    if (!manifest) continue;
    await loadManifest(db, {
      run,
      path: manifest.file,
      size: manifest.bytes,
      v1Trials: isV1Manifest(manifest.file),
    });
    await loadPlan(db, run, mine.filter((s) => s.kind === "plan").map((s) => s.file));
    read.push(...mine);
  }
  return read;
}

/** A version 1 manifest lists its trials inline (its version is its first key). */
function isV1Manifest(path: string): boolean {
  const file = Deno.openSync(path, { read: true });
  try {
    const head = new Uint8Array(256);
    const n = file.readSync(head) ?? 0;
    return /"manifest_version":\s*1\b/.test(new TextDecoder().decode(head.subarray(0, n)));
  } finally {
    file.close();
  }
}

async function hasProjections(db: Database): Promise<boolean> {
  const names = [...PROJECTIONS, ...VIEWS].map((p) => `'${p.name}'`).join(",");
  const rows = await db.all(
    `select count(*) as n from information_schema.tables where table_name in (${names})`,
  );
  return Number(rows[0].n) === PROJECTIONS.length + VIEWS.length;
}

async function buildAll(db: Database, lap: Lap): Promise<void> {
  for (const projection of PROJECTIONS) {
    await db.run(`drop table if exists ${projection.name}`);
    await db.run(createTableSql(projection));
    await db.run(`insert into ${projection.name} by name ${projection.select()}`);
    lap(projection.name);
  }
  await createViews(db);
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

/**
 * Bring the cache up to date with the run directories (see the module comment). Everything
 * happens in one transaction: an interrupted refresh leaves the cache as it was.
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
  const version = await db.all(`select value from meta where key = 'projection_version'`);
  const reset = version.length === 0 || Number(version[0].value) !== PROJECTION_VERSION;
  if (reset) await resetCache(db);
  const changes = await findChanges(db, options.root);
  const built = !reset && await hasProjections(db);
  const report: RefreshReport = {
    rebuilt: !built,
    filesRead: changes.read.length,
    bytesRead: changes.read.reduce((n, f) => n + f.bytes - f.from, 0),
    manifestsRead: changes.runs.size,
  };
  if (built && !changes.read.length && !changes.drop.length && !changes.runs.size) {
    for (const s of changes.touched) {
      await db.run(`update sources set mtime = ? where file = ?`, [s.mtime, s.file]);
    }
    return report;
  }
  lap("find changes");
  await db.run("begin transaction");
  try {
    await db.run(`create or replace temp table delta as select * from events limit 0;
      create or replace temp table changed_runs (run varchar)`);
    for (const file of changes.drop) {
      const label = labelOf(options.root, file);
      await db.run(`insert into delta select * from events where file = ?`, [label]);
      await db.run(`delete from events where file = ?`, [label]);
      await db.run(`delete from sources where file = ?`, [file]);
    }
    const eventFiles = changes.read.filter((f) => f.kind === "events");
    const before = Number((await db.all(`select count(*) as n from events`))[0].n);
    const added = await readEvents(db, eventFiles, options);
    lap("read events");
    const plans = await readRunPlans(db, options.root, changes.runs);
    lap("read manifests and plans");
    await recordSources(db, [...eventFiles, ...plans, ...changes.touched]);
    // Updating keys one by one costs more than building anew once most facts are new.
    if (!built || before === 0 || added > before) {
      report.rebuilt = true;
      await buildAll(db, lap);
    } else await updateAffected(db, lap);
    await db.run(`drop table delta; drop table changed_runs; commit`);
    lap("commit");
  } catch (error) {
    await db.run("rollback").catch(() => {});
    throw error;
  }
  return report;
}
