/**
 * Whole events for rows of the narrow `events` table. The cache keeps each event's envelope and
 * where it lies (`file`, `seq`), not its payload; timelines that show every event read those
 * few lines back from their segments, the source of truth.
 */
import { join } from "node:path";
import type { Row } from "./duckdb.ts";
import { parseEventLine, type ThemisEvent } from "../store/events.ts";
import { iterSegmentLines } from "../store/read_segments.ts";
import type { Segment } from "../store/segments.ts";

/** The columns of `events` that locate an event: select them for `readFullEvents`. */
export const EVENT_LOCATION_SELECT = "run, seq, file";

// The writer puts `v` then `seq` first on every line: the sequence number is read without
// parsing lines that are not wanted.
const SEQ = /^\{"v":\d+,"seq":(\d+),/;

async function segmentOf(root: string, label: string): Promise<Segment> {
  const path = join(root, label);
  const segment = { name: label, path, index: 0, compressed: label.endsWith(".gz"), label };
  if (segment.compressed) return segment;
  // A segment closed since the cache read it is now compressed under the same name + .gz.
  const plain = await Deno.stat(path).then(() => true, () => false);
  return plain ? segment : { ...segment, path: `${path}.gz`, compressed: true };
}

/**
 * The events at `rows` (each with `run`, `seq` and `file` as the `events` table gives them),
 * in the order of `rows`; events no longer in their segment are left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFullEvents } from "./full_events.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/runs/r/events`, { recursive: true });
 * const line = (seq: number) => JSON.stringify({ v: 2, seq, ts: "2026-01-01T00:00:00.000Z",
 *   run: "r", type: "run.finished", data: { stages: [], counts: {}, cancelled: false } });
 * await Deno.writeTextFile(`${root}/runs/r/events/000001-0a1b2c3d.jsonl`,
 *   `${line(0)}\n${line(1)}\n`);
 * const file = "runs/r/events/000001-0a1b2c3d.jsonl";
 * const events = await readFullEvents(root, [{ run: "r", seq: 1, file }]);
 * assert.deepEqual(events.map((e) => e.seq), [1]);
 * ```
 */
export async function readFullEvents(
  root: string,
  rows: ReadonlyArray<Row>,
): Promise<ThemisEvent[]> {
  const byFile = new Map<string, Set<number>>();
  for (const r of rows) {
    const seqs = byFile.get(String(r.file)) ?? new Set<number>();
    byFile.set(String(r.file), seqs.add(Number(r.seq)));
  }
  const found = new Map<string, ThemisEvent>();
  for (const [file, seqs] of byFile) {
    let left = seqs.size;
    for await (const { line, number } of iterSegmentLines(await segmentOf(root, file))) {
      const seq = Number(SEQ.exec(line)?.[1] ?? -1);
      if (!seqs.has(seq)) continue;
      const event = parseEventLine(line, { file, line: number });
      found.set(`${file}\u0000${event.seq}`, event);
      if (--left === 0) break;
    }
  }
  return rows.map((r) => found.get(`${r.file}\u0000${Number(r.seq)}`))
    .filter((e): e is ThemisEvent => e !== undefined);
}
