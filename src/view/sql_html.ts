/**
 * The SQL page's answers: a user's query goes through the same read-only guard as `themis sql`
 * (`Analytics.query` / `exportQuery`); the page shows the first rows, downloads carry them all.
 */
import { join } from "node:path";
import { DOCUMENTED } from "../analytics/projections.ts";
import { ThemisError } from "../core/errors.ts";
import { escapeHtml } from "../results/report/html_charts.ts";
import type { LaneAnalytics } from "./view_data.ts";

/** Rows the page shows; a download has every row. */
export const SQL_MAX_ROWS = 1000;

/** The tables a query can read (docs/sql.md documents the same list), offered as starting points. */
export const SQL_TABLES: ReadonlyArray<string> = DOCUMENTED.map((t) => t.name);

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|FLOAT|DOUBLE|DECIMAL)/;

function cell(value: unknown): string {
  if (value === null || value === undefined) return `<span class="muted">NULL</span>`;
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return escapeHtml(text.length > 500 ? `${text.slice(0, 500)}…` : text);
}

function requireQuery(query: string): string {
  if (query.trim() === "") {
    throw new ThemisError("SQL_INVALID", "The query is empty: write a SELECT");
  }
  return query;
}

/**
 * The first `SQL_MAX_ROWS` rows of a read-only query as a table (write statements are refused
 * with `SQL_READ_ONLY`, as in `themis sql`).
 */
export async function sqlResultHtml(analytics: LaneAnalytics, query: string): Promise<string> {
  const started = performance.now();
  const result = await analytics.query(requireQuery(query), { maxRows: SQL_MAX_ROWS });
  const ms = Math.round(performance.now() - started);
  const num = result.types.map((t) => (NUMERIC_TYPE.test(t) ? ` class="num"` : ""));
  const head = result.columns.map((c, i) =>
    `<th${num[i]} title="${escapeHtml(result.types[i])}">${escapeHtml(c)}</th>`
  ).join("");
  const body = result.rows.map((r) =>
    `<tr>${result.columns.map((c, i) => `<td${num[i]}>${cell(r[c])}</td>`).join("")}</tr>`
  ).join("");
  const note = result.truncated
    ? `First ${SQL_MAX_ROWS} rows (download for all) · ${ms} ms`
    : `${result.rows.length} row${result.rows.length === 1 ? "" : "s"} · ${ms} ms`;
  return `<p class="note" id="sql-count" data-rows="${result.rows.length}">${note}</p>` +
    `<div class="scroll"><table id="sql-table"><thead><tr>${head}</tr></thead>` +
    `<tbody>${body}</tbody></table></div>`;
}

/**
 * Every row of a read-only SELECT as a CSV or Parquet download (DuckDB's COPY into a private
 * temporary file, streamed and already unlinked).
 */
export async function sqlDownload(
  analytics: LaneAnalytics,
  query: string,
  format: "csv" | "parquet",
): Promise<Response> {
  const dir = await Deno.makeTempDir({ prefix: "themis-view-" });
  const path = join(dir, `query.${format}`);
  try {
    await analytics.exportQuery(requireQuery(query), path);
    const file = await Deno.open(path, { read: true });
    return new Response(file.readable, {
      headers: {
        "content-type": format === "csv"
          ? "text/csv; charset=utf-8"
          : "application/vnd.apache.parquet",
        "content-disposition": `attachment; filename="themis-query.${format}"`,
        "cache-control": "no-store",
      },
    });
  } finally {
    // The open file stays readable after its name is gone.
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
