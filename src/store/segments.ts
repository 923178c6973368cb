/**
 * The segments of a run's event log (docs/design/run_directory.md): `events/NNNNNN-<tag>.jsonl`
 * while open, `events/NNNNNN-<tag>.jsonl.gz` once closed (immutable). A version 1 run directory
 * has a single `events.jsonl`, read as the first segment.
 */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import { errorMessage, ThemisError } from "../core/errors.ts";

/** Folder of a run's event segments. */
export const SEGMENT_DIR = "events";
/** The single event file of a version 1 run directory. */
export const LEGACY_EVENTS_FILE = "events.jsonl";
/**
 * A file `themis migrate` puts in a rewritten `events/` folder while it swaps it in: the
 * segments hold everything, so a version 1 `events.jsonl` still beside them is not read.
 */
export const MIGRATED_MARKER = "MIGRATED";
/** Default size bound of a segment before it is closed, in bytes. */
export const DEFAULT_SEGMENT_BYTES = 32 << 20;

/**
 * gzip level of closed segments: 3 compresses these logs about 16× at ~400 MB/s; 6 gains 9%
 * in size for twice the time, paid on the writer's thread at every segment close.
 */
export const SEGMENT_GZIP_LEVEL = 3;

/** One segment file of a run. */
export interface Segment {
  /** File name (`000003-9f2c41aa.jsonl.gz`, or `events.jsonl` for a v1 log). */
  name: string;
  path: string;
  /** Position in the log (0 for a v1 `events.jsonl`). */
  index: number;
  compressed: boolean;
  /** Path relative to the store root's `runs/` folder, for messages and cache keys. */
  label: string;
}

const SEGMENT_NAME = /^(\d{6,})-([0-9a-f]{8})\.jsonl(\.gz)?$/;

/**
 * The name of a segment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { segmentName } from "./segments.ts";
 * assert.equal(segmentName(3, "9f2c41aa", true), "000003-9f2c41aa.jsonl.gz");
 * ```
 */
export function segmentName(index: number, tag: string, compressed: boolean): string {
  return `${String(index).padStart(6, "0")}-${tag}.jsonl${compressed ? ".gz" : ""}`;
}

/** A fresh random tag: two clones writing the same run never pick the same file name. */
export function newSegmentTag(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 8);
}

function compareSegments(a: Segment, b: Segment): number {
  return a.index - b.index || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * The segments of a run directory in log order. A plain segment whose compressed twin exists
 * (a crash between compressing and removing it) is left out: the compressed one is complete.
 */
export function listSegments(runDir: string): Segment[] {
  const runId = runDir.split(/[\\/]/).pop()!;
  const out: Segment[] = [];
  const legacy = join(runDir, LEGACY_EVENTS_FILE);
  if (isFile(legacy) && !isFile(join(runDir, SEGMENT_DIR, MIGRATED_MARKER))) {
    out.push({
      name: LEGACY_EVENTS_FILE,
      path: legacy,
      index: 0,
      compressed: false,
      label: `${runId}/${LEGACY_EVENTS_FILE}`,
    });
  }
  const dir = join(runDir, SEGMENT_DIR);
  const names = new Set<string>();
  try {
    for (const entry of Deno.readDirSync(dir)) if (entry.isFile) names.add(entry.name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return out;
    throw new ThemisError("STORE_IO", `Cannot list "${dir}": ${errorMessage(error)}`);
  }
  for (const name of names) {
    const match = SEGMENT_NAME.exec(name);
    if (!match) continue;
    const compressed = match[3] !== undefined;
    if (!compressed && names.has(`${name}.gz`)) continue;
    out.push({
      name,
      path: join(dir, name),
      index: Number(match[1]),
      compressed,
      label: `${runId}/${SEGMENT_DIR}/${name}`,
    });
  }
  return out.sort(compareSegments);
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * Close a plain segment: write its gzip twin (temporary file, then rename, so a reader never
 * sees half of it), then remove the plain file. Returns the compressed segment's path.
 */
export function compressSegment(path: string): string {
  const bytes = Deno.readFileSync(path);
  const target = `${path}.gz`;
  const tmp = `${target}.${Deno.pid}.tmp`;
  try {
    Deno.writeFileSync(tmp, gzipSync(bytes, { level: SEGMENT_GZIP_LEVEL }));
    const file = Deno.openSync(tmp, { read: true, write: true });
    try {
      file.syncSync();
    } finally {
      file.close();
    }
    Deno.renameSync(tmp, target);
  } catch (error) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // nothing was written
    }
    throw new ThemisError("STORE_IO", `Cannot compress "${path}": ${errorMessage(error)}`, {
      file: path,
    });
  }
  Deno.removeSync(path);
  return target;
}

/** The compression thread, started on first use and shared by the process's writers. */
let compressor: { worker: Worker; jobs: Map<number, CompressionJob> } | undefined;
let nextJob = 0;

/** Longest a writer waits for a compression it must see finished (ms). */
const MAX_WAIT_MS = 10 * 60_000;

const RUNNING = 0;
const DONE = 1;
const FAILED = 2;

/** A segment being compressed on the compression thread. */
export class CompressionJob {
  /** RUNNING, then DONE or FAILED: set by the thread, so a blocked caller sees it. */
  readonly flag = new Int32Array(new SharedArrayBuffer(4));
  target?: string;
  error?: string;

  constructor(readonly path: string) {}

  /** Block until the thread is done; the compressed segment's path, or `STORE_IO`. */
  wait(): string {
    const until = Date.now() + MAX_WAIT_MS;
    while (Atomics.load(this.flag, 0) === RUNNING && Date.now() < until) {
      Atomics.wait(this.flag, 0, RUNNING, 1000);
    }
    if (Atomics.load(this.flag, 0) === DONE) return `${this.path}.gz`;
    const why = this.error ??
      (Atomics.load(this.flag, 0) === RUNNING
        ? "the compression thread did not finish"
        : "the compression thread failed");
    throw new ThemisError(
      "STORE_IO",
      why.startsWith("Cannot compress") ? why : `Cannot compress "${this.path}": ${why}`,
      { file: this.path },
    );
  }

  /** Mark it failed, unless the thread already finished it. */
  fail(why: string): void {
    this.error ??= why;
    if (Atomics.compareExchange(this.flag, 0, RUNNING, FAILED) === RUNNING) {
      Atomics.notify(this.flag, 0);
    }
  }
}

/**
 * `compressSegment` on a thread of its own: the caller goes on appending meanwhile and calls
 * `wait()` when it must see the job finished. A failed job leaves the plain segment, whole
 * (the next writer of the run compresses it). The thread does not keep the process alive
 * while it has nothing to do.
 */
export function compressInBackground(path: string): CompressionJob {
  if (compressor === undefined) {
    const worker = new Worker(new URL("./compress_worker.ts", import.meta.url));
    const jobs = new Map<number, CompressionJob>();
    worker.on("message", (reply: { id: number; error?: string }) => {
      const job = jobs.get(reply.id);
      jobs.delete(reply.id);
      if (job && reply.error !== undefined) job.fail(reply.error);
      if (jobs.size === 0) worker.unref();
    });
    const fail = (why: string) => {
      compressor = undefined;
      for (const job of jobs.values()) job.fail(`the compression thread ${why}`);
      jobs.clear();
    };
    worker.on("error", (error) => fail(`failed: ${errorMessage(error)}`));
    worker.on("exit", () => fail("ended"));
    compressor = { worker, jobs };
  }
  const { worker, jobs } = compressor;
  const id = nextJob++;
  const job = new CompressionJob(path);
  jobs.set(id, job);
  worker.ref();
  worker.postMessage({ id, path, flag: job.flag });
  return job;
}

/** A twin left by a crash between compressing and removing: the plain file goes. */
export function removeStalePlainTwins(runDir: string): void {
  const dir = join(runDir, SEGMENT_DIR);
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch {
    return;
  }
  const all = new Set(names);
  for (const name of names) {
    if (name.endsWith(".jsonl") && all.has(`${name}.gz`)) Deno.removeSync(join(dir, name));
    if (name.endsWith(".tmp")) Deno.removeSync(join(dir, name));
  }
}
