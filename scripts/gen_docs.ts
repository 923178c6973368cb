/**
 * `deno task docs`: write the generated pages (docs/events.md) from the code they document.
 * Tests fail when a committed page differs from what this writes.
 */
import { eventsMarkdown } from "../src/store/event_docs.ts";

const docs = new URL("../docs/", import.meta.url);
const pages: Record<string, string> = { "events.md": eventsMarkdown() };
for (const [name, text] of Object.entries(pages)) {
  await Deno.writeTextFile(new URL(name, docs), text);
  console.log(`wrote docs/${name}`);
}
