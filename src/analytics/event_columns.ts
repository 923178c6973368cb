/**
 * The DuckDB types of an event line, derived from the event catalogue: the envelope's columns,
 * and `data` as one STRUCT holding every field any event type has (a field two types give
 * different shapes becomes JSON). Projections read typed fields (`data.latency_ms`) instead of
 * parsing JSON text again.
 */
import { z } from "npm:zod@4.6.7";
import {
  EVENT_CATALOGUE,
  EVENT_TYPES,
  isEventType,
  type ThemisEvent,
} from "../store/event_catalogue.ts";
import { isThemisEvent } from "../store/events.ts";
import { ThemisError } from "../core/errors.ts";

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  $ref?: string;
  additionalProperties?: unknown;
};

/** The DuckDB type of one JSON schema node (JSON for anything free-form or mixed). */
function duckType(schema: JsonSchema): string {
  if (schema.$ref !== undefined) return "JSON";
  if (schema.anyOf) {
    const kinds = schema.anyOf.filter((s) => s.type !== "null").map(duckType);
    return kinds.length === 1 ? kinds[0] : "JSON";
  }
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter(
    (t) => t !== "null" && t !== undefined,
  );
  if (types.length !== 1) return schema.const !== undefined || schema.enum ? "VARCHAR" : "JSON";
  switch (types[0]) {
    case "string":
      return "VARCHAR";
    case "integer":
      return "BIGINT";
    case "number":
      return "DOUBLE";
    case "boolean":
      return "BOOLEAN";
    case "array":
      return schema.items ? `${duckType(schema.items)}[]` : "JSON";
    case "object":
      return schema.properties && Object.keys(schema.properties).length > 0 &&
          schema.additionalProperties === false
        ? structType(schema.properties)
        : "JSON";
    default:
      return "JSON";
  }
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function structType(properties: Record<string, JsonSchema>): string {
  const fields = Object.entries(properties).map(([name, s]) => `${quote(name)} ${duckType(s)}`);
  return `STRUCT(${fields.join(", ")})`;
}

/**
 * Every field of every event type's data with its DuckDB type; a field whose types disagree
 * across event types is JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dataFields } from "./event_columns.ts";
 * assert.equal(dataFields().get("latency_ms"), "DOUBLE");
 * assert.equal(dataFields().get("attempts"), "JSON"); // a count here, a list there
 * ```
 */
export function dataFields(): Map<string, string> {
  const fields = new Map<string, string>();
  for (const type of EVENT_TYPES) {
    const schema = z.toJSONSchema(EVENT_CATALOGUE[type].data, {
      unrepresentable: "any",
    }) as JsonSchema;
    for (const [name, node] of Object.entries(schema.properties ?? {})) {
      const duck = duckType(node);
      const known = fields.get(name);
      fields.set(name, known === undefined || known === duck ? duck : "JSON");
    }
  }
  return fields;
}

/** The DuckDB STRUCT type of `data`. */
export function dataStructType(): string {
  return `STRUCT(${[...dataFields()].map(([n, t]) => `${quote(n)} ${t}`).join(", ")})`;
}

/** `columns = {…}` of `read_json` for event lines. */
export function eventColumnsSql(): string {
  const struct = dataStructType().replaceAll("'", "''");
  return `{v: 'INTEGER', seq: 'BIGINT', ts: 'TIMESTAMPTZ', run: 'VARCHAR', type: 'VARCHAR', ` +
    `trial: 'VARCHAR', cand: 'VARCHAR', overlay: 'VARCHAR', data: '${struct}'}`;
}

/**
 * A value read back from a STRUCT, with the fields the schema does not declare, and the nulls
 * it does not accept (fields of other event types, absent optional fields), left out.
 */
function withoutEmptyFields(schema: z.ZodType, value: unknown): unknown {
  const def: {
    type: string;
    shape?: Record<string, z.ZodType>;
    innerType?: z.ZodType;
    element?: z.ZodType;
  } = schema.def;
  if (value === null || value === undefined) return value;
  if (def.type === "optional" || def.type === "nullable" || def.type === "default") {
    return withoutEmptyFields(def.innerType!, value);
  }
  if (def.type === "array" && Array.isArray(value)) {
    return value.map((v) => withoutEmptyFields(def.element!, v));
  }
  if (def.type !== "object" || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(def.shape!)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || (v === null && !field.safeParse(null).success)) continue;
    out[key] = withoutEmptyFields(field, v);
  }
  return out;
}

/** The SQL that selects events as `eventFromRow` reads them (`data` as JSON text). */
export const EVENT_ROW_SELECT =
  "v, seq, ts, run, type, trial, cand, overlay, to_json(data) as data";

/**
 * An event from a row of the `events` table selected with `EVENT_ROW_SELECT`: `data` keeps
 * the fields its type declares, without the empty ones other types' fields leave.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventFromRow } from "./event_columns.ts";
 * const event = eventFromRow({ v: 2, seq: 0, ts: "2026-01-01T00:00:00.000Z", run: "r",
 *   type: "run.finished", trial: null, cand: null, overlay: null,
 *   data: '{"stages":[],"counts":{},"cancelled":false,"stopped":null,"text":null}' });
 * assert.deepEqual(event.data, { stages: [], counts: {}, cancelled: false, stopped: null });
 * ```
 */
export function eventFromRow(row: Record<string, unknown>): ThemisEvent {
  const type = String(row.type);
  const raw = typeof row.data === "string" ? JSON.parse(row.data) : row.data ?? {};
  const data = isEventType(type) ? withoutEmptyFields(EVENT_CATALOGUE[type].data, raw) : raw;
  const event: Record<string, unknown> = {
    v: row.v,
    seq: row.seq,
    ts: row.ts,
    run: row.run,
    type,
  };
  for (const key of ["trial", "cand", "overlay"]) if (row[key] != null) event[key] = row[key];
  event.data = data;
  if (!isThemisEvent(event)) {
    throw new ThemisError(
      "STORE_CORRUPT",
      `An event of run ${row.run} (seq ${row.seq}) in the analytics cache is not a valid ` +
        `${type} event: delete ${"<store>/.cache"} to rebuild it from the run directories`,
      { run: String(row.run), seq: Number(row.seq) },
    );
  }
  return event;
}
