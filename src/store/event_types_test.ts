import assert from "node:assert/strict";
import type { z } from "npm:zod@4.6.7";
import type { EVENT_CATALOGUE, EventType } from "./event_catalogue.ts";
import type { EventDataMap } from "./event_types.ts";
import { eventTypesSource } from "./event_types_source.ts";

/** true only when A and B are the same type (not merely assignable either way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;

/** Each event type's generated data type against its schema's type. */
type Checks = {
  [T in EventType]: Same<EventDataMap[T], z.output<(typeof EVENT_CATALOGUE)[T]["data"]>>;
};

Deno.test("event_types.ts is what `deno task docs` writes from the event catalogue", async () => {
  const committed = await Deno.readTextFile(new URL("./event_types.ts", import.meta.url));
  assert.equal(committed, eventTypesSource());
});

Deno.test("every generated event data type is the type of its schema in the catalogue", () => {
  // Type checking is the test: a type that drifts from its schema makes `false` appear here.
  const everySame: Checks[EventType] extends true ? true : never = true;
  const sameTypes: Same<keyof typeof EVENT_CATALOGUE, EventType> = true;
  assert.ok(everySame && sameTypes);
});
