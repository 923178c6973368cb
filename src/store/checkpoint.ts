/**
 * Per-run state checkpoints (docs/design/run_directory.md): the fold of one run's own events,
 * saved in `<store>/.cache/checkpoints/<run>.ckpt` with what it covers (each segment's name,
 * size, modification time and content hash). Loading one reads the snapshot and folds only
 * what was appended since; a segment that changed or vanished makes it fold the run again.
 * Derived and rebuildable: deleting the folder loses nothing.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { FactTable } from "./fact_table.ts";
import { iterSegmentEvents } from "./read_segments.ts";
import { listSegments, type Segment } from "./segments.ts";
import { type RunFacts, StoreState } from "./store_state.ts";

/** Version of the checkpoint layout; another version is ignored (and rebuilt). */
const CHECKPOINT_VERSION = 1;

/** What a checkpoint knows of one segment it folded. */
export interface CoveredSegment {
  name: string;
  /** Bytes folded: the whole file for a closed segment, the complete lines of an open one. */
  bytes: number;
  mtime: number;
  sha256: string;
}

/** Work items of one stage by status. */
export interface StageCounts {
  total: number;
  pending: number;
  running: number;
  completed: number;
  failed: number;
  skipped: number;
}

/** What an execution left, remembered while the store's segments are unchanged. */
export interface RunSummary {
  stages: string[];
  /** No work of those stages pending, running or failed. */
  complete: boolean;
  work: Record<"generation" | "parse" | "score", StageCounts>;
}

interface Header {
  version: number;
  run: string;
  segments: CoveredSegment[];
  overlays: string[];
  runNames: string[];
  runs: Array<[string, RunFacts]>;
  /** Facts about the run that hold while the store's segments are unchanged. */
  summary?: { fingerprint: string; value: RunSummary };
}

/** A run's folded state and what it covers. */
export interface RunCheckpoint {
  state: StoreState;
  segments: CoveredSegment[];
  summary?: Header["summary"];
  /** True when events were folded beyond the saved checkpoint (worth saving again). */
  changed: boolean;
}

/** Where a run's checkpoint lives. */
export const checkpointPath = (cacheDir: string, runId: string): string =>
  join(cacheDir, "checkpoints", `${runId}.ckpt`);

function hashFile(path: string, bytes?: number): string {
  const hash = createHash("sha256");
  const file = Deno.openSync(path, { read: true });
  try {
    const buffer = new Uint8Array(1 << 20);
    let left = bytes ?? Infinity;
    while (left > 0) {
      const n = file.readSync(buffer.subarray(0, Math.min(buffer.length, left)));
      if (n === null) break;
      hash.update(buffer.subarray(0, n));
      left -= n;
    }
  } finally {
    file.close();
  }
  return hash.digest("hex");
}

/** Read a checkpoint file; undefined when absent, unreadable or of another version. */
function readCheckpoint(path: string): { header: Header; table: FactTable } | undefined {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch {
    return undefined;
  }
  try {
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))) as Header;
    if (header.version !== CHECKPOINT_VERSION) return undefined;
    return { header, table: FactTable.fromBytes(bytes.subarray(4 + length)) };
  } catch {
    return undefined; // a torn or foreign file: fold again
  }
}

/** How a covered segment relates to the file on disk now. */
function coverage(covered: CoveredSegment, segment: Segment | undefined): "same" | "grew" | "bad" {
  if (!segment) return "bad";
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(segment.path);
  } catch {
    return "bad";
  }
  const mtime = info.mtime?.getTime() ?? 0;
  if (segment.compressed) {
    if (info.size !== covered.bytes) return "bad";
    if (mtime === covered.mtime) return "same";
    return hashFile(segment.path) === covered.sha256 ? "same" : "bad";
  }
  if (info.size < covered.bytes) return "bad";
  if (info.size === covered.bytes && mtime === covered.mtime) return "same";
  return hashFile(segment.path, covered.bytes) === covered.sha256 ? "grew" : "bad";
}

/** Fold one segment (from `offset` for an open one); returns what it covered. */
async function foldSegment(
  state: StoreState,
  segment: Segment,
  offset: number,
): Promise<CoveredSegment> {
  let torn = 0;
  for await (
    const event of iterSegmentEvents(segment, { offset, onTorn: (_s, bytes) => (torn = bytes) })
  ) {
    state.evolve(event);
  }
  const info = Deno.statSync(segment.path);
  const bytes = info.size - torn;
  return {
    name: segment.name,
    bytes,
    mtime: info.mtime?.getTime() ?? 0,
    sha256: hashFile(segment.path, bytes),
  };
}

/**
 * The fold of one run's events: the checkpoint plus what was appended since, or every segment
 * again when the checkpoint is missing or no longer matches the files.
 */
export async function loadRunCheckpoint(
  cacheDir: string,
  runDir: string,
  runId: string,
): Promise<RunCheckpoint> {
  const segments = listSegments(runDir);
  const byName = new Map(segments.map((s) => [s.name, s]));
  const saved = readCheckpoint(checkpointPath(cacheDir, runId));
  let state = new StoreState();
  let covered: CoveredSegment[] = [];
  let summary: Header["summary"];
  const grown = new Map<string, number>();
  if (saved) {
    const kinds = saved.header.segments.map((c) => coverage(c, byName.get(c.name)));
    if (!kinds.includes("bad")) {
      state = new StoreState({
        facts: saved.table,
        overlays: saved.header.overlays,
        runNames: saved.header.runNames,
      });
      for (const [run, facts] of saved.header.runs) state.runs.set(run, facts);
      covered = saved.header.segments.filter((_, i) => kinds[i] === "same");
      saved.header.segments.forEach((c, i) => kinds[i] === "grew" && grown.set(c.name, c.bytes));
      summary = saved.header.summary;
    }
  }
  const done = new Set(covered.map((c) => c.name));
  let changed = saved === undefined;
  for (const segment of segments) {
    if (done.has(segment.name)) continue;
    covered.push(await foldSegment(state, segment, grown.get(segment.name) ?? 0));
    changed = true;
  }
  if (changed) summary = undefined;
  return { state, segments: covered, summary, changed };
}

/**
 * Save a run's fold. Best effort: the checkpoint is a cache, so a write that fails (a read-only
 * store, a full disk) only means the next load folds the events again.
 */
export function saveRunCheckpoint(
  cacheDir: string,
  runId: string,
  checkpoint: Pick<RunCheckpoint, "state" | "segments" | "summary">,
): void {
  const { state } = checkpoint;
  const header: Header = {
    version: CHECKPOINT_VERSION,
    run: runId,
    segments: checkpoint.segments,
    overlays: state.overlays,
    runNames: state.runNames,
    runs: [...state.runs],
    summary: checkpoint.summary,
  };
  // Padded so the table starts 8-byte aligned: loading then views the file's bytes in place.
  const json = new TextEncoder().encode(JSON.stringify(header));
  const head = new Uint8Array(json.length + (8 - ((4 + json.length) % 8)) % 8).fill(32);
  head.set(json);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, head.length, true);
  const path = checkpointPath(cacheDir, runId);
  const tmp = `${path}.${Deno.pid}.tmp`;
  try {
    Deno.mkdirSync(join(cacheDir, "checkpoints"), { recursive: true });
    const file = Deno.openSync(tmp, { write: true, create: true, truncate: true });
    try {
      for (const piece of [length, head, ...state.facts.toPieces()]) {
        let written = 0;
        while (written < piece.length) written += file.writeSync(piece.subarray(written));
      }
    } finally {
      file.close();
    }
    Deno.renameSync(tmp, path);
  } catch {
    try {
      Deno.removeSync(tmp);
    } catch {
      // nothing written
    }
  }
}

/** What a finished writer covered, for a checkpoint saved without reading the files again. */
export function coverSegments(runDir: string, known: CoveredSegment[]): CoveredSegment[] {
  const byName = new Map(known.map((c) => [c.name, c]));
  return listSegments(runDir).map((segment) => {
    const info = Deno.statSync(segment.path);
    const mtime = info.mtime?.getTime() ?? 0;
    const old = byName.get(segment.name);
    if (old && old.bytes === info.size && old.mtime === mtime) return old;
    return { name: segment.name, bytes: info.size, mtime, sha256: hashFile(segment.path) };
  });
}

/**
 * A fingerprint of every segment of every run (names, sizes, times): facts derived from the
 * whole store hold while it is unchanged.
 */
export function storeFingerprint(runDirs: ReadonlyArray<string>): string {
  const hash = createHash("sha256");
  for (const dir of runDirs) {
    hash.update(`${dir}\n`);
    for (const segment of listSegments(dir)) {
      try {
        const info = Deno.statSync(segment.path);
        hash.update(`${segment.name}:${info.size}:${info.mtime?.getTime() ?? 0}\n`);
      } catch {
        hash.update(`${segment.name}:gone\n`);
      }
    }
  }
  return hash.digest("hex");
}
