import type { Json, JsonObject } from "../../core/json.ts";
import type { RunDescription, SliceDescription } from "./describe_run.ts";

const code = (value: Json | undefined): string =>
  value === undefined ? "" : `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;

const cell = (text: string): string => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const refs = (list: Json | undefined): string =>
  Array.isArray(list)
    ? list.map((r) => {
      const ref = r as JsonObject;
      const config = ref.config as JsonObject | undefined;
      return config && Object.keys(config).length > 0
        ? `${ref.id} ${JSON.stringify(config)}`
        : String(ref.id);
    }).join(" → ")
    : "";

function sliceSection(s: SliceDescription): string[] {
  const d = s.dataset;
  const out = [
    `### Slice \`${s.sliceId}\``,
    "",
    `- dataset: ${d.kind}${d.path ? ` ${code(d.path)}` : ""}, ${d.items} items selected ` +
    `(query ${code(s.query)}), content hash ${code(d.content_hash)}`,
  ];
  if (Object.keys(s.dimensions).length > 0) out.push(`- dimensions: ${code(s.dimensions)}`);
  out.push(`- inference params: ${s.inference.map((p) => code(p)).join(", ")}`);
  for (const p of s.parses) {
    out.push(`- parse \`${p.name}\` (${p.hash}): ${refs(p.extractors)}`);
  }
  for (const sc of s.scores) {
    out.push(
      `- score \`${sc.name}\` (${sc.hash}): ${refs(sc.metrics)} over ` +
        `${sc.parse === null ? "the raw text" : `parse \`${sc.parse}\``}, reduction ` +
        `${sc.reduction}${sc.k !== undefined ? ` (k = ${sc.k})` : ""}`,
    );
  }
  out.push("");
  for (const p of s.prompts) {
    const vars = p.variables as JsonObject;
    out.push(
      `Prompt \`${p.id}\`${p.family ? ` (family ${p.family})` : ""}` +
        (Object.keys(vars).length > 0 ? `, variables ${code(vars)}` : "") + ":",
      "",
      "```text",
      ...(p.messages as JsonObject[]).map((m) => `[${m.role}] ${m.content}`),
      "```",
      "",
    );
  }
  return out;
}

/**
 * A run description as Markdown, for a paper's appendix.
 */
export function formatDescription(d: RunDescription): string {
  const c = d.counts;
  const out = [
    `# Run \`${d.runId}\`: ${d.kind} \`${d.id}\``,
    "",
    ...(d.description ? [d.description, ""] : []),
    `- tool: ${d.tool.name} ${d.tool.version}`,
    `- project: \`${d.project.name}\`, global seed ${d.project.globalSeed}`,
    `- samples per trial (num_samples): ${d.numSamples}`,
    `- planned: ${c.trials} trials, ${c.candidates} candidates, ${c.parses} parses, ` +
    `${c.scores} scores`,
    `- recorded in this run: ${d.outcomes.generated} generations (${d.outcomes.generationFailed} ` +
    `failed), ${d.outcomes.scored} scores, ${d.outcomes.scoreInvalid} invalid scores (no ` +
    `answer), ${d.outcomes.scoreFailed} failed scores`,
    "",
    "## Models",
    "",
    table(
      ["model", "provider", "settings"],
      d.models.map((m) => [String(m.model_id), String(m.provider), code(m.extras)]),
    ),
    "",
    "## Slices, prompts and metrics",
    "",
    ...d.slices.flatMap(sliceSection),
    "## Seeds",
    "",
    `- global seed: ${d.seeds.globalSeed}`,
    `- candidate seeds: ${d.seeds.candidateSeeds}`,
  ];
  const queries = Object.entries(d.seeds.datasetQueries);
  if (queries.length > 0) {
    out.push(`- subset seeds: ${queries.map(([slice, seed]) => `${slice} = ${seed}`).join(", ")}`);
  }
  if (d.plugins.length > 0 || d.hooks.length > 0) {
    out.push("", "## Plugins and hooks", "");
    for (const p of d.plugins) out.push(`- plugin module ${code(p)}`);
    if (d.hooks.length > 0) out.push(`- hooks: ${refs(d.hooks)}`);
  }
  out.push("", "## Executions", "");
  if (d.executions.length === 0) out.push("Planned only: no execution recorded yet.");
  out.push(
    ...d.executions.map((e) =>
      `- ${e.startedAt}: ${e.executor}${e.bundle ? ` (bundle ${e.bundle})` : ""}, stages ` +
      `${code(e.stages)}, themis ${e.toolVersion ?? "unknown"}`
    ),
  );
  return out.join("\n") + "\n";
}
