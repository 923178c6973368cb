import { setImmediate } from "node:timers";
import type { NewEvent } from "../store/events.ts";

/** Where events go: the run's writer (`appendAll` writes them with one write). */
export interface EventSink {
  appendAll(events: NewEvent[]): unknown;
}

/** Events held at most: past this many, they are written at once. */
const MAX_HELD = 4096;

/**
 * Group commit for the scheduler: events appended within one turn of the event loop go to
 * the writer in one write at the end of that turn. A batch of 32 results that come back
 * together is one write, not 32. Order is kept; an event waits at most one turn, so a crash
 * loses no more than the writer alone would (what is in flight). A write that fails is
 * thrown by the next `append` or by `flush`, where the scheduler sees it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EventBuffer } from "./event_buffer.ts";
 * const writes: number[] = [];
 * const buffer = new EventBuffer({ appendAll: (events) => writes.push(events.length) });
 * const finished = { stages: [], counts: {}, cancelled: false };
 * buffer.append({ type: "run.finished", data: finished });
 * buffer.append({ type: "run.finished", data: finished });
 * assert.deepEqual(writes, []);
 * buffer.flush();
 * assert.deepEqual(writes, [2]);
 * ```
 */
export class EventBuffer {
  #held: NewEvent[] = [];
  #scheduled = false;
  #failure: { error: unknown } | undefined;

  constructor(readonly sink: EventSink) {}

  append(event: NewEvent): void {
    this.appendAll([event]);
  }

  appendAll(events: NewEvent[]): void {
    if (this.#failure) throw this.#failure.error;
    this.#held.push(...events);
    if (this.#held.length >= MAX_HELD) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        try {
          this.flush();
        } catch (error) {
          this.#failure ??= { error };
        }
      });
    }
  }

  /** Write what is held now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#failure) throw this.#failure.error;
    if (this.#held.length === 0) return;
    const events = this.#held;
    this.#held = [];
    this.sink.appendAll(events);
  }
}
