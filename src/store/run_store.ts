import { join, resolve } from "node:path";
import { errorMessage, ThemisError } from "../core/errors.ts";
import {
  checkpointPath,
  coverSegments,
  loadRunCheckpoint,
  type RunCheckpoint,
  type RunSummary,
  saveRunCheckpoint,
  storeFingerprint,
} from "./checkpoint.ts";
import { EventWriter, type EventWriterOptions } from "./event_log.ts";
import type { ThemisEvent } from "./events.ts";
import { storePaths } from "./paths.ts";
import {
  iterPlanTrials,
  movePlanSegments,
  PlanSegmentWriter,
  type PlanTrial,
} from "./plan_segments.ts";
import { iterRunEvents } from "./read_segments.ts";
import { acquireRunLock, type RunLock } from "./run_lock.ts";
import { DEFAULT_SEGMENT_BYTES, listSegments, type Segment } from "./segments.ts";
import { StoreState } from "./store_state.ts";
import { writeFileAtomic } from "./write_atomic.ts";

/** An open run directory: its event writer, the fold of its own events, its lock. */
export interface OpenRun {
  writer: EventWriter;
  /** The run's own facts, kept up to date with what the writer appends. */
  checkpoint: RunCheckpoint;
  /**
   * Close the log (compressing the last segment), save the checkpoint with the summary, if
   * any, and release the lock.
   */
  close(summary?: RunSummary): Promise<void>;
}

/** What the store root's `.gitignore` holds: the derived cache stays out of git. */
export const STORE_GITIGNORE = ".cache/\n";

/**
 * The run directories under a store root (DESIGN §3): manifests, plans, event logs, locks,
 * and the per-run checkpoints of the derived cache.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunStore } from "./run_store.ts";
 * const store = new RunStore(await Deno.makeTempDir());
 * assert.deepEqual(await store.listRunIds(), []);
 * ```
 */
export class RunStore {
  readonly root: string;
  readonly cacheDir: string;
  readonly segmentBytes: number;

  constructor(root: string, options: { segmentBytes?: number } = {}) {
    this.root = resolve(root);
    this.cacheDir = storePaths.cache(this.root);
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  }

  runDir(runId: string): string {
    return storePaths.runDir(this.root, runId);
  }

  /** The segments of a run's event log, in order. */
  segments(runId: string): Segment[] {
    return listSegments(this.runDir(runId));
  }

  /** Every event of one run, in order. */
  iterEvents(runId: string, options: { strict?: boolean } = {}): AsyncGenerator<ThemisEvent> {
    return iterRunEvents(this.runDir(runId), options);
  }

  /**
   * Create the store's folders and its `.gitignore` (for the derived `.cache/`) when missing;
   * an existing `.gitignore` is left as the user wrote it.
   */
  ensureCreated(): void {
    try {
      Deno.mkdirSync(storePaths.runs(this.root), { recursive: true });
      Deno.writeTextFileSync(join(this.root, ".gitignore"), STORE_GITIGNORE, { createNew: true });
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) return;
      throw new ThemisError(
        "STORE_IO",
        `Cannot create the store at ${this.root}: ${errorMessage(error)}`,
        { root: this.root },
      );
    }
  }

  /** Run ids in the store, sorted. */
  async listRunIds(): Promise<string[]> {
    const ids: string[] = [];
    try {
      for await (const entry of Deno.readDir(storePaths.runs(this.root))) {
        if (entry.isDirectory) ids.push(entry.name);
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    return ids.sort();
  }

  async hasRun(runId: string): Promise<boolean> {
    try {
      return (await Deno.stat(storePaths.manifest(this.root, runId))).isFile;
    } catch {
      return false;
    }
  }

  /** The manifest of a run, parsed; `RUN_NOT_FOUND` when the run does not exist. */
  async readManifest<T>(runId: string): Promise<T> {
    const path = storePaths.manifest(this.root, runId);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new ThemisError(
          "RUN_NOT_FOUND",
          `No run "${runId}" in the store at ${this.root}; list runs with "themis runs"`,
          { runId, root: this.root },
        );
      }
      throw new ThemisError("STORE_IO", `Cannot read ${path}: ${errorMessage(error)}`);
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new ThemisError("STORE_CORRUPT", `${path} is not valid JSON: ${errorMessage(error)}`, {
        file: path,
      });
    }
  }

  /**
   * Write a run's plan: its plan segments, written into `planDir` by a `PlanSegmentWriter`
   * while the run was planned, are moved into the run directory, then the manifest is written
   * atomically. The manifest comes last: a run exists once it is there.
   */
  async writePlan(runId: string, manifest: object, planDir: string): Promise<void> {
    this.ensureCreated();
    movePlanSegments(planDir, this.runDir(runId));
    await this.writeManifest(runId, manifest);
  }

  /**
   * A writer of plan segments into a new folder of the cache (`.cache/tmp/plan-…`), for a plan
   * whose run id is not known yet: {@linkcode writePlan} moves them into the run directory.
   */
  planWriter(): PlanSegmentWriter {
    const tmp = join(this.cacheDir, "tmp");
    Deno.mkdirSync(tmp, { recursive: true });
    return new PlanSegmentWriter(
      Deno.makeTempDirSync({ dir: tmp, prefix: "plan-" }),
      this.segmentBytes,
    );
  }

  /** Write a run's manifest atomically. */
  async writeManifest(runId: string, manifest: object): Promise<void> {
    this.ensureCreated();
    const path = storePaths.manifest(this.root, runId);
    await writeFileAtomic(path, JSON.stringify(manifest, null, 1) + "\n");
  }

  /** The trials of a run's plan, in order. */
  iterPlan(runId: string, manifest: { trials?: PlanTrial[] }): AsyncGenerator<PlanTrial> {
    return iterPlanTrials(this.runDir(runId), manifest);
  }

  /**
   * Take the run's lock, fold its own events (from its checkpoint) and open its log for
   * append. Appended events keep the fold current, so closing saves an up-to-date checkpoint.
   */
  async openRun(runId: string, options: EventWriterOptions = {}): Promise<OpenRun> {
    this.ensureCreated();
    const runDir = this.runDir(runId);
    await Deno.mkdir(runDir, { recursive: true });
    const lock: RunLock = acquireRunLock(storePaths.lock(this.root, runId), options);
    try {
      // Fold first: a segment a crashed writer left open is read as it is, then closed.
      const checkpoint = await loadRunCheckpoint(this.cacheDir, runDir, runId);
      const writer = await EventWriter.open(runDir, runId, {
        segmentBytes: this.segmentBytes,
        ...options,
      });
      writer.onAppend = (event) => checkpoint.state.evolve(event);
      return {
        writer,
        checkpoint,
        close: async (summary) => {
          try {
            writer.close();
            const segments = coverSegments(runDir, checkpoint.segments);
            const value = summary && { fingerprint: await this.fingerprint(), value: summary };
            saveRunCheckpoint(this.cacheDir, runId, {
              state: checkpoint.state,
              segments,
              summary: value,
            });
          } finally {
            lock.release();
          }
        },
      };
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** The fold of one run's own events (its checkpoint brought up to date, and saved). */
  async loadRunState(runId: string): Promise<RunCheckpoint> {
    const checkpoint = await loadRunCheckpoint(this.cacheDir, this.runDir(runId), runId);
    if (checkpoint.changed) saveRunCheckpoint(this.cacheDir, runId, checkpoint);
    return checkpoint;
  }

  /**
   * What the events of every run say is done: each run's checkpoint, merged in run order
   * (`known` supplies folds already loaded, such as an open run's own). A store whose facts all
   * come from one run returns that run's fold itself rather than a copy.
   */
  async loadState(
    options: { known?: ReadonlyMap<string, RunCheckpoint> } = {},
  ): Promise<StoreState> {
    const folds: StoreState[] = [];
    for (const runId of await this.listRunIds()) {
      const fold = options.known?.get(runId) ?? await this.loadRunState(runId);
      if (fold.state.size > 0 || fold.state.runs.size > 0) folds.push(fold.state);
    }
    for (const [runId, fold] of options.known ?? []) {
      if (!(await this.hasRun(runId)) && fold.state.size > 0) folds.push(fold.state);
    }
    if (folds.length === 1) return folds[0];
    const state = new StoreState();
    for (const fold of folds) state.merge(fold);
    return state;
  }

  /** Read the texts, answers and judge answers of these candidates into `state`. */
  async collectPayloads(state: StoreState, want: ReadonlySet<string>): Promise<void> {
    if (want.size === 0) return;
    state.want(want);
    for (const runId of await this.listRunIds()) {
      for await (const event of this.iterEvents(runId)) state.collect(event);
    }
  }

  /** A fingerprint of every run's segments: facts derived from the store hold while it holds. */
  async fingerprint(): Promise<string> {
    return storeFingerprint((await this.listRunIds()).map((id) => this.runDir(id)));
  }

  /** Forget a run's checkpoint (its directory was replaced). */
  forgetCheckpoint(runId: string): void {
    try {
      Deno.removeSync(checkpointPath(this.cacheDir, runId));
    } catch {
      // none
    }
  }
}
