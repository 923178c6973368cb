import assert from "node:assert/strict";
import { eventsMarkdown } from "./event_docs.ts";

Deno.test("docs/events.md is what the event catalogue generates (run `deno task docs`)", async () => {
  const committed = await Deno.readTextFile(new URL("../../docs/events.md", import.meta.url));
  assert.equal(committed, eventsMarkdown());
});
