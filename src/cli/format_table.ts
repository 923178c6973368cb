/** Output formats of tables. */
export type TableFormat = "table" | "csv" | "json" | "markdown";

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    return Number.isInteger(value) ? String(value) : value.toFixed(4).replace(/\.?0+$/, "");
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined
    ? ""
    : typeof value === "object"
    ? JSON.stringify(value)
    : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Render rows as an aligned text table, CSV, JSON lines or a Markdown table.
 *
 * @example
 * ```ts
 * import { formatTable } from "./format_table.ts";
 * console.log(formatTable(["a"], [{ a: 1 }], "markdown"));
 * ```
 */
export function formatTable(
  columns: string[],
  rows: Record<string, unknown>[],
  format: TableFormat = "table",
): string {
  if (format === "json") return rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
  if (format === "csv") {
    return [
      columns.map(csvCell).join(","),
      ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(",")),
    ]
      .join("\n") + "\n";
  }
  const cells = rows.map((r) => columns.map((c) => cell(r[c]).replaceAll("\n", "\\n")));
  if (format === "markdown") {
    const esc = (t: string) => t.replaceAll("|", "\\|");
    return [
      `| ${columns.map(esc).join(" | ")} |`,
      `| ${columns.map(() => "---").join(" | ")} |`,
      ...cells.map((r) => `| ${r.map(esc).join(" | ")} |`),
    ].join("\n") + "\n";
  }
  const widths = columns.map((c, i) =>
    Math.min(60, Math.max(c.length, ...cells.map((r) => r[i].length)))
  );
  const fit = (t: string, w: number) => (t.length > w ? t.slice(0, w - 1) + "…" : t.padEnd(w));
  const line = (r: string[]) => r.map((t, i) => fit(t, widths[i])).join("  ").trimEnd();
  return [
    line(columns),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.map(line),
    `(${rows.length} row${rows.length === 1 ? "" : "s"})`,
  ].join("\n") + "\n";
}
