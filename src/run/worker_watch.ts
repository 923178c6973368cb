/**
 * The main thread's view of every worker's board: which task runs in which phase on which
 * thread, and since when it is overdue. A worker past a phase's deadline by more than the
 * grace — so its own timer could not fire: it is stuck in synchronous code or out of memory —
 * is stopped, and the tasks on its board are reported so the pool can blame or retry them.
 */
import { type BoardEntry, WorkBoard } from "./work_board.ts";
import { epochNow } from "./task_clock.ts";

/** What a worker tells the main thread besides results. */
export type WorkerNote =
  | { type: "board"; threadId: number; buffer: SharedArrayBuffer }
  | { type: "stray"; threadId: number; kind: "error" | "rejection"; message: string };

/** A task as the board last showed it, on a thread. */
export interface SeenTask extends BoardEntry {
  threadId: number;
  /** The watchdog stopped its worker because this task's phase was overdue. */
  overdue: boolean;
}

interface Watched {
  board: WorkBoard;
  /** When the worker went away (its board is kept a while to blame its tasks). */
  goneAt?: number;
  /** Overdue entries seen at the last tick: a worker is stopped when two ticks agree. */
  overdue?: string;
}

/** Options of {@linkcode WorkerWatch}. */
export interface WorkerWatchOptions {
  /** Extra time past a deadline before a worker is stopped (a late timer is not a hang). */
  graceMs: number;
  /** Stop a worker (it is terminated, its tasks rejected by the pool). */
  stop(threadId: number, seen: SeenTask[]): void;
  /** How often boards are read while work is in flight. */
  tickMs?: number;
}

/** How long the board of a worker that went away is kept for blame. */
const KEEP_GONE_MS = 30_000;

/**
 * Watches the boards of the pool's workers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerWatch } from "./worker_watch.ts";
 * import { WorkBoard } from "./work_board.ts";
 * const stopped: number[] = [];
 * const watch = new WorkerWatch({ graceMs: 0, stop: (id) => stopped.push(id) });
 * const board = WorkBoard.create(1);
 * watch.note({ type: "board", threadId: 3, buffer: board.buffer });
 * board.claim(9)!.enter("score", 0, 1); // due long ago
 * watch.tick();
 * watch.tick(); // a second look that agrees: the worker is stuck
 * assert.deepEqual(stopped, [3]);
 * assert.equal(watch.find(9)?.stage, "score");
 * ```
 */
export class WorkerWatch {
  readonly #watched = new Map<number, Watched>();
  readonly #strays = new Map<number, string>();
  readonly #options: WorkerWatchOptions;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: WorkerWatchOptions) {
    this.#options = options;
  }

  /** A message from a worker. */
  note(message: WorkerNote): void {
    if (message?.type === "board") {
      this.#watched.set(message.threadId, { board: new WorkBoard(message.buffer) });
    } else if (message?.type === "stray") {
      this.#strays.set(message.threadId, `${message.kind}: ${message.message}`);
    }
  }

  /** A worker went away; its board stays readable for a while. */
  gone(threadId: number): void {
    const watched = this.#watched.get(threadId);
    if (watched) watched.goneAt = epochNow();
  }

  /** The uncaught error a worker reported before it ended, if any. */
  stray(threadId: number): string | undefined {
    return this.#strays.get(threadId);
  }

  /** Where a task is (or was, when its worker went away). */
  find(key: number): SeenTask | undefined {
    for (const [threadId, watched] of this.#watched) {
      const entry = watched.board.read().find((e) => e.key === key);
      if (entry) return { ...entry, threadId, overdue: false };
    }
    return undefined;
  }

  /** Read the boards while `busy` says work is in flight. */
  start(busy: () => boolean): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (busy()) this.tick();
      else this.stop();
    }, this.#options.tickMs ?? 250);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One look at every board: stop workers overdue on two looks in a row. */
  tick(now = epochNow()): void {
    for (const [threadId, watched] of this.#watched) {
      if (watched.goneAt !== undefined) {
        if (now - watched.goneAt > KEEP_GONE_MS) {
          this.#watched.delete(threadId);
          this.#strays.delete(threadId);
        }
        continue;
      }
      const entries = watched.board.read();
      const overdue = entries.filter((e) => e.deadline + this.#options.graceMs < now);
      const signature = overdue.length === 0 ? undefined : JSON.stringify(overdue);
      const confirmed = signature !== undefined && signature === watched.overdue;
      watched.overdue = signature;
      if (!confirmed) continue;
      watched.goneAt = now;
      const late = new Set(overdue.map((e) => e.key));
      this.#options.stop(
        threadId,
        entries.map((e) => ({ ...e, threadId, overdue: late.has(e.key) })),
      );
    }
  }
}
