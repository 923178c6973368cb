/**
 * `themis migrate`: a version 1 run directory (one `events.jsonl`, the trial list inside
 * `manifest.json`) rewritten in the current layout (segments, plan segments, a compact
 * manifest). Nothing is lost: every event but `trial.planned` is kept with its run, sequence
 * number and time; the trials those events announced, with their item payloads and prompts,
 * become the run's plan. docs/design/run_directory.md has the steps and why each is safe.
 */
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { errorMessage, ThemisError } from "../core/errors.ts";
import type { RunManifest } from "../plan/manifest.ts";
import { MANIFEST_VERSION } from "../plan/manifest.ts";
import { EVENT_VERSION, serializeEvent, type ThemisEvent } from "../store/events.ts";
import { storePaths } from "../store/paths.ts";
import { PLAN_DIR, type PlanTrial, writePlanSegments } from "../store/plan_segments.ts";
import { iterRunEvents } from "../store/read_segments.ts";
import { acquireRunLock } from "../store/run_lock.ts";
import type { RunStore } from "../store/run_store.ts";
import {
  DEFAULT_SEGMENT_BYTES,
  LEGACY_EVENTS_FILE,
  MIGRATED_MARKER,
  newSegmentTag,
  SEGMENT_DIR,
  SEGMENT_GZIP_LEVEL,
  segmentName,
} from "../store/segments.ts";
import { LineSpool, writeFileAtomic } from "../store/write_atomic.ts";

/** What migrating one run did. */
export interface MigrateReport {
  runId: string;
  /** False when the run was already in the current layout. */
  migrated: boolean;
  /** Events kept, and `trial.planned` events whose content moved to the plan. */
  events: number;
  plannedEvents: number;
  trials: number;
  segments: number;
}

const isFile = (path: string) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
};
const isDir = (path: string) => {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
};

/** Gzip-compressed segments written in order, each up to a size bound (kept lines as they are). */
class SegmentSink {
  #index = 0;
  #lines: string[] = [];
  #size = 0;
  written = 0;
  constructor(readonly dir: string, readonly bound: number) {
    Deno.mkdirSync(dir, { recursive: true });
  }
  push(line: string): void {
    if (this.#size > 0 && this.#size + line.length + 1 > this.bound) this.flush();
    this.#lines.push(line);
    this.#size += line.length + 1;
  }
  flush(): void {
    if (this.#lines.length === 0) return;
    const name = segmentName(++this.#index, newSegmentTag(), true);
    Deno.writeFileSync(
      join(this.dir, name),
      gzipSync(this.#lines.join("\n") + "\n", { level: SEGMENT_GZIP_LEVEL }),
    );
    this.#lines = [];
    this.#size = 0;
    this.written++;
  }
}

interface V1Payloads {
  item?: PlanTrial["payload"];
  messages?: PlanTrial["messages"];
}

/** Rewrite the run's events into `dir` (all but `trial.planned`, whose payloads are kept). */
async function rewriteEvents(
  runDir: string,
  o: { dir: string; bound: number; modelOf: Map<string, string> },
) {
  const sink = new SegmentSink(o.dir, o.bound);
  const payloads = new Map<string, V1Payloads>();
  let events = 0;
  let planned = 0;
  for await (const event of iterRunEvents(runDir)) {
    if (event.type === "trial.planned") {
      planned++;
      if (!payloads.has(event.trial!)) {
        payloads.set(event.trial!, { item: event.data.item, messages: event.data.messages });
      }
      continue;
    }
    sink.push(serializeEvent(upgrade(event, o.modelOf)));
    events++;
  }
  sink.flush();
  return { events, planned, payloads, segments: sink.written };
}

/** A version 1 event in version 2: the model a generation came from is stated. */
function upgrade(event: ThemisEvent, modelOf: Map<string, string>): ThemisEvent {
  const out = { ...event, v: EVENT_VERSION };
  if (out.type === "generation.completed" && out.data.model === undefined) {
    const model = modelOf.get(out.trial ?? "");
    if (model !== undefined) out.data = { ...out.data, model };
  }
  return out;
}

/** The v1 trial list as plan lines, each payload on the first trial of its item. */
function planLines(trials: PlanTrial[], payloads: Map<string, V1Payloads>, spool: LineSpool) {
  const items = new Set<string>();
  const prompts = new Set<string>();
  for (const t of trials) {
    const line: PlanTrial = { ...t };
    const p = payloads.get(t.trial);
    const itemKey = `${t.task}\u0000${t.item}`;
    if (p?.item !== undefined && !items.has(itemKey)) {
      items.add(itemKey);
      line.payload = p.item;
    }
    const promptKey = `${itemKey}\u0000${t.prompt}`;
    if (p?.messages !== undefined && !prompts.has(promptKey)) {
      prompts.add(promptKey);
      line.messages = p.messages;
    }
    spool.push(JSON.stringify(line));
  }
}

/**
 * Migrate one run directory to the current layout; a run already in it is left as it is.
 * Takes the run's lock. Safe to run again after a crash: it finishes a half-done migration.
 */
export async function migrateRun(runs: RunStore, runId: string): Promise<MigrateReport> {
  const runDir = runs.runDir(runId);
  const lock = acquireRunLock(storePaths.lock(runs.root, runId));
  try {
    recoverSwap(runDir);
    const manifest = await runs.readManifest<RunManifest>(runId);
    if (
      manifest.manifest_version >= MANIFEST_VERSION && !isFile(join(runDir, LEGACY_EVENTS_FILE))
    ) {
      return { runId, migrated: false, events: 0, plannedEvents: 0, trials: 0, segments: 0 };
    }
    return await migrate(runs, runId, manifest);
  } catch (error) {
    if (error instanceof ThemisError) throw error;
    throw new ThemisError("STORE_IO", `Cannot migrate run ${runId}: ${errorMessage(error)}`, {
      runId,
    });
  } finally {
    lock.release();
  }
}

function removeIfThere(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/**
 * The steps, each leaving a run every reader reads whole: (1) the plan segments, (2) the
 * compact manifest — now a current run whose log is still `events.jsonl`; (3) the rewritten
 * log in `events.new/` with a marker; (4) swapped in for `events/` — the marker tells readers
 * the old file is superseded; (5) the old file, the old folder and the marker removed.
 */
async function migrate(
  runs: RunStore,
  runId: string,
  manifest: RunManifest,
): Promise<MigrateReport> {
  const runDir = runs.runDir(runId);
  const v1Trials = manifest.trials;
  const trials = v1Trials ?? await Array.fromAsync(runs.iterPlan(runId, manifest));
  const modelOf = new Map(trials.map((t) => [t.trial, t.model]));
  const fresh = join(runDir, `${SEGMENT_DIR}.new`);
  removeIfThere(fresh);
  const rewritten = await rewriteEvents(runDir, {
    dir: fresh,
    bound: runs.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
    modelOf,
  });
  if (v1Trials !== undefined) {
    await writePlan(runs, runDir, v1Trials, rewritten.payloads);
    const { trials: _, ...compact } = manifest;
    await writeFileAtomic(
      storePaths.manifest(runs.root, runId),
      JSON.stringify({ ...compact, manifest_version: MANIFEST_VERSION }, null, 1) + "\n",
    );
  }
  Deno.writeTextFileSync(join(fresh, MIGRATED_MARKER), `${LEGACY_EVENTS_FILE}\n`);
  const current = join(runDir, SEGMENT_DIR);
  if (isDir(current)) Deno.renameSync(current, `${current}.old`);
  Deno.renameSync(fresh, current);
  finishSwap(runDir);
  runs.forgetCheckpoint(runId);
  return {
    runId,
    migrated: true,
    events: rewritten.events,
    plannedEvents: rewritten.planned,
    trials: trials.length,
    segments: rewritten.segments,
  };
}

async function writePlan(
  runs: RunStore,
  runDir: string,
  trials: PlanTrial[],
  payloads: Map<string, V1Payloads>,
): Promise<void> {
  const spool = LineSpool.create(join(runs.cacheDir, "tmp"));
  try {
    planLines(trials, payloads, spool);
    spool.close();
    removeIfThere(join(runDir, PLAN_DIR));
    await writePlanSegments(runDir, spool.path, runs.segmentBytes);
  } finally {
    await Deno.remove(spool.path).catch(() => {});
  }
}

/** After a crash mid-swap: put the newer folder in place, or the old one back. */
function recoverSwap(runDir: string): void {
  const current = join(runDir, SEGMENT_DIR);
  if (!isDir(current) && isFile(join(`${current}.new`, MIGRATED_MARKER))) {
    Deno.renameSync(`${current}.new`, current);
  }
  if (!isDir(current) && isDir(`${current}.old`)) Deno.renameSync(`${current}.old`, current);
  finishSwap(runDir);
}

/** The last step of a swap (also after a crash): old files and the marker go. */
function finishSwap(runDir: string): void {
  const current = join(runDir, SEGMENT_DIR);
  if (!isFile(join(current, MIGRATED_MARKER))) return;
  for (const old of [join(runDir, LEGACY_EVENTS_FILE), `${current}.old`, `${current}.new`]) {
    removeIfThere(old);
  }
  Deno.removeSync(join(current, MIGRATED_MARKER));
}
