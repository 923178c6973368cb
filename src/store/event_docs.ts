/**
 * `docs/events.md`, generated from the event catalogue (`deno task docs` writes it; a test
 * fails when the file and the catalogue disagree).
 */
import { z } from "npm:zod@4.6.7";
import { EVENT_CATALOGUE, EVENT_TYPES, EVENT_VERSION } from "./event_catalogue.ts";

type Node = {
  type?: string | string[];
  description?: string;
  items?: Node;
  properties?: Record<string, Node>;
  required?: string[];
  anyOf?: Node[];
  const?: unknown;
  enum?: unknown[];
  $ref?: string;
};

function typeName(node: Node): string {
  if (node.$ref) return "JSON";
  if (node.anyOf) return node.anyOf.map(typeName).join(" \\| ");
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return node.enum.map((e) => JSON.stringify(e)).join(" \\| ");
  const types = Array.isArray(node.type) ? node.type : [node.type ?? "JSON"];
  return types.map((t) => {
    if (t === "array") return `${node.items ? typeName(node.items) : "JSON"}[]`;
    if (t === "object") {
      const keys = Object.keys(node.properties ?? {});
      return keys.length ? `{${keys.join(", ")}}` : "object";
    }
    return t;
  }).join(" \\| ");
}

const OVERLAYS: Record<string, string> = {
  none: "–",
  trial: "–",
  gen: "`gen`",
  tf: "`tf:<parse hash>`",
  ev: "`ev:<score hash>`",
};

const INTRO = `# Events

<!-- Generated from src/store/event_catalogue.ts by \`deno task docs\`: edit the catalogue. -->

A run's log is a sequence of events, one JSON object per line, in numbered segments under
\`runs/<run id>/events/\` (see [design/run_directory.md](design/run_directory.md)):

\`\`\`json
{"v":${EVENT_VERSION},"seq":12,"ts":"2026-12-07T07:00:00.000Z","run":"3f2a…","type":"generation.completed","trial":"…","cand":"…","overlay":"gen","data":{…}}
\`\`\`

- Envelope keys always in this order; \`trial\`, \`cand\`, \`overlay\` are left out when they do not
  apply. \`data\` is canonical JSON (sorted keys). Numbers are finite.
- \`v\` is the envelope version (now ${EVENT_VERSION}). Readers upcast older versions; a line with a
  newer version is refused with an upgrade hint. Version 1 logs (a single \`events.jsonl\`) are read
  as they are; \`themis migrate\` rewrites them in the current layout.
- \`seq\` counts from 0 within one run directory, across every process that appended to it.
- A torn last line of an open segment (a crash mid-write) is ignored by readers and cut by the next
  writer. Any other malformed line is \`STORE_CORRUPT\` naming the segment and line.
- **Status is derived**: an overlay of a candidate is done when any run of the store holds a
  \`*.completed\` event for it (or a \`*.failed\` with \`kind = "invalid"\`). The first such fact
  (by time, run, sequence, segment) is the one projections report. A run with a \`run.started\`
  after its last \`run.finished\` is interrupted. Nothing else is stored.
- The catalogue is the only definition of each event's data: the writer and the state fold are
  typed by it, the analytics cache reads \`data\` with the DuckDB types it gives (\`data.latency_ms\`
  in \`themis sql\`), and this page is generated from it.

## Event types
`;

/**
 * The markdown of `docs/events.md`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventsMarkdown } from "./event_docs.ts";
 * assert.match(eventsMarkdown(), /### `generation.completed`/);
 * ```
 */
export function eventsMarkdown(): string {
  const sections = EVENT_TYPES.map((type) => {
    const entry = EVENT_CATALOGUE[type];
    const schema = z.toJSONSchema(entry.data, { unrepresentable: "any" }) as Node;
    const required = new Set(schema.required ?? []);
    const rows = Object.entries(schema.properties ?? {}).map(([name, node]) =>
      `| \`${name}\` | ${typeName(node)} | ${required.has(name) ? "yes" : "no"} | ${
        (node.description ?? "").replaceAll("|", "\\|")
      } |`
    );
    const what = entry.description[0].toUpperCase() + entry.description.slice(1);
    return `### \`${type}\`\n\n${what}. Overlay: ${OVERLAYS[entry.overlay]}.\n\n` +
      `| field | type | required | meaning |\n| --- | --- | --- | --- |\n${rows.join("\n")}\n`;
  });
  return `${INTRO}\n${sections.join("\n")}`;
}
