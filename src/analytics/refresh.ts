/**
 * Bringing the cache up to date (DESIGN §6). New event bytes are read once, with the types the
 * event catalogue gives them, into a temporary table `ev`; from it the narrow `events` table and
 * the fact tables take their rows, then each touched key keeps its first fact, and the derived
 * projections are recomputed for the keys that changed. Exactly the bytes of complete lines are
 * read and recorded; an edited or vanished segment, a new projection version or a cache built
 * mostly from new events builds everything anew, segment batch by segment batch, so memory
 * stays bounded (test/analytics_incremental_test.ts checks both paths give the same tables).
 */
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { errorMessage, isThemisError, ThemisError } from "../core/errors.ts";
import { EVENT_TYPES } from "../store/event_catalogue.ts";
import { iterSegmentEvents } from "../store/read_segments.ts";
import type { Segment } from "../store/segments.ts";
import type { FactProjection } from "./_projection.ts";
import { sqlString } from "./_projection.ts";
import type { Database } from "./duckdb.ts";
import { dataStructType, eventColumnsSql } from "./event_columns.ts";
import { forgetManifest, forgetPlan, loadManifest, loadPlan } from "./manifest_tables.ts";
import {
  BASE_TABLES,
  createDataTablesSql,
  EVENTS_FROM_EV,
  FACT_PROJECTIONS,
  PROJECTION_VERSION,
  PROJECTIONS,
  REBUILT_TABLES,
  VIEWS,
} from "./projections.ts";
import { candidateCostSql } from "./projections_facts.ts";
import {
  type ClosedSegment,
  findChanges,
  hashPrefixes,
  listSources,
  type SourceFile,
} from "./sources.ts";

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
type EventFile = SourceFile & { from: number; to?: number };
type Context = RefreshOptions & { lap: Lap; db: Database };

/** An empty `ev` (events as read, with their typed `data`). */
const EMPTY_EV = `create or replace temp table ev as select null::integer as v, null::bigint as seq,
  null::timestamptz as ts, null::varchar as run, null::varchar as type, null::varchar as trial,
  null::varchar as cand, null::varchar as overlay, null::${dataStructType()} as data,
  null::varchar as file where false`;

/** Raw bytes a full rebuild reads per batch of segments (compressed ones count ten-fold). */
const BATCH_BYTES = 96 << 20;
/** DuckDB's own limit of one JSON line, and the one a longer line is read again with. */
const DEFAULT_OBJECT_SIZE = 16 << 20;
const LARGE_OBJECT_SIZE = 256 << 20;

function lapTimer(profile?: (step: string, ms: number) => void): Lap {
  let last = performance.now();
  return (step) => {
    const now = performance.now();
    profile?.(step, now - last);
    last = now;
  };
}

/** Store-relative label of a file (`runs/<id>/events/…`): the cache's name for it. */
const labelOf = (root: string, file: string) =>
  file.startsWith(root) ? file.slice(root.length + 1).replaceAll("\\", "/") : file;

/** Write bytes to a temporary file DuckDB can read. */
function toTemp(bytes: Uint8Array, dir: string): string {
  const tmp = join(dir, `slice-${crypto.randomUUID().slice(0, 8)}.jsonl`);
  Deno.writeFileSync(tmp, bytes);
  return tmp;
}

/** Copy bytes [from, to) of a file (decompressed, for a compressed one) to a temporary file. */
function sliceToTemp(f: EventFile, dir: string): string {
  if (f.segment!.compressed) {
    return toTemp(gunzipSync(Deno.readFileSync(f.file)).subarray(f.from, f.to), dir);
  }
  const [file, from, to] = [f.file, f.from, f.to ?? f.bytes];
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
    return toTemp(bytes.subarray(0, read), dir);
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
 * Read event files into the temp table `ev`: each from its `from` byte to its last complete
 * line, so a segment that grows meanwhile is read up to what was measured, never more.
 */
async function readEv(c: Context, files: EventFile[]): Promise<void> {
  const tmpDir = join(c.cacheDir, "tmp");
  Deno.mkdirSync(tmpDir, { recursive: true });
  const reads = files.map((f) => {
    const whole = f.segment!.compressed && f.from === 0;
    const path = whole ? f.file : sliceToTemp(f, tmpDir);
    return { path, label: labelOf(c.root, f.file), temp: !whole };
  });
  const cases = reads.map((r) => `when ${sqlString(r.path)} then ${sqlString(r.label)}`);
  const list = reads.map((r) => sqlString(r.path)).join(", ");
  const read = (size: number) =>
    c.db.run(`create or replace temp table ev as
      select v, seq, ts, run, type, trial, cand, overlay, data,
        case filename ${cases.join(" ")} end as file
      from read_json([${list}], format = 'newline_delimited', columns = ${eventColumnsSql()},
        filename = true, maximum_object_size = ${size})`);
  try {
    try {
      await read(DEFAULT_OBJECT_SIZE);
    } catch (error) {
      // A line longer than DuckDB's default buffer: read again with room for it.
      if (!/maximum_object_size/.test(errorMessage(error))) throw error;
      await read(LARGE_OBJECT_SIZE);
    }
  } catch (error) {
    throw await locateBadLine(files.map((f) => f.segment!), error);
  } finally {
    for (const r of reads) if (r.temp) Deno.removeSync(r.path);
  }
  const types = EVENT_TYPES.map(sqlString).join(", ");
  const bad = await c.db.all(`select distinct file from ev where v is null or seq is null
    or ts is null or run is null or type is null or type not in (${types})`);
  if (bad.length > 0) {
    const labels = new Set(bad.map((b) => String(b.file)));
    const segments = files.filter((f) => labels.has(labelOf(c.root, f.file)));
    throw await locateBadLine(
      segments.map((f) => f.segment!),
      new Error("lines that are not themis events"),
    );
  }
}

/** Rows of `ev` into `events` and every fact table; touched keys into `k_<table>`. */
async function storeEv(c: Context, keys: boolean): Promise<void> {
  await c.db.run(`insert into events by name ${EVENTS_FROM_EV}`);
  c.lap("events");
  for (const p of FACT_PROJECTIONS) {
    await c.db.run(`insert into ${p.name} by name ${p.facts}`);
    c.lap(p.name);
    if (keys) {
      await c.db.run(`insert into k_${p.name} select distinct ${p.key.join(", ")}
        from (${p.facts})`);
    }
  }
}

/** Keep only each key's first fact, for the keys in `scope` (every key with a duplicate if none). */
async function keepFirst(db: Database, p: FactProjection, scope?: string): Promise<void> {
  const keys = p.key.join(", ");
  const rows = scope
    ? `${p.name} semi join ${scope} using (${keys})`
    : `${p.name} semi join (select ${keys} from ${p.name} group by ${p.unique.join(", ")}
        having count(*) > 1) using (${keys})`;
  await db.run(`delete from ${p.name} where rowid in (
    select rowid from (
      select rowid, dense_rank() over (partition by ${keys} order by ${p.winner}) as r
      from ${rows}) where r > 1)`);
}

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

/** Read the manifests and plans of `runs` again (their old rows go first). */
async function readRunPlans(c: Context, runs: Set<string>): Promise<SourceFile[]> {
  const read: SourceFile[] = [];
  const sources = listSources(c.root).filter((s) => runs.has(s.run) && s.kind !== "events");
  for (const run of runs) {
    await forgetManifest(c.db, run);
    await forgetPlan(c.db, run);
    await c.db.run(`delete from sources where run = ? and kind <> 'events'`, [run]);
    await c.db.run(`insert into changed_runs values (?)`, [run]);
  }
  for (const run of runs) {
    const mine = sources.filter((s) => s.run === run);
    const manifest = mine.find((s) => s.kind === "manifest");
    if (!manifest) continue;
    const v1Trials = isV1Manifest(manifest.file);
    await loadManifest(c.db, { run, path: manifest.file, size: manifest.bytes, v1Trials });
    // A version 1 manifest lists the trials itself (a plan beside it is a migration under way).
    if (!v1Trials) {
      const files = mine.filter((s) => s.kind === "plan").map((s) => s.file);
      await loadPlan(c.db, run, { files, root: c.root });
    }
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

/** Batches of event files a rebuild reads together. */
function batches(files: EventFile[]): EventFile[][] {
  const out: EventFile[][] = [];
  let current: EventFile[] = [];
  let size = 0;
  for (const f of files) {
    const bytes = f.segment!.compressed ? f.bytes * 10 : f.bytes;
    if (current.length > 0 && size + bytes > BATCH_BYTES) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(f);
    size += bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Everything anew, without one enclosing transaction (it would hold every row in memory): the
 * version is recorded last, so an interrupted rebuild is simply done again next time.
 */
async function rebuild(c: Context): Promise<void> {
  const { db } = c;
  await db.run(`delete from meta where key = 'projection_version'`);
  for (const view of VIEWS) await db.run(`drop view if exists ${view.name}`);
  for (const table of REBUILT_TABLES) await db.run(`drop table if exists ${table}`);
  await db.run(BASE_TABLES);
  await db.run(createDataTablesSql());
  await db.run(`create or replace temp table changed_runs (run varchar)`);
  const sources = listSources(c.root);
  const plans = await readRunPlans(c, new Set(sources.map((s) => s.run)));
  c.lap("read manifests and plans");
  const events = sources.filter((s) => s.kind === "events").map((s) => ({ ...s, from: 0 }));
  for (const batch of batches(events)) {
    await readEv(c, batch);
    c.lap("read events");
    await storeEv(c, false);
    await db.run(`drop table ev`);
    c.lap("store events");
  }
  for (const p of FACT_PROJECTIONS) await keepFirst(db, p);
  c.lap("first facts");
  await db.run(candidateCostSql());
  c.lap("costs");
  await db.run(EMPTY_EV);
  for (const p of PROJECTIONS) {
    await db.run(`insert into ${p.name} by name ${p.select()}`);
    c.lap(p.name);
  }
  for (const view of VIEWS) await db.run(`create or replace view ${view.name} as ${view.select}`);
  await recordSources(db, [...plans, ...events]);
  await db.run(`drop table ev; drop table changed_runs`);
  await db.run(`insert or replace into meta values ('projection_version', ?)`, [
    String(PROJECTION_VERSION),
  ]);
  c.lap("commit");
}

/** Rows read from a segment while it was open now name it by its closed (compressed) file. */
async function renameClosed(c: Context, closed: ClosedSegment[]): Promise<void> {
  for (const { was, source } of closed) {
    const [from, to] = [labelOf(c.root, was), labelOf(c.root, source.file)];
    for (const table of ["events", ...FACT_PROJECTIONS.map((p) => p.name)]) {
      await c.db.run(`update ${table} set file = ? where file = ?`, [to, from]);
    }
    await c.db.run(`delete from sources where file = ?`, [was]);
  }
}

/** The keys new events and re-read plans touched, recomputed in one transaction. */
async function update(
  c: Context,
  changes: {
    events: EventFile[];
    runs: Set<string>;
    touched: SourceFile[];
    closed: ClosedSegment[];
  },
): Promise<void> {
  const { db } = c;
  await db.run("begin transaction");
  try {
    await renameClosed(c, changes.closed);
    await db.run(`create or replace temp table changed_runs (run varchar)`);
    for (const p of FACT_PROJECTIONS) {
      await db.run(`create or replace temp table k_${p.name} as
        select ${p.key.join(", ")} from ${p.name} limit 0`);
    }
    const plans = await readRunPlans(c, changes.runs);
    c.lap("read manifests and plans");
    if (changes.events.length > 0) await readEv(c, changes.events);
    else await db.run(EMPTY_EV);
    await storeEv(c, true);
    c.lap("read events");
    for (const p of FACT_PROJECTIONS) await keepFirst(db, p, `k_${p.name}`);
    await db.run(`insert into k_candidates select cand from candidates
      semi join changed_runs using (run)`);
    await db.run(candidateCostSql("k_candidates"));
    c.lap("facts");
    // Every key set is taken before any table changes: `affected` reads the old state.
    for (const p of PROJECTIONS) await db.run(`create temp table a_${p.name} as ${p.affected}`);
    for (const p of PROJECTIONS) {
      const match = p.key.map((k) => `${p.name}.${k} = k.${k}`).join(" and ");
      await db.run(`delete from ${p.name} using a_${p.name} k where ${match}`);
      await db.run(`insert into ${p.name} by name ${p.select(`a_${p.name}`)}`);
      await db.run(`drop table a_${p.name}`);
      c.lap(p.name);
    }
    const closed = changes.closed.map((s) => s.source);
    await recordSources(db, [...plans, ...changes.events, ...changes.touched, ...closed]);
    for (const p of FACT_PROJECTIONS) await db.run(`drop table k_${p.name}`);
    await db.run(`drop table ev; drop table changed_runs; commit`);
    c.lap("commit");
  } catch (error) {
    await db.run("rollback").catch(() => {});
    throw error;
  }
}

/** Times a refresh starts again when a file it listed went away before it was read. */
const MAX_RELISTS = 5;

/**
 * Bring the cache up to date with the run directories (see the module comment). A run that
 * writes meanwhile may close a segment and replace it by its compressed file between the
 * listing and the reading: the refresh then starts again from a new listing (nothing it did is
 * kept: an update rolls back, and an unfinished rebuild is done again).
 */
export async function refreshCache(
  db: Database,
  options: RefreshOptions,
): Promise<RefreshReport> {
  for (let attempt = 1;; attempt++) {
    try {
      return await refreshOnce(db, options);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound) || attempt >= MAX_RELISTS) throw error;
    }
  }
}

async function refreshOnce(db: Database, options: RefreshOptions): Promise<RefreshReport> {
  const c: Context = { ...options, db, lap: lapTimer(options.profile) };
  await db.run(BASE_TABLES);
  const version = await db.all(`select value from meta where key = 'projection_version'`);
  const built = version.length > 0 && Number(version[0].value) === PROJECTION_VERSION;
  const changes = await findChanges(db, options.root);
  const events = changes.read.filter((f) => f.kind === "events");
  const report: RefreshReport = {
    rebuilt: false,
    filesRead: changes.read.length,
    bytesRead: changes.read.reduce((n, f) => n + (f.to ?? f.bytes) - f.from, 0),
    manifestsRead: changes.runs.size,
  };
  const unchanged = !changes.read.length && !changes.drop.length && !changes.runs.size &&
    !changes.closed.length;
  if (built && unchanged) {
    for (const s of changes.touched) {
      await db.run(`update sources set mtime = ? where file = ?`, [s.mtime, s.file]);
    }
    return report;
  }
  c.lap("find changes");
  // Compressed bytes count as the tenfold they hold, new and kept alike.
  const kept = await db.all(`select coalesce(sum(case when file like '%.gz' then bytes * 10
    else bytes end), 0) as n from sources where kind = 'events'`);
  const fresh = changes.read.reduce(
    (n, f) =>
      n + (f.segment?.compressed && f.from === 0 ? f.bytes * 10 : (f.to ?? f.bytes) - f.from),
    0,
  );
  // Events gone or changed take facts away: building anew is exact and, as when most facts
  // are new, cheaper than updating key by key.
  const dropped = changes.drop.some((f) => f.kind === "events");
  if (!built || dropped || fresh > Number(kept[0].n)) {
    report.rebuilt = true;
    await rebuild(c);
  } else {
    await update(c, { ...changes, events });
  }
  return report;
}
