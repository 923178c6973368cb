import { resolve } from "node:path";
import { errorMessage, ThemisError } from "../core/errors.ts";
import { EventWriter, type EventWriterOptions, iterEvents } from "./event_log.ts";
import { storePaths } from "./paths.ts";
import { acquireRunLock, type RunLock } from "./run_lock.ts";
import { emptyStoreState, evolve, type StoreState } from "./store_state.ts";
import { readLines, writeFileAtomic } from "./write_atomic.ts";

/** The trial id of a `trial.planned` line, from its envelope (serializeEvent's key order). */
function plannedTrialOf(line: string): string | undefined {
  const match =
    /^\{"v":\d+,"seq":\d+,"ts":"[^"]*","run":"[^"]*","type":"trial\.planned","trial":"([^"]+)"/
      .exec(line);
  return match?.[1];
}

/** The store's state, and the trials one run already announced. */
export interface LoadedState {
  state: StoreState;
  planned: Set<string>;
}

/** An open run directory: its event writer and its lock. Close it when the run ends. */
export interface OpenRun {
  writer: EventWriter;
  close(): void;
}

/**
 * The run directories under a store root (DESIGN §3): manifests, event logs, locks.
 *
 * @example
 * ```ts
 * import { RunStore } from "./run_store.ts";
 * const store = new RunStore(await Deno.makeTempDir());
 * console.assert((await store.listRunIds()).length === 0);
 * ```
 */
export class RunStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  runDir(runId: string): string {
    return storePaths.runDir(this.root, runId);
  }

  eventsFile(runId: string): string {
    return storePaths.events(this.root, runId);
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
   * Write a run's manifest atomically. With `trialsFile` (one JSON trial per line), the
   * manifest's `trials` array is streamed from it rather than built in memory.
   */
  async writeManifest(runId: string, manifest: object, trialsFile?: string): Promise<void> {
    const path = storePaths.manifest(this.root, runId);
    if (trialsFile === undefined) {
      await writeFileAtomic(path, JSON.stringify(manifest, null, 1) + "\n");
      return;
    }
    const head = JSON.stringify({ ...manifest, trials: undefined }, null, 1);
    await writeFileAtomic(path, async (write) => {
      await write(head.slice(0, -2) + `,\n "trials": [`);
      let first = true;
      for await (const line of readLines(trialsFile)) {
        await write((first ? "\n  " : ",\n  ") + line);
        first = false;
      }
      await write(first ? "]\n}\n" : "\n ]\n}\n");
    });
  }

  /** Take the run's lock and open its event log for append. */
  async openRun(runId: string, options: EventWriterOptions = {}): Promise<OpenRun> {
    await Deno.mkdir(this.runDir(runId), { recursive: true });
    const lock: RunLock = acquireRunLock(storePaths.lock(this.root, runId), options);
    try {
      const writer = EventWriter.open(this.eventsFile(runId), runId, options);
      return {
        writer,
        close() {
          try {
            writer.close();
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

  /**
   * Fold the events of every run of the store into what is done; with `plannedIn`, also the
   * trials that run's events already announce.
   */
  async loadState(options: { plannedIn?: string } = {}): Promise<LoadedState> {
    const state = emptyStoreState();
    const planned = new Set<string>();
    for (const runId of await this.listRunIds()) {
      const collect = runId === options.plannedIn;
      // trial.planned lines are the largest and say nothing about what is done: they are not
      // parsed; the asked-for run's trial ids are read off the envelope.
      const skipLine = (line: string) => {
        if (!line.includes(`"type":"trial.planned"`)) return false;
        if (collect) {
          const trial = plannedTrialOf(line);
          if (trial === undefined) return false; // not the usual envelope: parse it
          planned.add(trial);
        }
        return true;
      };
      for await (const event of iterEvents(this.eventsFile(runId), { skipLine })) {
        evolve(state, event);
        if (collect && event.type === "trial.planned") planned.add(event.trial!);
      }
    }
    return { state, planned };
  }
}
