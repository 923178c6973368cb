/** The report's tables as text cells, shared by the Markdown, CSV and LaTeX renderers. */
import type { ReportData } from "./report_data.ts";

/** A titled table of text cells (numbers already formatted). */
export interface TextTable {
  id: "leaderboard" | "aggregate" | "paired" | "failures" | "extraction" | "items";
  title: string;
  columns: string[];
  rows: string[][];
  /** The unformatted rows, for CSV (full precision). */
  raw: unknown[][];
}

/** A number with 4 decimals (trailing zeros kept, so columns align); empty for null. */
export function num(value: unknown, digits = 4): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "number") return String(value);
  return Number.isInteger(value) && digits === 0 ? String(value) : value.toFixed(digits);
}

/** A p-value: 4 decimals, or scientific notation below 0.0001. */
export function pValue(value: unknown): string {
  if (typeof value !== "number") return "";
  return value !== 0 && value < 1e-4 ? value.toExponential(1) : value.toFixed(4);
}

/** `[low, high]` of an interval; empty when either end is missing. */
export function interval(low: unknown, high: unknown): string {
  return typeof low === "number" && typeof high === "number"
    ? `[${low.toFixed(4)}, ${high.toFixed(4)}]`
    : "";
}

function leaderboard(data: ReportData): TextTable {
  const rows = data.leaderboard;
  return {
    id: "leaderboard",
    title: "Leaderboard",
    columns: ["rank", "model", "score", "metric", "mean", "95% CI", "stderr", "n"],
    rows: rows.map((r) => [
      String(r.rank),
      String(r.model),
      r.score,
      r.metric,
      num(r.mean),
      interval(r.ci_low, r.ci_high),
      num(r.stderr),
      String(r.count),
    ]),
    raw: rows.map((r) => [
      r.rank,
      r.model,
      r.score,
      r.metric,
      r.mean,
      r.ci_low,
      r.ci_high,
      r.stderr,
      r.count,
    ]),
  };
}

function aggregate(data: ReportData): TextTable {
  const rows = data.aggregate;
  return {
    id: "aggregate",
    title: "Model × slice",
    columns: ["model", "slice", "score", "metric", "mean", "95% CI", "n", "trials"],
    rows: rows.map((r) => [
      String(r.model),
      String(r.slice),
      r.score,
      r.metric,
      num(r.mean),
      interval(r.ci_low, r.ci_high),
      String(r.count),
      String(r.trials),
    ]),
    raw: rows.map((r) => [
      r.model,
      r.slice,
      r.score,
      r.metric,
      r.mean,
      r.ci_low,
      r.ci_high,
      r.stderr,
      r.count,
      r.trials,
    ]),
  };
}

function paired(data: ReportData): TextTable {
  const rows = data.paired?.rows ?? [];
  const factor = data.paired?.factor ?? "model";
  return {
    id: "paired",
    title: data.paired
      ? `Paired deltas against ${factor} ${data.paired.baseline}`
      : "Paired deltas",
    columns: [
      "treatment",
      "slice",
      "score",
      "metric",
      "n",
      "delta",
      "95% CI",
      "test",
      "p",
      "p (adj.)",
      "W/L/T",
    ],
    rows: rows.map((r) => [
      r.treatment,
      String(r.slice),
      r.score,
      r.metric,
      String(r.n),
      num(r.delta),
      interval(r.ci_low, r.ci_high),
      r.test ?? "",
      pValue(r.p_value),
      pValue(r.p_adjusted),
      `${r.wins}/${r.losses}/${r.ties}`,
    ]),
    raw: rows.map((r) => [
      r.baseline,
      r.treatment,
      r.slice,
      r.score,
      r.metric,
      r.n,
      r.delta,
      r.ci_low,
      r.ci_high,
      r.test,
      r.p_value,
      r.p_adjusted,
      r.wins,
      r.losses,
      r.ties,
    ]),
  };
}

function failures(data: ReportData): TextTable {
  const rows = data.failures.byModel;
  const keys = [
    "model",
    "work_items",
    "failed",
    "generation_failed",
    "no_answer",
    "skipped",
    "pending",
  ];
  return {
    id: "failures",
    title: "Failures",
    columns: [
      "model",
      "work items",
      "failed",
      "generation failed",
      "no answer",
      "skipped",
      "pending",
    ],
    rows: rows.map((r) => keys.map((k) => String(r[k] ?? ""))),
    raw: rows.map((r) => keys.map((k) => r[k])),
  };
}

function extraction(data: ReportData): TextTable {
  const rows = data.extraction;
  return {
    id: "extraction",
    title: "Extraction failures",
    columns: ["model", "parse", "total", "no answer", "errors", "rate"],
    rows: rows.map((r) => [
      r.model,
      r.parse,
      String(r.total),
      String(r.invalid),
      String(r.failed),
      num(r.rate),
    ]),
    raw: rows.map((r) => [r.model, r.parse, r.total, r.invalid, r.failed, r.rate]),
  };
}

function items(data: ReportData): TextTable {
  const rows = data.items.rows;
  return {
    id: "items",
    title: `Items (${rows.length} of ${data.items.total} trials)`,
    columns: [
      "slice",
      "item",
      "model",
      "prompt variant",
      "status",
      data.metric ?? "value",
      "candidate",
    ],
    rows: rows.map((r) => [
      r.slice,
      r.itemId,
      r.model,
      r.promptVariant,
      r.status,
      num(r.value),
      r.cands[0] ?? "",
    ]),
    raw: rows.map((
      r,
    ) => [r.slice, r.itemId, r.model, r.promptVariant, r.status, r.value, r.cands[0]]),
  };
}

/** Column names of each table's CSV (full precision, one value per column). */
export const CSV_COLUMNS: Record<TextTable["id"], string[]> = {
  leaderboard: ["rank", "model", "score", "metric", "mean", "ci_low", "ci_high", "stderr", "count"],
  aggregate: [
    "model",
    "slice",
    "score",
    "metric",
    "mean",
    "ci_low",
    "ci_high",
    "stderr",
    "count",
    "trials",
  ],
  paired: [
    "baseline",
    "treatment",
    "slice",
    "score",
    "metric",
    "n",
    "delta",
    "ci_low",
    "ci_high",
    "test",
    "p_value",
    "p_adjusted",
    "wins",
    "losses",
    "ties",
  ],
  failures: [
    "model",
    "work_items",
    "failed",
    "generation_failed",
    "no_answer",
    "skipped",
    "pending",
  ],
  extraction: ["model", "parse", "total", "invalid", "failed", "rate"],
  items: ["slice", "item", "model", "prompt_variant", "status", "value", "candidate"],
};

/**
 * Every table of a report, in reading order.
 *
 * @example
 * ```ts
 * // const tables = reportTables(await buildReportData(scope));
 * ```
 */
export function reportTables(data: ReportData): TextTable[] {
  return [
    leaderboard(data),
    aggregate(data),
    paired(data),
    failures(data),
    extraction(data),
    items(data),
  ];
}
