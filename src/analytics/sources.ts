/**
 * What the analytics cache reads, and how each file changed since it last did: every event
 * segment (new, grown, changed, gone), every plan and every manifest. The cache records, per
 * file, exactly the bytes it read with their hash, so an edit anywhere in a file is noticed
 * and a file that grows while it is read is never read twice.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { completeLength } from "../store/event_log.ts";
import { storePaths } from "../store/paths.ts";
import { listPlanSegments } from "../store/plan_segments.ts";
import { listSegments, type Segment } from "../store/segments.ts";
import type { Database } from "./duckdb.ts";

/** One file the cache reads. */
export interface SourceFile {
  file: string;
  run: string;
  kind: "events" | "plan" | "manifest";
  /** Bytes there are to read: complete lines of an open segment, else the whole file. */
  bytes: number;
  mtime: number;
  segment?: Segment;
}

/** What the cache recorded of a file. */
interface Known {
  file: string;
  run: string;
  kind: string;
  bytes: number;
  mtime: number;
  sha256: string;
}

/**
 * An open segment the cache read (some or all of it) that has since been closed: its plain
 * file is gone and its compressed twin begins with exactly the bytes read.
 */
export interface ClosedSegment {
  /** The plain file the cache read. */
  was: string;
  /** The compressed segment now. */
  source: SourceFile;
}

/** How the files differ from what the cache read. */
export interface SourceChanges {
  /**
   * Files to read from `from` (0: the whole file). `to` is where the bytes to read end; for
   * a compressed file read from the middle, it counts decompressed bytes.
   */
  read: Array<SourceFile & { from: number; to?: number }>;
  /** Open segments read before and closed since: their rows stay, under the new name. */
  closed: ClosedSegment[];
  /** Files whose rows must go (changed, so read again whole, or gone). */
  drop: Array<{ file: string; kind: string }>;
  /** Runs whose manifest or plan must be read again, or are gone. */
  runs: Set<string>;
  /** Recorded files whose time changed but whose bytes did not. */
  touched: SourceFile[];
}

/**
 * sha256 of the first `ends[i]` bytes of a file, for each (ascending) end, in one read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashPrefixes } from "./sources.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "abcdef");
 * const [two, all] = hashPrefixes(path, [2, 6]);
 * assert.equal(two, hashPrefixes(path, [2])[0]);
 * assert.notEqual(two, all);
 * ```
 */
export function hashPrefixes(path: string, ends: number[]): string[] {
  const hash = createHash("sha256");
  const out: string[] = [];
  const file = Deno.openSync(path, { read: true });
  try {
    const buffer = new Uint8Array(1 << 20);
    let position = 0;
    for (const end of ends) {
      while (position < end) {
        const n = file.readSync(buffer.subarray(0, Math.min(buffer.length, end - position)));
        if (n === null) break;
        hash.update(buffer.subarray(0, n));
        position += n;
      }
      out.push(hash.copy().digest("hex"));
    }
  } finally {
    file.close();
  }
  return out;
}

function statFile(path: string): { size: number; mtime: number } | undefined {
  try {
    const info = Deno.statSync(path);
    return { size: info.size, mtime: info.mtime?.getTime() ?? 0 };
  } catch {
    return undefined;
  }
}

/** Every file of the store the cache reads. */
export function listSources(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  let runs: string[] = [];
  try {
    runs = [...Deno.readDirSync(storePaths.runs(root))].filter((e) => e.isDirectory)
      .map((e) => e.name).sort();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  for (const run of runs) {
    const dir = storePaths.runDir(root, run);
    const manifest = join(dir, "manifest.json");
    const m = statFile(manifest);
    if (!m) continue; // a run directory without a plan yet
    out.push({ file: manifest, run, kind: "manifest", bytes: m.size, mtime: m.mtime });
    for (const plan of listPlanSegments(dir)) {
      const s = statFile(plan);
      if (s) out.push({ file: plan, run, kind: "plan", bytes: s.size, mtime: s.mtime });
    }
    for (const segment of listSegments(dir)) {
      const s = statFile(segment.path);
      if (!s) continue;
      const bytes = segment.compressed ? s.size : completeLength(segment.path)?.complete ?? 0;
      out.push({ file: segment.path, run, kind: "events", bytes, mtime: s.mtime, segment });
    }
  }
  return out;
}

/** Compare the store's files with what the cache recorded. */
export async function findChanges(db: Database, root: string): Promise<SourceChanges> {
  const known = new Map<string, Known>();
  for (const row of await db.all(`select * from sources`)) {
    known.set(String(row.file), {
      file: String(row.file),
      run: String(row.run),
      kind: String(row.kind),
      bytes: Number(row.bytes),
      mtime: Number(row.mtime),
      sha256: String(row.sha256),
    });
  }
  const changes: SourceChanges = { read: [], drop: [], runs: new Set(), touched: [], closed: [] };
  const present = listSources(root);
  for (const source of present) {
    const old = known.get(source.file);
    known.delete(source.file);
    if (old === undefined && source.segment?.compressed) {
      const twin = known.get(source.file.slice(0, -".gz".length));
      const rest = twin && closedTwin(source, twin);
      if (rest !== undefined) {
        known.delete(twin!.file);
        changes.closed.push({ was: twin!.file, source });
        if (rest.to > rest.from) changes.read.push({ ...source, ...rest });
        continue;
      }
    }
    const verdict = compare(source, old);
    if (verdict === "same") continue;
    if (verdict === "touched") changes.touched.push(source);
    else if (verdict === "grew") changes.read.push({ ...source, from: old!.bytes });
    else {
      if (old) changes.drop.push({ file: source.file, kind: source.kind });
      if (source.kind === "events") changes.read.push({ ...source, from: 0 });
      else changes.runs.add(source.run);
    }
  }
  for (const gone of known.values()) {
    changes.drop.push({ file: gone.file, kind: gone.kind });
    if (gone.kind !== "events") changes.runs.add(gone.run);
  }
  return changes;
}

/**
 * When a compressed segment is the closed form of a plain one the cache read, the bytes left
 * to read (decompressed offsets); undefined when it is not (then it is read whole).
 */
function closedTwin(source: SourceFile, twin: Known): { from: number; to: number } | undefined {
  let bytes: Uint8Array;
  try {
    bytes = gunzipSync(Deno.readFileSync(source.file));
  } catch {
    return undefined;
  }
  if (bytes.length < twin.bytes) return undefined;
  const sha256 = createHash("sha256").update(bytes.subarray(0, twin.bytes)).digest("hex");
  return sha256 === twin.sha256 ? { from: twin.bytes, to: bytes.length } : undefined;
}

function compare(source: SourceFile, old: Known | undefined): "same" | "touched" | "grew" | "new" {
  if (!old) return "new";
  const appendable = source.kind === "events" && !source.segment?.compressed;
  if (source.bytes === old.bytes && source.mtime === old.mtime) return "same";
  if (source.bytes === old.bytes || (appendable && source.bytes > old.bytes)) {
    if (hashPrefixes(source.file, [old.bytes])[0] !== old.sha256) return "new";
    return source.bytes === old.bytes ? "touched" : "grew";
  }
  return "new";
}
