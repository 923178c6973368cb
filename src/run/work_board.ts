/**
 * A worker's board: one shared memory block per worker thread where each running task
 * publishes the phase it is in and that phase's deadline. The worker writes; the main thread
 * reads it without a message, even while the worker is stuck in synchronous code — which is
 * exactly when it must know whom to stop and why.
 */
import type { PhaseBoard, StageName } from "./task_clock.ts";

const STAGES: StageName[] = ["generation", "parse", "score", "judge", "hook"];
const STAGE_CODES = Object.fromEntries(STAGES.map((s, i) => [s, i + 1])) as Record<
  StageName,
  number
>;
/** Fields per slot: task key, stage code (0: none), work item, deadline (epoch ms). */
const FIELDS = 4;

/** What a slot of a board says. */
export interface BoardEntry {
  /** The task's key (given by the pool, never 0). */
  key: number;
  /** The phase the task is in, if it is inside plugin code. */
  stage?: StageName;
  item: number;
  /** When the phase is due (epoch ms); Infinity outside plugin code. */
  deadline: number;
}

/** A claimed slot: the task's phases go here until it is released. */
export interface BoardSlot extends PhaseBoard {
  release(): void;
}

/**
 * A board over a `SharedArrayBuffer` of `slots` task slots.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkBoard } from "./work_board.ts";
 * const board = WorkBoard.create(2);
 * const slot = board.claim(7)!;
 * slot.enter("score", 3, 1000);
 * const seen = new WorkBoard(board.buffer).read();
 * assert.deepEqual(seen, [{ key: 7, stage: "score", item: 3, deadline: 1000 }]);
 * slot.release();
 * assert.deepEqual(board.read(), []);
 * ```
 */
export class WorkBoard {
  readonly #cells: Float64Array;
  readonly #slots: Slot[] = [];
  readonly #free: Slot[] = [];

  constructor(readonly buffer: SharedArrayBuffer) {
    this.#cells = new Float64Array(buffer);
    for (let i = 0; i < this.#cells.length / FIELDS; i++) {
      this.#slots.push(new Slot(this.#cells, i * FIELDS, this.#free));
    }
    for (let i = this.#slots.length - 1; i >= 0; i--) this.#free.push(this.#slots[i]);
  }

  /** A fresh board with room for `slots` tasks at once. */
  static create(slots: number): WorkBoard {
    return new WorkBoard(new SharedArrayBuffer(slots * FIELDS * Float64Array.BYTES_PER_ELEMENT));
  }

  /** Take a slot for a task; undefined when every slot is taken. */
  claim(key: number): BoardSlot | undefined {
    const slot = this.#free.pop();
    if (slot === undefined) return undefined;
    slot.idle();
    this.#cells[slot.at] = key;
    return slot;
  }

  /** The tasks on the board now. */
  read(): BoardEntry[] {
    const out: BoardEntry[] = [];
    const cells = this.#cells;
    for (let at = 0; at < cells.length; at += FIELDS) {
      const key = cells[at];
      if (key === 0) continue;
      const stage = STAGES[cells[at + 1] - 1];
      const entry: BoardEntry = { key, item: cells[at + 2], deadline: cells[at + 3] };
      if (stage) entry.stage = stage;
      out.push(entry);
    }
    return out;
  }
}

// One object per slot, made once: a slot is claimed for every task a worker runs.
class Slot implements BoardSlot {
  constructor(
    readonly cells: Float64Array,
    readonly at: number,
    readonly free: Slot[],
  ) {}

  enter(stage: StageName, item: number, deadline: number): void {
    this.cells[this.at + 1] = STAGE_CODES[stage];
    this.cells[this.at + 2] = item;
    this.cells[this.at + 3] = deadline;
  }

  idle(): void {
    this.cells[this.at + 1] = 0;
    this.cells[this.at + 3] = Infinity;
  }

  release(): void {
    this.cells[this.at] = 0;
    this.free.push(this);
  }
}
