import { canonicalJson } from "../core/canonical.ts";
import { ThemisError } from "../core/errors.ts";
import { EVENT_VERSION, EventSchema, isEventType, type ThemisEvent } from "./event_catalogue.ts";

export {
  EVENT_TYPES,
  EVENT_VERSION,
  type EventData,
  type EventOf,
  type EventType,
  isEventType,
  type NewEvent,
  type ThemisEvent,
} from "./event_catalogue.ts";

/**
 * One event as one line: envelope keys in a fixed order, `data` as canonical JSON (sorted keys).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serializeEvent } from "./events.ts";
 * const line = serializeEvent({
 *   v: 2, seq: 0, ts: "2026-01-01T00:00:00.000Z", run: "r", type: "run.finished",
 *   data: { stages: [], counts: {}, cancelled: false },
 * });
 * assert.equal(line, '{"v":2,"seq":0,"ts":"2026-01-01T00:00:00.000Z","run":"r",' +
 *   '"type":"run.finished","data":{"cancelled":false,"counts":{},"stages":[]}}');
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

/** Where a line came from, for errors: `runs/<id>/events/000002-….jsonl.gz`, line 17. */
export interface LineOrigin {
  file: string;
  line: number;
}

function corrupt(origin: LineOrigin, why: string): ThemisError {
  return new ThemisError(
    "STORE_CORRUPT",
    `Cannot read events from "${origin.file}": line ${origin.line} ${why}`,
    {
      file: origin.file,
      line: origin.line,
      suggestion: "restore the file from git, or delete the run directory to redo its work",
    },
  );
}

const ISO_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const OPTIONAL_KEYS = ["trial", "cand", "overlay"] as const;

/**
 * Check the envelope of a parsed line: version, sequence, time, run, a known type, and data
 * that is an object. Returns why it is not an event, or undefined.
 */
function envelopeProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "is not a JSON object";
  }
  const e = value as Record<string, unknown>;
  if (!Number.isInteger(e.v) || (e.v as number) < 1) return "has no event version `v`";
  if (!Number.isInteger(e.seq) || (e.seq as number) < 0) return "has no sequence number `seq`";
  if (typeof e.ts !== "string" || !ISO_TS.test(e.ts) || Number.isNaN(Date.parse(e.ts))) {
    return `has no valid time \`ts\` (${JSON.stringify(e.ts)})`;
  }
  if (typeof e.run !== "string" || e.run === "") return "has no run id `run`";
  if (typeof e.type !== "string" || !isEventType(e.type)) {
    return `has an unknown event type ${JSON.stringify(e.type)}`;
  }
  for (const key of OPTIONAL_KEYS) {
    if (e[key] !== undefined && typeof e[key] !== "string") return `has a non-text \`${key}\``;
  }
  if (e.data !== undefined && (typeof e.data !== "object" || Array.isArray(e.data))) {
    return "has `data` that is not an object";
  }
  return undefined;
}

/**
 * Parse one line and upcast it to the current version. A line that is not JSON, not an event
 * envelope or of a newer version is `STORE_CORRUPT` naming the file and line. Event data is
 * checked against the catalogue only when `strict` (the analytics' error path does).
 */
export function parseEventLine(
  line: string,
  origin: LineOrigin,
  options: { strict?: boolean } = {},
): ThemisEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw corrupt(origin, "is not valid JSON");
  }
  const problem = envelopeProblem(value);
  if (problem !== undefined) throw corrupt(origin, `is not a themis event: it ${problem}`);
  const event = value as ThemisEvent;
  if (event.v > EVENT_VERSION) {
    throw new ThemisError(
      "STORE_CORRUPT",
      `"${origin.file}" line ${origin.line} has event version ${event.v}; this themis reads ` +
        `up to ${EVENT_VERSION}: upgrade themis`,
      { file: origin.file, line: origin.line },
    );
  }
  const upcast = upcastEvent(event);
  if (options.strict) {
    const checked = EventSchema.safeParse(upcast);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw corrupt(
        origin,
        `has a bad field ${issue.path.join(".") || "(event)"}: ${issue.message}`,
      );
    }
  }
  return upcast;
}

/**
 * Version 1 differs from 2 only in what is written, not in shapes: `data` could be absent on
 * hand-made lines. The version field is raised so readers see one shape.
 */
function upcastEvent(event: ThemisEvent): ThemisEvent {
  if (event.data === undefined || event.data === null) {
    (event as { data: object }).data = {};
  }
  return event;
}

/**
 * True when `value` is an event the catalogue accepts (envelope and data): the boundary where
 * rows read back from elsewhere become typed events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isThemisEvent } from "./events.ts";
 * assert.equal(isThemisEvent({ v: 2, seq: 0, ts: "2026-01-01T00:00:00.000Z", run: "r",
 *   type: "run.finished", data: { stages: [], counts: {}, cancelled: false } }), true);
 * assert.equal(isThemisEvent({ v: 2, seq: 0, type: "run.finished" }), false);
 * ```
 */
export function isThemisEvent(value: unknown): value is ThemisEvent {
  return EventSchema.safeParse(value).success;
}

/** The overlay name of a parse hash. */
export const parseOverlay = (hash: string): string => `tf:${hash}`;
/** The overlay name of a score hash. */
export const scoreOverlay = (hash: string): string => `ev:${hash}`;
/** The generation overlay. */
export const GEN_OVERLAY = "gen";
