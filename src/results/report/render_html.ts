/** The report as one self-contained HTML page: inline CSS, JS and SVG, no network. */
import { escapeHtml, heatmapChart, leaderboardChart, pairedChart, rateBar } from "./html_charts.ts";
import { REPORT_CSS, REPORT_JS } from "./html_assets.ts";
import type { ReportData } from "./report_data.ts";
import { reportTables, type TextTable } from "./report_tables.ts";
import { methodNote } from "./render_text.ts";

/** A table of text cells as HTML; columns named in `numeric` align right. */
export function htmlTable(
  table: Pick<TextTable, "columns" | "rows">,
  numeric: ReadonlyArray<string> = [],
): string {
  if (table.rows.length === 0) return `<p class="note">None.</p>`;
  const cls = (c: string) => (numeric.includes(c) ? ` class="num"` : "");
  return `<table><thead><tr>${
    table.columns.map((c) => `<th${cls(c)}>${escapeHtml(c)}</th>`).join("")
  }</tr></thead><tbody>${
    table.rows.map((r) =>
      `<tr>${r.map((v, i) => `<td${cls(table.columns[i])}>${escapeHtml(v)}</td>`).join("")}</tr>`
    ).join("")
  }</tbody></table>`;
}

const NUMERIC = [
  "rank",
  "mean",
  "stderr",
  "n",
  "n_trials",
  "n_scored",
  "n_invalid",
  "n_failed",
  "clusters",
  "delta",
  "MDE",
  "p",
  "p (adj.)",
  "total",
];

function failuresSection(data: ReportData, tables: TextTable[]): string {
  const byCode = data.failures.byCode;
  const codes = byCode.length
    ? `<table><thead><tr><th>stage</th><th>code</th><th class="num">items</th></tr></thead><tbody>${
      byCode.map((r) =>
        `<tr><td>${escapeHtml(r.stage)}</td><td>${
          escapeHtml(r.code)
        }</td><td class="num">${r.count}</td></tr>`
      ).join("")
    }</tbody></table>`
    : `<p class="note">No work item is failed.</p>`;
  const extraction = data.extraction.length
    ? `<table><thead><tr><th>model</th><th>parse</th><th class="num">total</th><th class="num">no answer</th><th>rate</th></tr></thead><tbody>${
      data.extraction.map((r) =>
        `<tr><td>${escapeHtml(r.model)}</td><td>${
          escapeHtml(r.parse)
        }</td><td class="num">${r.total}</td><td class="num">${r.invalid}</td><td>${
          rateBar(r.rate)
        }</td></tr>`
      ).join("")
    }</tbody></table>`
    : `<p class="note">The run has no parse.</p>`;
  return `<section id="failures"><h2>Failures</h2>${
    htmlTable(tables.find((t) => t.id === "failures")!, NUMERIC)
  }
    <h2 style="margin-top:14px">Failed items by code</h2>${codes}
    <h2 style="margin-top:14px">Extraction-failure rates</h2>${extraction}</section>`;
}

function itemsSection(data: ReportData): string {
  const statuses = [...new Set(data.items.rows.map((r) => r.status))].sort();
  const rows = data.items.rows.map((r) =>
    `<tr data-cand="${escapeHtml(r.cands[0] ?? "")}" data-status="${escapeHtml(r.status)}"><td>${
      escapeHtml(r.slice)
    }</td><td>${escapeHtml(r.itemId)}</td><td>${escapeHtml(r.model)}</td><td>${
      escapeHtml(r.promptVariant)
    }</td><td><span class="status ${escapeHtml(r.status)}">${
      escapeHtml(r.status)
    }</span></td><td class="num">${r.value === null ? "–" : r.value.toFixed(3)}</td><td><code>${
      escapeHtml(r.cands[0] ?? "")
    }</code></td></tr>`
  ).join("");
  return `<section id="items-section"><h2>Items</h2>
    <p class="note">${data.items.rows.length} of ${data.items.total} trials. Click a row to open its
    candidate's timeline.</p>
    <div class="toolbar"><input id="item-search" type="search" placeholder="Search items, models, slices, ids…">
    <select id="item-status"><option value="">any status</option>${
    statuses.map((s) => `<option>${escapeHtml(s)}</option>`).join("")
  }</select><span id="item-count" class="muted"></span></div>
    <div class="scroll"><table id="items"><thead><tr><th>slice</th><th>item</th><th>model</th>
    <th>prompt variant</th><th>status</th><th class="num">${escapeHtml(data.metric ?? "value")}</th>
    <th>candidate</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

/** JSON for a `<script type="application/json">`: `<` escaped so no tag can close early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028|\u2029/g, " ");
}

/**
 * The report's sections as HTML (method note, leaderboard, slice × model, paired deltas,
 * failures): what the offline report and `themis view` both show.
 */
export function reportSections(data: ReportData): string {
  const tables = reportTables(data);
  const table = (id: TextTable["id"]) => htmlTable(tables.find((t) => t.id === id)!, NUMERIC);
  const paired = data.paired;
  return `<p class="note">${escapeHtml(methodNote(data))}</p>
<section id="leaderboard"><h2>Leaderboard</h2>${leaderboardChart(data.leaderboard)}${
    table("leaderboard")
  }</section>
<section id="heatmap"><h2>Slice × model</h2>${
    data.heatmap ? heatmapChart(data.heatmap) : `<p class="note">No scores.</p>`
  }${table("aggregate")}</section>
<section id="paired"><h2>${escapeHtml(tables.find((t) => t.id === "paired")!.title)}</h2>${
    paired && paired.rows.length
      ? `<p class="note">Treatment − baseline per slice; solid points are significant after correction.</p>${
        pairedChart(paired.rows)
      }`
      : `<p class="note">Nothing to compare: the run has one model and one prompt variant.</p>`
  }${table("paired")}</section>
${failuresSection(data, tables)}`;
}

/**
 * The report as one HTML page that works offline: run facts, leaderboard chart and table,
 * slice × model heatmap, paired-delta plot, failures and extraction-failure rates, and a
 * searchable per-item table whose rows open each candidate's timeline.
 */
export function renderHtml(data: ReportData): string {
  const r = data.run;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(r.benchmark)} — run ${escapeHtml(r.id)}</title>
<style>${REPORT_CSS}</style></head>
<body>
<header><h1>${escapeHtml(r.benchmark)} <span style="font-weight:400">— run ${
    escapeHtml(r.id)
  }</span></h1>
<div class="facts">${escapeHtml(r.kind)} · project ${escapeHtml(r.project)} · ${
    escapeHtml(r.status ?? "planned")
  }
${r.startedAt ? ` · started ${escapeHtml(r.startedAt)}` : ""}${
    r.finishedAt ? ` · finished ${escapeHtml(r.finishedAt)}` : ""
  }
· ${r.counts.trials ?? 0} trials, ${r.counts.candidates ?? 0} candidates${
    r.view ? ` · view: ${escapeHtml(r.view)}` : ""
  }</div></header>
<main>
${reportSections(data)}
${itemsSection(data)}
</main>
<dialog id="timeline"><div class="head"><strong id="timeline-title"></strong>
<button id="timeline-close" type="button">Close</button></div><div class="body" id="timeline-body"></div></dialog>
<script id="themis-data" type="application/json">${
    scriptJson({ timelines: data.items.timelines })
  }</script>
<script>${REPORT_JS}</script>
</body></html>
`;
}
