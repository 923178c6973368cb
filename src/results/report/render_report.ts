/** `report()`: gather the report once, render it in the format asked for. */
import { ThemisError } from "../../core/errors.ts";
import type { ResultScope } from "../_scope.ts";
import { buildReportData, type ReportDataOptions } from "./report_data.ts";
import type { ReportTableId } from "./report_tables.ts";
import { renderHtml } from "./render_html.ts";
import { renderCsv, renderLatex, renderMarkdown } from "./render_text.ts";

/** Formats of a report. */
export const REPORT_FORMATS = ["md", "csv", "json", "latex", "html"] as const;

/** A report format. */
export type ReportFormat = typeof REPORT_FORMATS[number];

/** Tables a CSV report can hold (one per file). */
export const CSV_TABLES = ["aggregate", "leaderboard", "paired", "failures", "extraction", "items"];

/** Options of `report()`. */
export interface ReportOptions extends ReportDataOptions {
  /** `md` (default), `csv`, `json`, `latex` or `html`. */
  format?: ReportFormat;
  /** The table of a CSV report (default `aggregate`). */
  table?: ReportTableId;
}

/**
 * The report of a run in one format: Markdown, CSV (one table), JSON (every table and the
 * item rows), LaTeX tables, or a self-contained offline HTML page with charts.
 */
export async function renderReport(
  scope: ResultScope,
  options: ReportOptions = {},
): Promise<string> {
  const format = options.format ?? "md";
  if (!REPORT_FORMATS.includes(format)) {
    throw new ThemisError(
      "USAGE",
      `Unknown report format "${format}": use ${REPORT_FORMATS.join(", ")}`,
      { valid: [...REPORT_FORMATS] },
    );
  }
  const table = options.table ?? "aggregate";
  if (!CSV_TABLES.includes(table)) {
    throw new ThemisError(
      "USAGE",
      `Unknown report table "${table}": use ${CSV_TABLES.join(", ")}`,
      { valid: CSV_TABLES },
    );
  }
  const data = await buildReportData(scope, { ...options, timelines: format === "html" });
  if (format === "html") return renderHtml(data);
  if (format === "json") return JSON.stringify(data, null, 2) + "\n";
  if (format === "latex") return renderLatex(data);
  if (format === "csv") return renderCsv(data, table);
  return renderMarkdown(data);
}
