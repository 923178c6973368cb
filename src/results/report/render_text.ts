/** The report as Markdown, CSV (one table) and LaTeX (booktabs tables). */
import type { ReportData } from "./report_data.ts";
import { CSV_COLUMNS, reportTables, type TextTable } from "./report_tables.ts";

/** A CSV cell: quoted when it holds a comma, quote or line break; JSON for objects. */
export function csvCell(value: unknown): string {
  const text = value === null || value === undefined
    ? ""
    : typeof value === "object"
    ? JSON.stringify(value)
    : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Rows as CSV with a header line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toCsv } from "./render_text.ts";
 * assert.equal(toCsv(["a"], [[1], ["x,y"]]), 'a\n1\n"x,y"\n');
 * ```
 */
export function toCsv(
  columns: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
): string {
  return [columns.map(csvCell).join(","), ...rows.map((r) => r.map(csvCell).join(","))].join("\n") +
    "\n";
}

function markdownTable(table: TextTable, limit = Infinity): string {
  const esc = (t: string) => t.replaceAll("|", "\\|").replaceAll("\n", " ");
  if (table.rows.length === 0) return "_none_\n";
  const rows = table.rows.slice(0, limit);
  return [
    `| ${table.columns.map(esc).join(" | ")} |`,
    `| ${table.columns.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n") + "\n" +
    (table.rows.length > rows.length
      ? `\n…and ${table.rows.length - rows.length} more rows\n`
      : "");
}

/** The line under a report's title: what the numbers are. */
export function methodNote(data: ReportData): string {
  return `Metric \`${data.metric ?? "none"}\`. Means are over trials (samples reduced first); ` +
    `a trial whose answer could not be parsed (n_invalid) scores the metric's failing value ` +
    `unless its score says on_invalid = "exclude"; trials whose generation failed (n_failed) ` +
    `stay out of means unless count_failed = true. Intervals are 95% and inside the metric's ` +
    `range (ci_method): Wilson for 0/1 metrics, Student t clipped to the range otherwise, ` +
    `cluster-robust t (t_cluster) for scores with a cluster field; paired deltas have a ` +
    `seeded paired bootstrap interval and the minimum detectable effect (MDE) of a two-sided ` +
    `5% test at 80% power. Paired p-values: McNemar's exact test for 0/1 scores, Wilcoxon ` +
    `signed-rank otherwise, corrected across all comparisons.`;
}

/**
 * The report as Markdown: run facts, then every table.
 */
export function renderMarkdown(data: ReportData): string {
  const r = data.run;
  const out = [
    `# ${r.benchmark} — run ${r.id}\n`,
    `| run | kind | project | status | started | finished | trials | candidates |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- |`,
    `| ${r.id} | ${r.kind} | ${r.project} | ${r.status ?? "planned"} | ${r.startedAt ?? ""} | ` +
    `${r.finishedAt ?? ""} | ${r.counts.trials ?? ""} | ${r.counts.candidates ?? ""} |\n`,
    r.view ? `View: ${r.view}\n` : "",
    `${methodNote(data)}\n`,
  ].filter((l) => l !== "");
  for (const table of reportTables(data)) {
    out.push(`## ${table.title}\n`, markdownTable(table, table.id === "items" ? 100 : Infinity));
  }
  return out.join("\n");
}

/** One table of the report as CSV, at full precision. */
export function renderCsv(data: ReportData, table: TextTable["id"] = "aggregate"): string {
  const found = reportTables(data).find((t) => t.id === table)!;
  return toCsv(CSV_COLUMNS[table], found.raw);
}

const LATEX_SPECIAL: Record<string, string> = {
  "\\": "\\textbackslash{}",
  "&": "\\&",
  "%": "\\%",
  "$": "\\$",
  "#": "\\#",
  "_": "\\_",
  "{": "\\{",
  "}": "\\}",
  "~": "\\textasciitilde{}",
  "^": "\\textasciicircum{}",
};

/**
 * Text with LaTeX's special characters escaped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { latexEscape } from "./render_text.ts";
 * assert.equal(latexEscape("exact_match 50%"), "exact\\_match 50\\%");
 * ```
 */
export function latexEscape(text: string): string {
  return text.replace(/[\\&%$#_{}~^]/g, (c) => LATEX_SPECIAL[c]).replaceAll("×", "$\\times$");
}

function latexTable(table: TextTable, runId: string): string {
  const numeric = table.columns.map((_, i) =>
    table.rows.length > 0 && table.rows.every((r) => /^[-+\d.e[\], /]*$/.test(r[i]))
  );
  return [
    `\\begin{table}[ht]`,
    `\\centering`,
    `\\caption{${latexEscape(table.title)} (run ${latexEscape(runId)})}`,
    `\\begin{tabular}{${numeric.map((n) => (n ? "r" : "l")).join("")}}`,
    `\\toprule`,
    `${table.columns.map(latexEscape).join(" & ")} \\\\`,
    `\\midrule`,
    ...table.rows.map((r) => `${r.map(latexEscape).join(" & ")} \\\\`),
    `\\bottomrule`,
    `\\end{tabular}`,
    `\\end{table}`,
  ].join("\n");
}

/**
 * The report's tables as LaTeX (booktabs: `\usepackage{booktabs}`); the per-item table is
 * left out (it belongs in the HTML report).
 */
export function renderLatex(data: ReportData): string {
  const tables = reportTables(data).filter((t) => t.id !== "items" && t.rows.length > 0);
  return [
    `% themis report: ${data.run.benchmark}, run ${data.run.id}. Needs \\usepackage{booktabs}.`,
    ...tables.map((t) => latexTable(t, data.run.id)),
  ].join("\n\n") + "\n";
}
