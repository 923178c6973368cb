import { join } from "node:path";
import { setImmediate } from "node:timers";
import { errorMessage, ThemisError } from "../core/errors.ts";
import { EVENT_VERSION, type NewEvent, serializeEvent, type ThemisEvent } from "./events.ts";
import { lastRunEvent } from "./read_segments.ts";
import {
  compressInBackground,
  type CompressionJob,
  compressSegment,
  DEFAULT_SEGMENT_BYTES,
  listSegments,
  newSegmentTag,
  removeStalePlainTwins,
  SEGMENT_DIR,
  segmentName,
} from "./segments.ts";

const NEWLINE = 10;
const TAIL = 1 << 16;
/** Buffered text past this size is written at once rather than at the end of the turn. */
const FLUSH_CHARS = 1 << 20;

/**
 * The last bytes of a file, enough to hold its last complete line and any torn tail: the
 * window doubles until it reaches a newline before the last line, or the file's start.
 */
function readTail(file: string): { bytes: Uint8Array; offset: number } | undefined {
  for (let window = TAIL;; window *= 2) {
    const tail = readWindow(file, window);
    if (!tail || tail.offset === 0) return tail;
    const body = tail.bytes.subarray(0, tail.bytes.length - 1);
    if (body.lastIndexOf(NEWLINE) >= 0) return tail;
  }
}

function readWindow(
  file: string,
  window: number,
): { bytes: Uint8Array; offset: number } | undefined {
  let handle: Deno.FsFile;
  try {
    handle = Deno.openSync(file, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  try {
    const size = handle.statSync().size;
    const offset = Math.max(0, size - window);
    handle.seekSync(offset, Deno.SeekMode.Start);
    const bytes = new Uint8Array(size - offset);
    let read = 0;
    while (read < bytes.length) {
      const n = handle.readSync(bytes.subarray(read));
      if (n === null) break;
      read += n;
    }
    return { bytes: bytes.subarray(0, read), offset };
  } finally {
    handle.close();
  }
}

/**
 * Byte length of a file's complete lines (a torn last line excluded), and its total size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { completeLength } from "./event_log.ts";
 * const file = await Deno.makeTempFile();
 * await Deno.writeTextFile(file, '{"a":1}\n{"b"');
 * assert.deepEqual(completeLength(file), { complete: 8, size: 12 });
 * ```
 */
export function completeLength(file: string): { complete: number; size: number } | undefined {
  const tail = readTail(file);
  if (!tail) return undefined;
  const size = tail.offset + tail.bytes.length;
  if (tail.bytes.length === 0 || tail.bytes[tail.bytes.length - 1] === NEWLINE) {
    return { complete: size, size };
  }
  return { complete: tail.offset + tail.bytes.lastIndexOf(NEWLINE) + 1, size };
}

/** Truncate a torn last line so the file holds complete lines only. */
function repairTail(file: string): number {
  const length = completeLength(file);
  if (!length) return 0;
  if (length.complete < length.size) Deno.truncateSync(file, length.complete);
  return length.complete;
}

/**
 * Close every plain segment a crashed writer left in a run directory: its torn tail is cut,
 * then it is compressed (an empty one is removed). The run's lock must be held.
 */
export function closeLeftoverSegments(runDir: string): number {
  removeStalePlainTwins(runDir);
  let closed = 0;
  for (const segment of listSegments(runDir)) {
    if (segment.compressed || segment.index === 0) continue;
    if (repairTail(segment.path) === 0) Deno.removeSync(segment.path);
    else compressSegment(segment.path);
    closed++;
  }
  return closed;
}

/** Options of an event writer. */
export interface EventWriterOptions {
  /** The clock, passed in so tests can fix it. */
  now?: () => Date;
  /** Close a segment once it holds this many bytes (default 32 MiB). */
  segmentBytes?: number;
}

/**
 * The single writer of one run's event log. Opening closes (compresses) any segment a crashed
 * writer left plain and continues the sequence numbers. Events go to a new segment, created on
 * the first write, so a writer that writes nothing leaves the run directory untouched. Lines are
 * buffered only until the end of the current turn of the event loop (or 1 MB): a crash loses
 * at most the facts of that turn, whose work a resume redoes, and never leaves half a fact but a
 * torn last line, which readers ignore. A segment past the size bound is closed and compressed;
 * `close()` compresses the last one.
 */
export class EventWriter {
  readonly runDir: string;
  readonly runId: string;
  #seq: number;
  #index: number;
  #now: () => Date;
  #bound: number;
  #handle?: Deno.FsFile;
  #path?: string;
  #size = 0;
  #pending = "";
  #scheduled = false;
  #closed = false;
  #encoder = new TextEncoder();
  #buffer = new Uint8Array(1 << 16);
  #compressing: Array<{ at: number; job: CompressionJob }> = [];
  #written: string[] = [];
  #deferred: NewEvent[] = [];
  /** Told every event as it is appended (the run's fold follows the log this way). */
  onAppend?: (event: ThemisEvent) => void;

  private constructor(runDir: string, runId: string, seq: number, index: number, o: {
    now: () => Date;
    bound: number;
  }) {
    this.runDir = runDir;
    this.runId = runId;
    this.#seq = seq;
    this.#index = index;
    this.#now = o.now;
    this.#bound = o.bound;
  }

  /** Open for append (the caller holds the run's lock). */
  static async open(
    runDir: string,
    runId: string,
    options: EventWriterOptions = {},
  ): Promise<EventWriter> {
    try {
      Deno.mkdirSync(join(runDir, SEGMENT_DIR), { recursive: true });
      closeLeftoverSegments(runDir);
    } catch (error) {
      if (error instanceof ThemisError) throw error;
      throw new ThemisError(
        "STORE_IO",
        `Cannot open "${runDir}" for append: ${errorMessage(error)}`,
      );
    }
    const last = await lastRunEvent(runDir);
    const index = listSegments(runDir).reduce((n, s) => Math.max(n, s.index), 0) + 1;
    return new EventWriter(runDir, runId, (last?.seq ?? -1) + 1, index, {
      now: options.now ?? (() => new Date()),
      bound: options.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
    });
  }

  /** Segment files this writer created (closed ones end in `.gz`). */
  get segments(): ReadonlyArray<string> {
    return this.#written;
  }

  /** True once an event was appended. */
  get wrote(): boolean {
    return this.#written.length > 0 || this.#pending.length > 0;
  }

  /**
   * Events to write before the first appended one, and only then: an execution that finds
   * nothing to do leaves no trace (its `run.started` is never written).
   */
  defer(events: ReadonlyArray<NewEvent>): void {
    this.#deferred = [...events];
  }

  /** Append one event; returns it as written. */
  append(event: NewEvent): ThemisEvent {
    return this.appendAll([event])[0];
  }

  /** Append several events; the facts of one candidate are written together. */
  appendAll(events: ReadonlyArray<NewEvent>): ThemisEvent[] {
    if (this.#closed) throw new ThemisError("INTERNAL", "the event writer is closed");
    if (this.#deferred.length > 0) {
      const deferred = this.#deferred;
      this.#deferred = [];
      this.appendAll(deferred);
    }
    const ts = this.#now().toISOString();
    const full = events.map((event) =>
      ({ ...event, v: EVENT_VERSION, seq: this.#seq++, ts, run: this.runId }) as ThemisEvent
    );
    for (const event of full) {
      this.#pending += serializeEvent(event) + "\n";
      this.onAppend?.(event);
    }
    // Written now when the buffer is large, or when it would take the segment to its bound.
    const due = this.#pending.length >= FLUSH_CHARS ||
      this.#size + this.#pending.length >= this.#bound;
    if (due) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
    return full;
  }

  /** Write what is buffered now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const text = this.#pending;
    this.#pending = "";
    if (this.#handle === undefined) this.#openSegment();
    if (this.#buffer.length < text.length * 3) {
      this.#buffer = new Uint8Array(Math.max(text.length * 3, this.#buffer.length * 2));
    }
    const length = this.#encoder.encodeInto(text, this.#buffer).written;
    let written = 0;
    while (written < length) {
      written += this.#handle!.writeSync(this.#buffer.subarray(written, length));
    }
    this.#size += length;
    if (this.#size >= this.#bound) this.#closeSegment(true);
  }

  #openSegment(): void {
    const name = segmentName(this.#index++, newSegmentTag(), false);
    this.#path = join(this.runDir, SEGMENT_DIR, name);
    try {
      this.#handle = Deno.openSync(this.#path, { append: true, createNew: true });
    } catch (error) {
      throw new ThemisError("STORE_IO", `Cannot create "${this.#path}": ${errorMessage(error)}`);
    }
    this.#size = 0;
    this.#written.push(this.#path);
  }

  /**
   * Close the open segment. Past the size bound (`background`), its compression runs on the
   * compression thread while appends go on; `close()` waits for those still running. One
   * that failed leaves its plain segment, whole, for the next writer of the run to compress.
   */
  #closeSegment(background = false): void {
    if (this.#handle === undefined) return;
    try {
      this.#handle.syncSync();
    } finally {
      this.#handle.close();
      this.#handle = undefined;
    }
    const at = this.#written.length - 1;
    if (background) this.#compressing.push({ at, job: compressInBackground(this.#path!) });
    else this.#written[at] = compressSegment(this.#path!);
  }

  /** Wait for the compressions still running; a failed one leaves its segment plain. */
  #settle(): void {
    for (const { at, job } of this.#compressing) {
      try {
        this.#written[at] = job.wait();
      } catch {
        // left plain: still a whole segment, compressed by the run's next writer
      }
    }
    this.#compressing = [];
  }

  /** Flush to disk. */
  sync(): void {
    this.flush();
    this.#handle?.syncSync();
  }

  /** Write what is buffered and close the open segment (compressing it). */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    this.#closeSegment();
    this.#settle();
  }
}
