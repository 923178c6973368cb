import type { JsonObject } from "../core/json.ts";

/** What the telemetry bus announces while a run executes. */
export interface TelemetryEvent {
  /** What happened. */
  type:
    | "run.started"
    | "run.finished"
    | "trial.started"
    | "trial.finished"
    | "attempt"
    | "retry"
    | "error"
    | "metric.started"
    | "metric.finished"
    | "circuit.opened"
    | "concurrency.changed";
  /** The run. */
  runId: string;
  /** The trial, when the event is about one. */
  trialId?: string;
  /** The candidate, when the event is about one. */
  candidateId?: string;
  /** Details (the error, the attempt number, …). */
  data?: JsonObject;
}

/** A subscriber; its errors are caught and never reach the run. */
export type TelemetrySubscriber = (event: TelemetryEvent) => void;

/**
 * A telemetry bus: subscribers see events as they happen. A subscriber that throws is
 * counted in `subscriberErrors` and otherwise ignored: observing a run never breaks it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TelemetryBus } from "./telemetry.ts";
 * const bus = new TelemetryBus();
 * const seen: string[] = [];
 * bus.subscribe((e) => seen.push(e.type));
 * bus.emit({ type: "attempt", runId: "r" });
 * assert.equal(seen[0], "attempt");
 * ```
 */
export class TelemetryBus {
  readonly #subscribers = new Set<TelemetrySubscriber>();
  /** Subscribers that threw, counted. */
  subscriberErrors = 0;

  /** Subscribe; returns the function that unsubscribes. */
  subscribe(subscriber: TelemetrySubscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  /** Announce an event to every subscriber. */
  emit(event: TelemetryEvent): void {
    for (const subscriber of this.#subscribers) {
      try {
        subscriber(event);
      } catch {
        this.subscriberErrors++;
      }
    }
  }
}
