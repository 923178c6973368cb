/**
 * The view's stylesheet and script, served from the package as they are: no build step, no
 * network. The stylesheet is the HTML report's, with the view's own parts on top.
 */
import { REPORT_CSS } from "../results/report/html_assets.ts";

/** The view's CSS. */
export const VIEW_CSS = `${REPORT_CSS}
main { max-width: 1280px; }
nav.top { display: flex; gap: 18px; align-items: center; background: #020617; color: #e2e8f0;
  padding: 10px 32px; font-size: 14px; }
nav.top a { color: #cbd5e1; text-decoration: none; }
nav.top a:hover, nav.top a.here { color: #fff; text-decoration: underline; }
nav.top .brand { font-weight: 700; color: #fff; margin-right: 10px; text-decoration: none; }
.live { margin-left: auto; font-size: 12px; color: #94a3b8; }
.live::before { content: "●"; margin-right: 6px; color: #64748b; }
.live.on::before { color: #22c55e; } .live.off::before { color: #f59e0b; }
.live.error { color: #fca5a5; } .live.error::before { color: #ef4444; }
header h1 .light { font-weight: 400; }
header .facts .status { color: var(--ink); }
.progress { display: inline-block; width: 80px; height: 8px; background: #e5e7eb; border-radius: 4px;
  overflow: hidden; vertical-align: middle; }
.progress span { display: block; height: 100%; background: #3b82f6; transition: width .4s; }
header .progress { background: #334155; }
header table.stages { width: auto; margin-top: 12px; color: #e2e8f0; }
header table.stages th { background: transparent; color: #94a3b8; }
header table.stages td, header table.stages th { border-color: #334155; padding: 3px 12px 3px 0; }
.status.running { background: #dbeafe; } .status.finished { background: #dcfce7; }
.status.interrupted { background: #fee2e2; }
#runs-table td { vertical-align: middle; } #runs-table .muted { font-size: 12px; }
#runs-table td.stage { white-space: nowrap; } #runs-table td.time { min-width: 90px; }
.wide { overflow-x: auto; }
#runs-table tr[data-status="running"] { background: #f0f9ff; }
.pager { display: flex; gap: 12px; align-items: center; margin: 4px 0 8px; }
button, .button { font: inherit; border: 1px solid #cbd5e1; background: #fff; color: var(--ink);
  border-radius: 6px; padding: 5px 12px; cursor: pointer; text-decoration: none; }
button:disabled { opacity: .45; cursor: default; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
.error { background: #fef2f2; border: 1px solid #fecaca; color: #991b1b; padding: 10px 14px;
  border-radius: 6px; margin: 8px 0; }
.error code { color: #7f1d1d; }
.stale { color: #92400e; }
[aria-busy="true"] { opacity: .65; transition: opacity .2s .4s; }
textarea { width: 100%; font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; padding: 8px;
  border: 1px solid #d1d5db; border-radius: 6px; }
form.inline { display: flex; gap: 12px; flex-wrap: wrap; align-items: flex-end; margin: 8px 0 14px; }
label.field { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted); }
label.field select, label.field input { padding: 6px; border: 1px solid #d1d5db; border-radius: 6px;
  font: inherit; color: var(--ink); min-width: 160px; }
.tables a { margin-right: 10px; font-size: 13px; }
table.kv th { width: 150px; }
.parse { margin: 6px 0 10px; } .parse p { margin: 2px 0; }
table.attempts { width: auto; margin-left: 12px; }
details.judge { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
details.judge h4 { margin: 8px 0 4px; font-size: 13px; }
dialog .body { max-height: calc(88vh - 50px); }
`;

/** The view's script: loads fragments, follows live updates, drives the forms. */
export const VIEW_JS = `"use strict";
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;",
    ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const busy = new WeakMap();

  // Fetch an element's fragment into it; a load asked for meanwhile runs once it is done.
  async function load(el) {
    const url = el.dataset.src;
    if (!url) return;
    const state = busy.get(el) || {};
    busy.set(el, state);
    if (state.running) { state.again = true; return; }
    state.running = true;
    el.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, { headers: { accept: "text/html" }, cache: "no-store" });
      const html = await response.text();
      if (el.dataset.src === url) {
        el.innerHTML = html;
        el.dataset.loaded = String(response.status);
      } else state.again = true;
    } catch (error) {
      el.innerHTML = '<div class="error">Cannot reach the view: ' + esc(error.message) + "</div>";
    } finally {
      state.running = false;
      el.removeAttribute("aria-busy");
      if (state.again) { state.again = false; load(el); }
    }
  }
  $$("[data-src]").forEach(load);

  // Live updates: the server says when the store changed; live regions fetch again.
  const live = $("#live");
  const say = (text, cls) => { if (live) { live.textContent = text; live.className = "live " + cls; } };
  const events = new EventSource("/api/events");
  events.addEventListener("hello", () => say("live", "on"));
  events.addEventListener("change", (e) => {
    const { version } = JSON.parse(e.data);
    document.body.dataset.version = version;
    say("live · updated " + new Date().toLocaleTimeString(), "on");
    $$("[data-src][data-live]").forEach(load);
  });
  events.addEventListener("ready", (e) => {
    const { key } = JSON.parse(e.data);
    $$("[data-job]").filter((el) => el.dataset.job === key).forEach(load);
  });
  events.addEventListener("problem", (e) => say("store problem: " + JSON.parse(e.data).message, "error"));
  events.onerror = () => say("reconnecting…", "off");

  // A candidate's timeline in the dialog.
  const dialog = $("#timeline");
  function openTimeline(run, cand) {
    const body = $("#timeline-body");
    $("#timeline-title").textContent = "Candidate " + cand;
    body.dataset.src = "/api/runs/" + encodeURIComponent(run) + "/candidates/" + encodeURIComponent(cand);
    body.innerHTML = '<p class="muted">Loading…</p>';
    if (!dialog.open) dialog.showModal();
    load(body);
  }
  if (dialog) $("#timeline-close").addEventListener("click", () => dialog.close());

  // The run page's items: search and filters run on the server, a page at a time.
  const filters = $("#item-filters");
  if (filters) {
    const region = $("#items-page");
    const run = document.body.dataset.run;
    const offset = filters.elements.namedItem("offset");
    let timer;
    const apply = () => {
      const params = new URLSearchParams();
      for (const [k, v] of new FormData(filters)) {
        if (v !== "" && !(k === "offset" && v === "0")) params.set(k, String(v));
      }
      const query = params.toString();
      region.dataset.src = "/api/runs/" + encodeURIComponent(run) + "/items?" + query;
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
      load(region);
    };
    filters.addEventListener("input", (e) => {
      offset.value = "0";
      clearTimeout(timer);
      timer = setTimeout(apply, e.target.type === "search" ? 250 : 0);
    });
    filters.addEventListener("submit", (e) => { e.preventDefault(); clearTimeout(timer); apply(); });
    region.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-offset]");
      if (button) { offset.value = button.dataset.offset; apply(); return; }
      const row = e.target.closest("tr[data-cand]");
      if (row && row.dataset.cand) openTimeline(run, row.dataset.cand);
    });
  }

  // Compare: picking another run reloads the page with that run's models.
  for (const select of $$("select[data-reload]")) {
    select.addEventListener("change", () => {
      location.href = "/compare?mode=models&run=" + encodeURIComponent(select.value);
    });
  }

  // SQL: run with the button or Ctrl+Enter; the download links follow the query.
  const sql = $("#sql-form");
  if (sql) {
    const box = $("#sql-query");
    const region = $("#sql-result");
    const links = () => {
      const q = encodeURIComponent(box.value);
      $("#sql-csv").href = "/api/sql.csv?q=" + q;
      $("#sql-parquet").href = "/api/sql.parquet?q=" + q;
    };
    const run = () => {
      const q = encodeURIComponent(box.value);
      region.dataset.src = "/api/sql?q=" + q;
      history.replaceState(null, "", "/sql?q=" + q);
      load(region);
    };
    links();
    box.addEventListener("input", links);
    sql.addEventListener("submit", (e) => { e.preventDefault(); run(); });
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
    });
    for (const a of $$("a[data-table]")) {
      a.addEventListener("click", (e) => {
        e.preventDefault();
        box.value = "select * from " + a.dataset.table + " limit 100";
        links();
        run();
      });
    }
  }
})();
`;
