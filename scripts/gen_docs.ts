/**
 * `deno task docs`: write the generated files from the code they document — docs/events.md
 * and the event data types from the event catalogue, and the spec and handoff types from
 * their zod schemas. Tests fail when a committed file differs from what this writes.
 */
import { eventsMarkdown } from "../src/store/event_docs.ts";
import { eventTypesSource } from "../src/store/event_types_source.ts";
import { handoffTypesSource, specTypesSource } from "../src/spec/spec_type_sources.ts";

const files: Record<string, string> = {
  "docs/events.md": eventsMarkdown(),
  "src/spec/spec_types.ts": specTypesSource(),
  "src/spec/handoff_types.ts": handoffTypesSource(),
  "src/store/event_types.ts": eventTypesSource(),
};
for (const [path, text] of Object.entries(files)) {
  await Deno.writeTextFile(new URL(`../${path}`, import.meta.url), text);
  console.log(`wrote ${path}`);
}
