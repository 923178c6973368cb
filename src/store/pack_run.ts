import { closeLeftoverSegments } from "./event_log.ts";
import { storePaths } from "./paths.ts";
import { acquireRunLock } from "./run_lock.ts";
import { LEGACY_EVENTS_FILE, listSegments } from "./segments.ts";
import { join } from "node:path";

/** What packing one run did. */
export interface PackReport {
  runId: string;
  /** Open segments closed (cut at their last complete line, then compressed). */
  closed: number;
  /** The run has a version 1 `events.jsonl` that only `themis migrate` rewrites. */
  legacy: boolean;
  /** Segments of the run's log, all closed now. */
  segments: number;
}

/**
 * Close every segment of a run's log that a crash (or a run still to be resumed) left open:
 * its torn tail is cut and it is compressed, so the run directory holds only immutable,
 * compressed files. Takes the run's lock: a run a live process writes is refused
 * (`STORE_LOCKED`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packRun } from "./pack_run.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/runs/r1`, { recursive: true });
 * assert.deepEqual(packRun(root, "r1"), { runId: "r1", closed: 0, legacy: false, segments: 0 });
 * ```
 */
export function packRun(root: string, runId: string): PackReport {
  const runDir = storePaths.runDir(root, runId);
  const lock = acquireRunLock(storePaths.lock(root, runId));
  try {
    const closed = closeLeftoverSegments(runDir);
    let legacy = false;
    try {
      legacy = Deno.statSync(join(runDir, LEGACY_EVENTS_FILE)).isFile;
    } catch {
      legacy = false;
    }
    return { runId, closed, legacy, segments: listSegments(runDir).length };
  } finally {
    lock.release();
  }
}
