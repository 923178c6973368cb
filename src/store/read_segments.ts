/**
 * Reading a run's event log: every segment in order, plain or gzip-compressed. A torn last
 * line of a plain segment (a crash mid-write) is ignored; any other malformed line is
 * `STORE_CORRUPT` naming the segment and line.
 */
import { ThemisError } from "../core/errors.ts";
import { parseEventLine, type ThemisEvent } from "./events.ts";
import { listSegments, type Segment } from "./segments.ts";

/** Options of the readers. */
export interface ReadSegmentOptions {
  /** Told the byte length of a torn tail when a plain segment ends in one. */
  onTorn?: (segment: Segment, bytes: number) => void;
  /** Check every event's data against the catalogue (slower; the error path uses it). */
  strict?: boolean;
  /** Start at this byte of a plain segment (a line start; line numbers then count from it). */
  offset?: number;
}

async function openBytes(
  segment: Segment,
  offset = 0,
): Promise<ReadableStream<Uint8Array> | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(segment.path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  if (offset > 0 && !segment.compressed) await file.seek(offset, Deno.SeekMode.Start);
  return segment.compressed
    ? file.readable.pipeThrough(new DecompressionStream("gzip"))
    : file.readable;
}

/**
 * The lines of one segment with their numbers (1-based); a torn last line is not yielded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { iterSegmentLines } from "./read_segments.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, "a\nb\ntorn");
 * const segment = { name: "x", path, index: 1, compressed: false, label: "x" };
 * const lines = await Array.fromAsync(iterSegmentLines(segment));
 * assert.deepEqual(lines, [{ line: "a", number: 1 }, { line: "b", number: 2 }]);
 * ```
 */
export async function* iterSegmentLines(
  segment: Segment,
  options: ReadSegmentOptions = {},
): AsyncGenerator<{ line: string; number: number }> {
  const stream = await openBytes(segment, options.offset);
  if (stream === undefined) return;
  const decoder = new TextDecoder();
  let pending = "";
  let number = 0;
  try {
    for await (const chunk of stream) {
      const lines = (pending + decoder.decode(chunk, { stream: true })).split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        number++;
        if (line !== "") yield { line, number };
      }
    }
  } catch (error) {
    if (error instanceof ThemisError) throw error;
    throw new ThemisError(
      "STORE_CORRUPT",
      `Cannot read events from "${segment.label}": ${(error as Error).message ?? error}`,
      { file: segment.path, suggestion: "restore the file from git" },
    );
  }
  pending += decoder.decode();
  if (pending.length === 0) return;
  if (segment.compressed) {
    throw new ThemisError(
      "STORE_CORRUPT",
      `Cannot read events from "${segment.label}": line ${number + 1} has no end (a closed ` +
        `segment is always complete)`,
      { file: segment.path, line: number + 1, suggestion: "restore the file from git" },
    );
  }
  options.onTorn?.(segment, new TextEncoder().encode(pending).length);
}

/** The events of one segment, in order. */
export async function* iterSegmentEvents(
  segment: Segment,
  options: ReadSegmentOptions = {},
): AsyncGenerator<ThemisEvent> {
  for await (const { line, number } of iterSegmentLines(segment, options)) {
    yield parseEventLine(line, { file: segment.label, line: number }, options);
  }
}

/**
 * Every event of one run directory, segment after segment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { iterRunEvents } from "./read_segments.ts";
 * const none = await Array.fromAsync(iterRunEvents(await Deno.makeTempDir()));
 * assert.deepEqual(none, []);
 * ```
 */
export async function* iterRunEvents(
  runDir: string,
  options: ReadSegmentOptions = {},
): AsyncGenerator<ThemisEvent> {
  for (const segment of listSegments(runDir)) yield* iterSegmentEvents(segment, options);
}

/** The last complete event of a run's log, or undefined for an empty log. */
export async function lastRunEvent(runDir: string): Promise<ThemisEvent | undefined> {
  const segments = listSegments(runDir);
  for (let i = segments.length - 1; i >= 0; i--) {
    let last: string | undefined;
    let number = 0;
    for await (const l of iterSegmentLines(segments[i])) {
      last = l.line;
      number = l.number;
    }
    if (last !== undefined) return parseEventLine(last, { file: segments[i].label, line: number });
  }
  return undefined;
}

/**
 * The events of some candidates, read straight from the segments that hold them (`files`:
 * store-relative labels such as `runs/<run>/events/000001-….jsonl.gz`, as the analytics cache
 * records them). Lines are matched as text first, so only theirs are parsed. In log order per
 * segment; the caller sorts across segments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCandidateEvents } from "./read_segments.ts";
 * assert.deepEqual(await readCandidateEvents(await Deno.makeTempDir(), [], new Set(["c"])), []);
 * ```
 */
export async function readCandidateEvents(
  root: string,
  files: ReadonlyArray<string>,
  cands: ReadonlySet<string>,
  trials: ReadonlySet<string> = new Set(),
): Promise<ThemisEvent[]> {
  const out: ThemisEvent[] = [];
  const match = /"(cand|trial)":"([^"]+)"/g;
  for (const label of files) {
    const name = label.slice(label.lastIndexOf("/") + 1);
    const segment: Segment = {
      name,
      path: `${root}/${label}`,
      index: 0,
      compressed: name.endsWith(".gz"),
      label: label.replace(/^runs\//, ""),
    };
    for await (const { line, number } of iterSegmentLines(segment)) {
      let wanted = false;
      for (const [, key, id] of line.matchAll(match)) {
        if (key === "cand" ? cands.has(id) : trials.has(id) && line.includes('"trial.planned"')) {
          wanted = true;
        }
      }
      if (wanted) out.push(parseEventLine(line, { file: segment.label, line: number }));
    }
  }
  return out;
}
