import { canonicalJson } from "../core/canonical.ts";
import { ThemisError } from "../core/errors.ts";
import type { JsonObject } from "../core/json.ts";

/** Schema version of the event envelope; readers upcast older versions (docs/design/events.md). */
export const EVENT_VERSION = 1;

/** Event types name past facts. */
export type EventType =
  | "run.started"
  | "run.finished"
  | "trial.planned"
  | "generation.completed"
  | "generation.failed"
  | "attempt.retried"
  | "parse.completed"
  | "parse.failed"
  | "score.completed"
  | "score.failed"
  | "circuit.opened"
  | "concurrency.changed"
  | "judge.completed";

/** One line of `events.jsonl`. */
export interface ThemisEvent {
  v: number;
  seq: number;
  ts: string;
  run: string;
  type: EventType;
  trial?: string;
  cand?: string;
  /** `gen`, `tf:<parse hash>` or `ev:<score hash>`. */
  overlay?: string;
  data: JsonObject;
}

/** An event before the writer gives it a sequence number, time and run. */
export type NewEvent = Omit<ThemisEvent, "v" | "seq" | "ts" | "run">;

/**
 * One event as one line, keys in a fixed order (envelope) and sorted order (data).
 *
 * @example
 * ```ts
 * import { serializeEvent } from "./events.ts";
 * const line = serializeEvent({ v: 1, seq: 0, ts: "t", run: "r", type: "run.started", data: {} });
 * console.assert(line === '{"v":1,"seq":0,"ts":"t","run":"r","type":"run.started","data":{}}');
 * ```
 */
export function serializeEvent(event: ThemisEvent): string {
  let line = `{"v":${event.v},"seq":${event.seq},"ts":${JSON.stringify(event.ts)},"run":${
    JSON.stringify(event.run)
  },"type":${JSON.stringify(event.type)}`;
  if (event.trial !== undefined) line += `,"trial":${JSON.stringify(event.trial)}`;
  if (event.cand !== undefined) line += `,"cand":${JSON.stringify(event.cand)}`;
  if (event.overlay !== undefined) line += `,"overlay":${JSON.stringify(event.overlay)}`;
  return line + `,"data":${canonicalJson(event.data)}}`;
}

/**
 * Parse and upcast one line; a line that is not a valid event is `STORE_CORRUPT` naming the
 * file and line.
 */
export function parseEventLine(line: string, file: string, lineNumber: number): ThemisEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ThemisError(
      "STORE_CORRUPT",
      `Cannot read events from "${file}": line ${lineNumber} is not valid JSON`,
      {
        file,
        line: lineNumber,
        suggestion: "restore the file from git, or delete the run directory to redo its work",
      },
    );
  }
  const event = value as Partial<ThemisEvent>;
  if (
    typeof event !== "object" || event === null || typeof event.v !== "number" ||
    typeof event.type !== "string" || typeof event.seq !== "number" ||
    typeof event.run !== "string"
  ) {
    throw new ThemisError(
      "STORE_CORRUPT",
      `Cannot read events from "${file}": line ${lineNumber} is not a themis event ` +
        `(needs v, seq, run and type)`,
      { file, line: lineNumber },
    );
  }
  if (event.v > EVENT_VERSION) {
    throw new ThemisError(
      "STORE_CORRUPT",
      `"${file}" line ${lineNumber} has event version ${event.v}; this themis reads up to ` +
        `${EVENT_VERSION}: upgrade themis`,
      { file, line: lineNumber },
    );
  }
  return upcast(event as ThemisEvent);
}

// Version 1 is the first: nothing to upcast yet. Later versions convert here, on read.
function upcast(event: ThemisEvent): ThemisEvent {
  if (event.data === undefined || event.data === null) event.data = {};
  return event;
}

/** The overlay name of a parse hash. */
export const parseOverlay = (hash: string): string => `tf:${hash}`;
/** The overlay name of a score hash. */
export const scoreOverlay = (hash: string): string => `ev:${hash}`;
/** The generation overlay. */
export const GEN_OVERLAY = "gen";
