/**
 * A lane that every use of one DuckDB connection goes through: one task at a time (a refresh
 * runs in a transaction on the connection, so nothing may interleave with it), and among
 * waiting tasks the most urgent first.
 */

/** Priorities, most urgent first: a page someone waits for, then a refresh. */
export const PRIORITY = { interactive: 0, refresh: 1 } as const;

/** A priority of the lane. */
export type Priority = typeof PRIORITY[keyof typeof PRIORITY];

interface Waiting {
  priority: number;
  order: number;
  start(): void;
  cancel(reason: Error): void;
}

/**
 * A serial queue with priorities: `run` starts a task once every task before it has finished
 * and no more urgent task waits; equal priorities keep their arrival order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PRIORITY, QueryLane } from "./query_lane.ts";
 * const lane = new QueryLane();
 * const order: string[] = [];
 * const first = lane.run(PRIORITY.refresh, async () => order.push("first"));
 * const later = lane.run(PRIORITY.refresh, async () => order.push("refresh"));
 * const urgent = lane.run(PRIORITY.interactive, async () => order.push("interactive"));
 * await Promise.all([first, later, urgent]);
 * assert.deepEqual(order, ["first", "interactive", "refresh"]);
 * ```
 */
export class QueryLane {
  #waiting: Waiting[] = [];
  #busy = false;
  #order = 0;
  #running?: Promise<unknown>;
  #closed?: Error;

  /** Tasks waiting for their turn (not counting the one running). */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Run `task` when its turn comes; settles as the task does. After `drain`, refused. */
  run<T>(priority: Priority, task: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({
        priority,
        order: this.#order++,
        start: () => {
          this.#running = Promise.resolve().then(task).then(resolve, reject).finally(() => {
            this.#busy = false;
            this.#next();
          });
        },
        cancel: reject,
      });
      this.#next();
    });
  }

  /**
   * Refuse every waiting task, and every later one, with `reason`; resolves once the running
   * one has finished.
   */
  async drain(reason: Error): Promise<void> {
    this.#closed = reason;
    for (const task of this.#waiting.splice(0)) task.cancel(reason);
    while (this.#busy) await this.#running;
  }

  #next(): void {
    if (this.#busy || this.#waiting.length === 0) return;
    let best = 0;
    for (let i = 1; i < this.#waiting.length; i++) {
      const a = this.#waiting[i];
      const b = this.#waiting[best];
      if (a.priority < b.priority || (a.priority === b.priority && a.order < b.order)) best = i;
    }
    const [task] = this.#waiting.splice(best, 1);
    this.#busy = true;
    task.start();
  }
}
