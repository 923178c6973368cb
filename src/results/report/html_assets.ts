/** The inline stylesheet and script of the HTML report (no network: everything is inline). */

/** The report's CSS. */
export const REPORT_CSS = `
:root { --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --accent: #1d4ed8; --bg: #fff; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: #f9fafb; margin: 0; }
header { background: #0f172a; color: #f8fafc; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header .facts { color: #cbd5e1; font-size: 13px; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 32px 48px; }
section { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px;
  margin: 16px 0; }
h2 { font-size: 17px; margin: 0 0 10px; }
p.note { color: var(--muted); margin: 4px 0 12px; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
.scroll th { position: sticky; top: 0; z-index: 1; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
svg.chart { width: 100%; height: auto; max-width: 760px; display: block; margin: 8px 0 12px; }
svg .label { font-size: 12px; text-anchor: end; fill: var(--ink); }
svg .col-label { font-size: 12px; text-anchor: middle; fill: var(--ink); }
svg .value, svg .tick { font-size: 11px; fill: var(--muted); }
svg .tick { text-anchor: middle; }
svg .grid { stroke: var(--line); }
svg .bar { fill: #60a5fa; }
svg .whisker { stroke: #1e3a8a; stroke-width: 1.5; }
svg .zero { stroke: #9ca3af; stroke-dasharray: 4 3; }
svg .point { fill: #fff; stroke: #1e3a8a; stroke-width: 2; }
svg .point.sig { fill: #1e3a8a; }
svg .cell-value { font-size: 12px; text-anchor: middle; }
.rate { display: inline-block; width: 60px; height: 8px; background: #f3f4f6; border-radius: 4px;
  vertical-align: middle; overflow: hidden; }
.rate span { display: block; height: 100%; background: #f97316; }
.toolbar { display: flex; gap: 12px; align-items: center; margin-bottom: 8px; }
.toolbar input { flex: 1; padding: 7px 10px; border: 1px solid #d1d5db; border-radius: 6px; font: inherit; }
.toolbar select { padding: 6px; border: 1px solid #d1d5db; border-radius: 6px; font: inherit; }
.scroll { max-height: 520px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
#items tbody tr { cursor: pointer; }
#items tbody tr:hover { background: #eff6ff; }
.status { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 12px; background: #e5e7eb; }
.status.completed { background: #dcfce7; } .status.failed { background: #fee2e2; }
.status.pending { background: #fef9c3; } .status.invalid, .status.skipped { background: #ffedd5; }
dialog { width: min(900px, 92vw); max-height: 88vh; border: 0; border-radius: 10px; padding: 0;
  box-shadow: 0 20px 50px rgba(0,0,0,.3); }
dialog::backdrop { background: rgba(15, 23, 42, .45); }
dialog .head { display: flex; justify-content: space-between; align-items: center; padding: 12px 18px;
  background: #0f172a; color: #fff; position: sticky; top: 0; }
dialog .body { padding: 6px 18px 18px; overflow: auto; }
dialog h3 { font-size: 14px; margin: 14px 0 6px; }
dialog button { font: inherit; border: 0; background: #334155; color: #fff; border-radius: 6px; padding: 4px 10px;
  cursor: pointer; }
pre { background: #f8fafc; border: 1px solid var(--line); border-radius: 6px; padding: 8px; white-space: pre-wrap;
  word-break: break-word; margin: 4px 0; font-size: 12px; }
.muted { color: var(--muted); }
`;

/** The report's script: item search and the candidate timeline dialog. */
export const REPORT_JS = `
(() => {
  const data = JSON.parse(document.getElementById("themis-data").textContent);
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;",
    ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const search = document.getElementById("item-search");
  const status = document.getElementById("item-status");
  const rows = [...document.querySelectorAll("#items tbody tr")];
  const counter = document.getElementById("item-count");
  function filter() {
    const words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    const wanted = status.value;
    let shown = 0;
    for (const row of rows) {
      const text = row.textContent.toLowerCase();
      const ok = words.every((w) => text.includes(w)) && (!wanted || row.dataset.status === wanted);
      row.hidden = !ok;
      if (ok) shown++;
    }
    counter.textContent = shown + " of " + rows.length + " rows";
  }
  search.addEventListener("input", filter);
  status.addEventListener("change", filter);
  filter();
  const dialog = document.getElementById("timeline");
  const body = document.getElementById("timeline-body");
  const title = document.getElementById("timeline-title");
  document.getElementById("timeline-close").addEventListener("click", () => dialog.close());
  function table(pairs) {
    return "<table>" + pairs.map(([k, v]) => "<tr><th>" + esc(k) + "</th><td>" + v + "</td></tr>").join("") +
      "</table>";
  }
  function open(cand) {
    const t = data.timelines[cand];
    if (!t) return;
    title.textContent = "Candidate " + cand;
    const prompt = (t.prompt || []).map((m) => "<pre><b>" + esc(m.role) + ":</b> " + esc(m.content) +
      "</pre>").join("") || "<p class='muted'>not stored</p>";
    const parses = t.parses.map((p) => [p.name, "<span class='status " + esc(p.status) + "'>" +
      esc(p.status) + "</span> " + esc(JSON.stringify(p.answer)) + (p.extractor ? " <span class='muted'>by " +
      esc(p.extractor) + "</span>" : "")]);
    const scores = t.scores.map((s) => [s.name, "<span class='status " + esc(s.status) + "'>" +
      esc(s.status) + "</span> " + esc(Object.entries(s.metrics).map(([k, v]) => k + " = " + v).join(", "))]);
    const events = "<table><tr><th>time</th><th>run</th><th>event</th><th>overlay</th><th>data</th></tr>" +
      t.events.map((e) => "<tr><td>" + esc(e.ts) + "</td><td>" + esc(e.run) + "</td><td>" + esc(e.type) +
        "</td><td>" + esc(e.overlay) + "</td><td><code>" + esc(e.data) + "</code></td></tr>").join("") +
      "</table>";
    body.innerHTML =
      "<h3>Lineage</h3>" + table([["trial", esc(t.trial)], ["model", esc(t.model)], ["slice", esc(t.slice)],
        ["prompt variant", esc(t.promptVariant)], ["item", esc(t.itemId)], ["sample", esc(t.sample)],
        ["status", "<span class='status " + esc(t.status) + "'>" + esc(t.status) + "</span>"],
        ["generated in run", esc(t.generatedIn)], ["reused from", esc(t.reusedFrom || "–")]]) +
      "<h3>Prompt</h3>" + prompt +
      "<h3>Output</h3><pre>" + esc(t.text ?? "(no output)") + "</pre><p class='muted'>" +
        esc((t.tokensIn ?? "?") + " tokens in, " + (t.tokensOut ?? "?") + " out, " +
        (t.latencyMs ?? "?") + " ms") + "</p>" +
      "<h3>Parses</h3>" + (parses.length ? table(parses) : "<p class='muted'>none</p>") +
      "<h3>Scores</h3>" + (scores.length ? table(scores) : "<p class='muted'>none</p>") +
      "<h3>Events</h3>" + events;
    dialog.showModal();
  }
  for (const row of rows) row.addEventListener("click", () => open(row.dataset.cand));
})();
`;
