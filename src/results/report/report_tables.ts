/** The report's tables as text cells, shared by the Markdown, CSV and LaTeX renderers. */
import type { AggregateRow } from "../aggregate.ts";
import type { PairedRow } from "../paired_groups.ts";
import type { ReportData } from "./report_data.ts";

/** The tables of a report. */
export type ReportTableId =
  | "leaderboard"
  | "aggregate"
  | "paired"
  | "failures"
  | "extraction"
  | "items";

/** A titled table of text cells (numbers already formatted). */
export interface TextTable {
  id: ReportTableId;
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

/** The trial counts every table of means shows: trials, and how many scored, invalid, failed. */
const COUNT_COLUMNS = ["n_trials", "n_scored", "n_invalid", "n_failed"] as const;

/** `clusters` when some row is clustered (a cluster field), else nothing. */
function clusterColumn(rows: ReadonlyArray<{ clusters: number | null }>): string[] {
  return rows.some((r) => r.clusters !== null) ? ["clusters"] : [];
}

function statsCells(r: AggregateRow, clustered: boolean): string[] {
  return [
    num(r.mean),
    interval(r.ci_low, r.ci_high),
    r.ci_method ?? "",
    num(r.stderr),
    ...COUNT_COLUMNS.map((k) => String(r[k])),
    ...(clustered ? [r.clusters === null ? "" : String(r.clusters)] : []),
  ];
}

function statsRaw(r: AggregateRow): unknown[] {
  return [
    r.mean,
    r.ci_low,
    r.ci_high,
    r.ci_method,
    r.stderr,
    r.count,
    ...COUNT_COLUMNS.map((k) => r[k]),
    r.clusters,
  ];
}

const STATS_COLUMNS = ["mean", "95% CI", "ci_method", "stderr", ...COUNT_COLUMNS];

function leaderboard(data: ReportData): TextTable {
  const rows = data.leaderboard;
  const clusters = clusterColumn(rows);
  return {
    id: "leaderboard",
    title: "Leaderboard",
    columns: ["rank", "model", "score", "metric", ...STATS_COLUMNS, ...clusters],
    rows: rows.map((r) => [
      String(r.rank),
      String(r.model),
      r.score,
      r.metric,
      ...statsCells(r, clusters.length > 0),
    ]),
    raw: rows.map((r) => [r.rank, r.model, r.score, r.metric, ...statsRaw(r)]),
  };
}

function aggregate(data: ReportData): TextTable {
  const rows = data.aggregate;
  const clusters = clusterColumn(rows);
  return {
    id: "aggregate",
    title: "Model × slice",
    columns: ["model", "slice", "score", "metric", ...STATS_COLUMNS, ...clusters],
    rows: rows.map((r) => [
      String(r.model),
      String(r.slice),
      r.score,
      r.metric,
      ...statsCells(r, clusters.length > 0),
    ]),
    raw: rows.map((r) => [r.model, r.slice, r.score, r.metric, ...statsRaw(r)]),
  };
}

/** `baseline/treatment` of a count. */
const sides = (r: PairedRow, count: string) =>
  `${r[`${count}_baseline`]}/${r[`${count}_treatment`]}`;

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
      "ci_method",
      "MDE",
      "test",
      "p",
      "p (adj.)",
      "W/L/T",
      ...COUNT_COLUMNS.map((c) => `${c} (b/t)`),
    ],
    rows: rows.map((r) => [
      r.treatment,
      String(r.slice),
      r.score,
      r.metric,
      String(r.n),
      num(r.delta),
      interval(r.ci_low, r.ci_high),
      r.ci_method ?? "",
      num(r.mde),
      r.test ?? "",
      pValue(r.p_value),
      pValue(r.p_adjusted),
      `${r.wins}/${r.losses}/${r.ties}`,
      ...COUNT_COLUMNS.map((c) => sides(r, c)),
    ]),
    raw: rows.map((r) => PAIRED_CSV.map((k) => r[k])),
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

const STATS_CSV = [
  "mean",
  "ci_low",
  "ci_high",
  "ci_method",
  "stderr",
  "count",
  ...COUNT_COLUMNS,
  "clusters",
];

const PAIRED_CSV = [
  "baseline",
  "treatment",
  "slice",
  "score",
  "metric",
  "n",
  "unpaired",
  "delta",
  "se",
  "ci_low",
  "ci_high",
  "ci_method",
  "mde",
  "clusters",
  "test",
  "p_value",
  "p_adjusted",
  "wins",
  "losses",
  "ties",
  ...COUNT_COLUMNS.flatMap((c) => [`${c}_baseline`, `${c}_treatment`]),
];

/** Column names of each table's CSV (full precision, one value per column). */
export const CSV_COLUMNS: Record<TextTable["id"], string[]> = {
  leaderboard: ["rank", "model", "score", "metric", ...STATS_CSV],
  aggregate: ["model", "slice", "score", "metric", ...STATS_CSV],
  paired: PAIRED_CSV,
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
