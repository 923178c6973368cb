import { ThemisError } from "../core/errors.ts";
import {
  EVENT_VERSION,
  type NewEvent,
  parseEventLine,
  serializeEvent,
  type ThemisEvent,
} from "./events.ts";

const NEWLINE = 10;
const CHUNK = 1 << 20;

/** What reading an event file found. */
export interface ReadEventsResult {
  events: ThemisEvent[];
  /** True when the last line was torn (a crash mid-write) and was ignored. */
  torn: boolean;
  /** Byte length of the complete lines. */
  bytes: number;
}

/**
 * Stream the events of one file. A torn last line (no trailing newline) is ignored; any other
 * malformed line is `STORE_CORRUPT` with file and line. `onTorn` is told when a tail was torn.
 *
 * @example
 * ```ts
 * import { iterEvents } from "./event_log.ts";
 * // for await (const event of iterEvents("themis-store/runs/abc/events.jsonl")) { … }
 * ```
 */
export async function* iterEvents(
  file: string,
  options: { onTorn?: (bytes: number) => void; skipLine?: (line: string) => boolean } = {},
): AsyncGenerator<ThemisEvent> {
  let handle: Deno.FsFile;
  try {
    handle = await Deno.open(file, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(CHUNK);
  let pending = "";
  let lineNumber = 0;
  try {
    while (true) {
      const n = await handle.read(buffer);
      if (n === null) break;
      // `stream: true` keeps a UTF-8 sequence split across chunks for the next decode.
      const lines = (pending + decoder.decode(buffer.subarray(0, n), { stream: true }))
        .split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        lineNumber++;
        if (line !== "" && !options.skipLine?.(line)) {
          yield parseEventLine(line, file, lineNumber);
        }
      }
    }
    pending += decoder.decode();
  } finally {
    handle.close();
  }
  if (pending.length > 0) options.onTorn?.(new TextEncoder().encode(pending).length);
}

/** Read every event of one file at once. */
export async function readEvents(file: string): Promise<ReadEventsResult> {
  const events: ThemisEvent[] = [];
  let tornBytes = 0;
  for await (const event of iterEvents(file, { onTorn: (b) => (tornBytes = b) })) {
    events.push(event);
  }
  let size = 0;
  try {
    size = (await Deno.stat(file)).size;
  } catch {
    size = 0;
  }
  return { events, torn: tornBytes > 0, bytes: size - tornBytes };
}

const TAIL = 1 << 16;

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

/** Truncate a torn last line so the next append starts on a line of its own. */
function repairTail(file: string): void {
  const tail = readTail(file);
  if (!tail || tail.bytes.length === 0 || tail.bytes[tail.bytes.length - 1] === NEWLINE) return;
  const lastNewline = tail.bytes.lastIndexOf(NEWLINE);
  Deno.truncateSync(file, tail.offset + lastNewline + 1);
}

function lastSeq(file: string): number {
  const tail = readTail(file);
  if (!tail || tail.bytes.length === 0) return -1;
  const end = tail.bytes.length - 1;
  const start = tail.bytes.lastIndexOf(NEWLINE, end - 1) + 1;
  const line = new TextDecoder().decode(tail.bytes.subarray(start, end));
  return parseEventLine(line, file, -1).seq;
}

/** Options of an event writer: the clock is passed in so tests can fix it. */
export interface EventWriterOptions {
  now?: () => Date;
}

/**
 * The single writer of one run's `events.jsonl`: repairs a torn tail on open, numbers events,
 * appends one line per event (written through at once, so a crash loses at most the line being
 * written).
 */
export class EventWriter {
  readonly file: string;
  readonly runId: string;
  #handle: Deno.FsFile;
  #seq: number;
  #now: () => Date;
  #encoder = new TextEncoder();
  #buffer = new Uint8Array(1 << 16);

  private constructor(
    file: string,
    runId: string,
    handle: Deno.FsFile,
    seq: number,
    now: () => Date,
  ) {
    this.file = file;
    this.runId = runId;
    this.#handle = handle;
    this.#seq = seq;
    this.#now = now;
  }

  /** Open for append (the caller holds the run's lock). */
  static open(file: string, runId: string, options: EventWriterOptions = {}): EventWriter {
    repairTail(file);
    const seq = lastSeq(file) + 1;
    let handle: Deno.FsFile;
    try {
      handle = Deno.openSync(file, { append: true, create: true });
    } catch (error) {
      throw new ThemisError("STORE_IO", `Cannot open "${file}" for append: ${error}`, { file });
    }
    return new EventWriter(file, runId, handle, seq, options.now ?? (() => new Date()));
  }

  /** Append one event; returns it as written. */
  append(event: NewEvent): ThemisEvent {
    return this.appendAll([event])[0];
  }

  /**
   * Append several events with one write (the facts of one candidate belong together). A
   * crash mid-write leaves at most a torn last line, which the next writer truncates.
   */
  appendAll(events: NewEvent[]): ThemisEvent[] {
    const ts = this.#now().toISOString();
    const full = events.map((event): ThemisEvent => ({
      v: EVENT_VERSION,
      seq: this.#seq++,
      ts,
      run: this.runId,
      ...event,
    }));
    let text = "";
    for (const event of full) text += serializeEvent(event) + "\n";
    // One reused buffer: a fresh native buffer per write would leave memory behind.
    if (this.#buffer.length < text.length * 3) {
      this.#buffer = new Uint8Array(Math.max(text.length * 3, this.#buffer.length * 2));
    }
    const length = this.#encoder.encodeInto(text, this.#buffer).written;
    let written = 0;
    while (written < length) {
      written += this.#handle.writeSync(this.#buffer.subarray(written, length));
    }
    return full;
  }

  /** Flush to disk. */
  sync(): void {
    this.#handle.syncSync();
  }

  close(): void {
    try {
      this.#handle.syncSync();
    } finally {
      this.#handle.close();
    }
  }
}

/**
 * Byte length of a file's complete lines (a torn last line excluded), and its total size.
 *
 * @example
 * ```ts
 * import { completeLength } from "./event_log.ts";
 * const file = await Deno.makeTempFile();
 * await Deno.writeTextFile(file, '{"a":1}\n{"b"');
 * console.assert(completeLength(file)?.complete === 8);
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
