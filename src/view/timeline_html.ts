/** A candidate's whole story as the view's timeline dialog shows it. */
import type { Json } from "../core/json.ts";
import type { CandidateTimeline } from "../results/candidate_timeline.ts";
import { escapeHtml } from "../results/report/html_charts.ts";
import { statusBadge } from "./runs_html.ts";

/** Events shown before "… and N more". */
const MAX_EVENTS = 300;

const pairs = (rows: Array<[string, string]>) =>
  `<table class="kv">${
    rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`).join("")
  }</table>`;

const code = (value: Json | undefined) =>
  value === null || value === undefined
    ? `<span class="muted">–</span>`
    : `<code>${escapeHtml(typeof value === "string" ? value : JSON.stringify(value))}</code>`;

const block = (value: Json | undefined, clip = 4000) => {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 1);
  return `<pre>${escapeHtml(text.length > clip ? `${text.slice(0, clip)}…` : text)}</pre>`;
};

const none = (what: string) => `<p class="muted">${what}</p>`;

function messages(list: Json | null): string {
  if (!Array.isArray(list) || list.length === 0) return none("not stored");
  return list.map((m) => {
    const { role, content } = (m ?? {}) as { role?: string; content?: Json };
    return `<pre><b>${escapeHtml(role ?? "?")}:</b> ${
      escapeHtml(typeof content === "string" ? content : JSON.stringify(content))
    }</pre>`;
  }).join("");
}

function lineage(t: CandidateTimeline): string {
  const l = t.lineage;
  return pairs([
    ["run", code(l.run)],
    ["trial", code(l.trial)],
    ["candidate", `${code(t.cand)} · sample ${t.sample}`],
    ["model", `${escapeHtml(l.model)} <span class="muted">${escapeHtml(l.provider ?? "")}</span>`],
    ["slice", escapeHtml(l.slice)],
    ["prompt variant", escapeHtml(l.promptVariant)],
    ["params", `#${l.paramsIndex} ${code(l.params)}`],
    ["item", escapeHtml(l.itemId)],
    ["dimensions", code(l.dimensions)],
    ["status", statusBadge(t.candidate.status)],
    ["generated in", code(l.generatedIn)],
    ["reused from", code(l.reusedFrom)],
    ["planned in", l.plannedIn.map((r) => code(r)).join(" ")],
  ]);
}

function output(t: CandidateTimeline): string {
  const c = t.candidate;
  const facts = [
    `${c.tokensIn ?? "?"} tokens in, ${c.tokensOut ?? "?"} out`,
    `${c.latencyMs ?? "?"} ms`,
    c.finishReason ? `finish: ${c.finishReason}` : "",
    c.cost !== null ? `cost ${c.cost.toFixed(6)}` : "",
  ].filter(Boolean).join(" · ");
  return (c.text === null ? none("no output") : block(c.text, 20_000)) +
    `<p class="muted">${escapeHtml(facts)}</p>`;
}

function attempts(list: Json | null): string {
  if (!Array.isArray(list) || list.length === 0) return "";
  const rows = list.map((a) => {
    const { extractor, ok, error, answer } = (a ?? {}) as Record<string, Json>;
    return `<tr><td>${escapeHtml(extractor)}</td><td>${ok ? "✓ answer" : "✗ no answer"}</td>` +
      `<td>${ok ? code(answer) : escapeHtml(error ?? "")}</td></tr>`;
  }).join("");
  return `<table class="attempts"><thead><tr><th>extractor</th><th>result</th><th>detail</th>` +
    `</tr></thead><tbody>${rows}</tbody></table>`;
}

function parses(t: CandidateTimeline): string {
  if (t.candidate.parses.length === 0) return none("none");
  return t.candidate.parses.map((p) =>
    `<div class="parse"><p><b>${escapeHtml(p.name)}</b> ${statusBadge(p.status)} answer ${
      code(p.answer)
    }${p.extractor ? ` <span class="muted">by ${escapeHtml(p.extractor)}</span>` : ""}</p>${
      attempts(p.attempts)
    }</div>`
  ).join("");
}

function scores(t: CandidateTimeline): string {
  if (t.candidate.scores.length === 0) return none("none");
  const rows = t.candidate.scores.map((s) => {
    const metrics = Object.entries(s.metrics).map(([k, v]) => `${escapeHtml(k)} = ${v}`);
    const details = Object.entries(t.details[s.hash] ?? {}).map(([metric, d]) =>
      `<div class="muted">${escapeHtml(metric)}: ${code(d)}</div>`
    ).join("");
    return `<tr><td>${escapeHtml(s.name)}</td><td>${statusBadge(s.status)}</td><td>${
      metrics.join(", ") || "–"
    }${details}</td></tr>`;
  }).join("");
  return `<table><thead><tr><th>score</th><th>status</th><th>metrics</th></tr></thead>` +
    `<tbody>${rows}</tbody></table>`;
}

function judges(t: CandidateTimeline): string {
  if (t.judgeCalls.length === 0) return none("none");
  return t.judgeCalls.map((j) =>
    `<details class="judge"><summary>${escapeHtml(j.metric)} · ${escapeHtml(j.model)} ` +
    `<span class="muted">(${escapeHtml(j.provider)}, ${j.latencyMs ?? "?"} ms, ` +
    `${j.tokensIn ?? "?"}→${j.tokensOut ?? "?"} tokens)</span></summary>` +
    `<h4>Judge prompt</h4>${messages(j.messages)}<h4>Verdict</h4>${block(j.text ?? "")}</details>`
  ).join("");
}

function errors(t: CandidateTimeline): string {
  if (t.errors.length === 0) return none("none");
  const rows = t.errors.map((e) =>
    `<tr><td>${escapeHtml(e.ts)}</td><td>${escapeHtml(e.type)}</td><td>${
      escapeHtml(e.overlay)
    }</td><td>${escapeHtml(e.code ?? "")}</td><td>${escapeHtml(e.message ?? "")}</td></tr>`
  ).join("");
  return `<table><thead><tr><th>time</th><th>event</th><th>overlay</th><th>code</th>` +
    `<th>message</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function events(t: CandidateTimeline): string {
  const shown = t.events.slice(0, MAX_EVENTS);
  const rows = shown.map((e) => {
    const data = JSON.stringify(e.data);
    return `<tr><td>${escapeHtml(e.ts)}</td><td><code>${escapeHtml(e.run)}</code></td><td>${
      escapeHtml(e.type)
    }</td><td>${escapeHtml(e.overlay ?? "")}</td><td><code>${
      escapeHtml(data.length > 300 ? `${data.slice(0, 300)}…` : data)
    }</code></td></tr>`;
  }).join("");
  const more = t.events.length > shown.length
    ? `<p class="muted">… and ${t.events.length - shown.length} more</p>`
    : "";
  return `<table class="events"><thead><tr><th>time</th><th>run</th><th>event</th>` +
    `<th>overlay</th><th>data</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

/**
 * The timeline of one candidate: lineage, prompt, item, raw output, every parse with every
 * extractor it tried, scores with their details, judge calls, errors, and every event.
 */
export function timelineHtml(t: CandidateTimeline): string {
  return `<h3>Lineage</h3>${lineage(t)}<h3>Prompt</h3>${messages(t.prompt as Json)}` +
    `<h3>Item</h3>${t.item === null ? none("not stored") : block(t.item)}` +
    `<h3>Raw output</h3>${output(t)}<h3>Parses</h3>${parses(t)}<h3>Scores</h3>${scores(t)}` +
    `<h3>Judge calls</h3>${judges(t)}<h3>Errors and retries</h3>${errors(t)}` +
    `<h3>Events</h3>${events(t)}`;
}
