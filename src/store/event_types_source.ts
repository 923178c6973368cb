/**
 * `src/store/event_types.ts`: the data of every event type as documented interfaces, written
 * from the event catalogue (`deno task docs`; tests check it is current and equal to the
 * catalogue's own types).
 */
import { docComment, typeDeclarations } from "../core/type_declarations.ts";
import { EVENT_CATALOGUE } from "./event_catalogue.ts";

/** `generation.completed` → `GenerationCompletedData`. */
const dataName = (type: string) =>
  type.split(/[._]/).map((w) => w[0].toUpperCase() + w.slice(1)).join("") + "Data";

/**
 * The source of `event_types.ts`: one interface per event type's data, and `EventDataMap`
 * from each type to its data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventTypesSource } from "./event_types_source.ts";
 * assert.match(eventTypesSource(), /export interface GenerationCompletedData \{/);
 * assert.match(eventTypesSource(), /"generation\.completed": GenerationCompletedData;/);
 * ```
 */
export function eventTypesSource(): string {
  const entries = Object.entries(EVENT_CATALOGUE);
  const map = entries.map(([type, entry]) =>
    `${docComment(entry.description, "  ")}  "${type}": ${dataName(type)};\n`
  ).join("");
  return typeDeclarations(
    entries.map(([type, entry]) => ({
      name: dataName(type),
      schema: entry.data,
      description: `The data of \`${type}\`: ${entry.description}.`,
    })),
    {
      header: "The data of every event type (docs/events.md), by type. Generated from the\n" +
        "event catalogue (`event_catalogue.ts`), which stays its one source.",
      jsonModule: "../core/json.ts",
      extra:
        `/** The data of every event type, by type. */\nexport interface EventDataMap {\n${map}}\n`,
    },
  );
}
