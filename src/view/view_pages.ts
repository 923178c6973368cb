/**
 * The pages of the view: small shells whose regions (`data-src`) the script fills from the
 * fragment endpoints, and fills again (`data-live`) when the store changes.
 */
import type { RunManifest } from "../plan/manifest.ts";
import { escapeHtml } from "../results/report/html_charts.ts";
import { ITEM_STATUSES, type ItemFilters } from "./items_page.ts";
import { runTitle } from "./runs_html.ts";
import { SQL_TABLES } from "./sql_html.ts";

type Page = "runs" | "run" | "compare" | "sql";

const enc = encodeURIComponent;

/**
 * A whole page: navigation, the live indicator, and `body`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pageHtml } from "./view_pages.ts";
 * const html = pageHtml({ page: "runs", title: "Runs", body: "<main></main>" });
 * assert.match(html, /<script src="\/assets\/view.js" defer><\/script>/);
 * ```
 */
export function pageHtml(
  o: { page: Page; title: string; body: string; data?: Record<string, string> },
): string {
  const data = Object.entries(o.data ?? {}).map(([k, v]) => ` data-${k}="${escapeHtml(v)}"`);
  const link = (page: Page, href: string, text: string) =>
    `<a href="${href}"${page === o.page ? ` class="here"` : ""}>${text}</a>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)} · themis view</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/view.css">
<script src="/assets/view.js" defer></script></head>
<body data-page="${o.page}"${data.join("")}>
<nav class="top"><a class="brand" href="/">themis view</a>${link("runs", "/", "Runs")}${
    link("compare", "/compare", "Compare")
  }${link("sql", "/sql", "SQL")}<span id="live" class="live off">connecting…</span></nav>
${o.body}
</body></html>
`;
}

/** The runs page: every run of the store, live. */
export function runsPage(): string {
  return pageHtml({
    page: "runs",
    title: "Runs",
    body: `<main><section><h2>Runs</h2><p class="note">Every run of the store, live: counts ` +
      `rise as events arrive.</p><div id="runs" data-src="/api/runs" data-live>` +
      `<p class="muted">Loading…</p></div></section></main>`,
  });
}

function options(values: ReadonlyArray<string>, selected: string, any?: string): string {
  const all = any === undefined ? [] : [`<option value="">${escapeHtml(any)}</option>`];
  return all.concat(
    values.map((v) =>
      `<option value="${escapeHtml(v)}"${v === selected ? " selected" : ""}>${
        escapeHtml(v)
      }</option>`
    ),
  ).join("");
}

function itemsQuery(f: ItemFilters): string {
  const params = new URLSearchParams();
  for (const key of ["q", "status", "model", "slice"] as const) if (f[key]) params.set(key, f[key]);
  if (f.offset) params.set("offset", String(f.offset));
  return params.toString();
}

/** A run's page: its live header, the report's sections, and its items. */
export function runPage(manifest: RunManifest, filters: ItemFilters): string {
  const id = manifest.run_id;
  const models = [...new Set(manifest.experiment.models.map((m) => m.model_id))];
  const slices = manifest.experiment.tasks.map((t) => t.task_id);
  const body = `<header id="run-head" data-src="/api/runs/${enc(id)}/head" data-live>` +
    `<h1>${escapeHtml(runTitle(manifest))} <span class="light">— run ${
      escapeHtml(id)
    }</span></h1>` +
    `</header><main><div id="overview" data-src="/api/runs/${enc(id)}/overview" data-live ` +
    `data-job="overview:${escapeHtml(id)}"><p class="note">Computing the leaderboard…</p></div>` +
    `<section id="items-section"><h2>Items</h2><p class="note">Search and filters run on the ` +
    `server, a page at a time. Click a row to open its candidate's timeline.</p>` +
    `<form id="item-filters" class="toolbar"><input id="item-search" name="q" type="search" ` +
    `value="${escapeHtml(filters.q)}" placeholder="Search slices, items, models, ids…">` +
    `<select id="item-status" name="status">${
      options(ITEM_STATUSES, filters.status, "any status")
    }</select>` +
    `<select id="item-model" name="model">${options(models, filters.model, "any model")}</select>` +
    `<select id="item-slice" name="slice">${options(slices, filters.slice, "any slice")}</select>` +
    `<input type="hidden" name="offset" value="${filters.offset}"></form>` +
    `<div id="items-page" data-src="/api/runs/${enc(id)}/items?${itemsQuery(filters)}" data-live>` +
    `<p class="muted">Loading…</p></div></section></main>` +
    `<dialog id="timeline"><div class="head"><strong id="timeline-title"></strong>` +
    `<button id="timeline-close" type="button">Close</button></div>` +
    `<div class="body" id="timeline-body"></div></dialog>`;
  return pageHtml({ page: "run", title: `${runTitle(manifest)} ${id}`, body, data: { run: id } });
}

/** What the compare page was asked. */
export interface CompareChoice {
  mode: "runs" | "models";
  /** Runs mode: baseline and treatment runs; models mode: baseline and treatment models. */
  a: string;
  b: string;
  /** Models mode: the run. */
  run: string;
  metric: string;
}

/**
 * A comparison's query string: the compare fragment's URL and its job's key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareQuery } from "./view_pages.ts";
 * const q = compareQuery({ mode: "runs", a: "r1", b: "r2", run: "", metric: "" });
 * assert.equal(q, "mode=runs&a=r1&b=r2&run=&metric=");
 * ```
 */
export function compareQuery(c: CompareChoice): string {
  return new URLSearchParams({ mode: c.mode, a: c.a, b: c.b, run: c.run, metric: c.metric })
    .toString();
}

/**
 * The comparison a query string asks for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCompareChoice } from "./view_pages.ts";
 * const c = parseCompareChoice(new URLSearchParams("mode=models&run=r1&a=m1&b=m2"));
 * assert.deepEqual(c, { mode: "models", a: "m1", b: "m2", run: "r1", metric: "" });
 * ```
 */
export function parseCompareChoice(params: URLSearchParams): CompareChoice {
  return {
    mode: params.get("mode") === "models" ? "models" : "runs",
    a: params.get("a") ?? "",
    b: params.get("b") ?? "",
    run: params.get("run") ?? "",
    metric: (params.get("metric") ?? "").trim(),
  };
}

/**
 * The compare page: pick two runs, or two models of a run (`offered`: what the forms show
 * until something was asked); the result follows live.
 */
export function comparePage(
  runs: ReadonlyArray<{ id: string; label: string }>,
  models: ReadonlyArray<string>,
  choice: CompareChoice,
  offered: { a: string; b: string; run: string },
): string {
  const runOptions = (selected: string) =>
    runs.map((r) =>
      `<option value="${escapeHtml(r.id)}"${r.id === selected ? " selected" : ""}>` +
      `${escapeHtml(r.id)} · ${escapeHtml(r.label)}</option>`
    ).join("");
  const metric = (mode: string) =>
    `<label class="field">score or metric<input name="metric" placeholder="all" value="${
      choice.mode === mode ? escapeHtml(choice.metric) : ""
    }"></label>`;
  const query = compareQuery(choice);
  const asked = choice.a !== "" && choice.b !== "";
  const runSides = choice.mode === "runs" && asked ? choice : offered;
  const modelSides = choice.mode === "models" && asked
    ? choice
    : { a: models[0] ?? "", b: models[1] ?? "" };
  const result = asked
    ? `<div id="compare-result" data-src="/api/compare?${escapeHtml(query)}" data-live ` +
      `data-job="compare:${escapeHtml(query)}"><p class="note">Comparing…</p></div>`
    : `<p class="note">Pick two runs, or two models of one run.</p>`;
  const body = `<main><section><h2>Two runs</h2><p class="note">Trials align by identity ` +
    `(model, slice, prompt variant, params, item), per model × slice.</p>` +
    `<form class="inline" id="compare-runs" method="get" action="/compare">` +
    `<input type="hidden" name="mode" value="runs">` +
    `<label class="field">baseline run<select name="a">${
      runOptions(runSides.a)
    }</select></label><label class="field">treatment run<select name="b">${
      runOptions(runSides.b)
    }</select></label>${metric("runs")}<button class="primary" type="submit">Compare runs` +
    `</button></form></section><section><h2>Two models of a run</h2><p class="note">Items ` +
    `align by slice, prompt variant, params and item, per slice.</p>` +
    `<form class="inline" id="compare-models" method="get" action="/compare">` +
    `<input type="hidden" name="mode" value="models"><label class="field">run` +
    `<select name="run" data-reload>${runOptions(offered.run)}</select></label>` +
    `<label class="field">baseline model<select name="a">${
      options(models, modelSides.a)
    }</select></label><label class="field">treatment model<select name="b">${
      options(models, modelSides.b)
    }</select></label>${metric("models")}<button class="primary" type="submit">Compare models` +
    `</button></form></section>${result}</main>`;
  return pageHtml({ page: "compare", title: "Compare", body });
}

/** The SQL page: a read-only query box, its rows, and CSV/Parquet downloads. */
export function sqlPage(query: string): string {
  const tables = SQL_TABLES.map((t) => `<a href="#" data-table="${t}"><code>${t}</code></a>`);
  const body = `<main><section><h2>SQL</h2><p class="note">Read-only queries (SELECT, ` +
    `EXPLAIN; DuckDB dialect) over the store's projections, as with <code>themis sql</code>: ` +
    `writes are refused. The page shows the first rows; downloads have them all.</p>` +
    `<p class="tables">${tables.join("")}</p><form id="sql-form" method="get" action="/sql">` +
    `<textarea id="sql-query" name="q" rows="6" spellcheck="false" placeholder="select model_id, ` +
    `count(*) from trials group by all">${escapeHtml(query)}</textarea><div class="toolbar">` +
    `<button class="primary" type="submit">Run</button><a id="sql-csv" class="button" download ` +
    `href="/api/sql.csv">CSV</a><a id="sql-parquet" class="button" download ` +
    `href="/api/sql.parquet">Parquet</a><span class="muted">Ctrl+Enter runs</span></div></form>` +
    `<div id="sql-result"${
      query.trim() ? ` data-src="/api/sql?q=${escapeHtml(enc(query))}"` : ""
    }></div></section></main>`;
  return pageHtml({ page: "sql", title: "SQL", body });
}
