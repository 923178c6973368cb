/** The runs of the store with their live progress, as the runs page and a run's header show them. */
import type { RunManifest } from "../plan/manifest.ts";
import { readRunProgress, type RunProgressSnapshot } from "../orchestrator/run_progress.ts";
import type { ProgressStage, StageProgress } from "../run/progress_tally.ts";
import { escapeHtml } from "../results/report/html_charts.ts";
import type { ViewData } from "./view_data.ts";

/** One run: its progress snapshot and what its manifest says it is. */
export interface RunRow {
  snapshot: RunProgressSnapshot;
  manifest: RunManifest;
}

const STAGES: ProgressStage[] = ["generation", "parse", "score"];
const ORDER = { running: 0, interrupted: 1, planned: 2, finished: 3 };

/**
 * Every run of the store with its progress (the store's events folded once), costs priced with
 * each run's own price table; running runs first, then the latest started.
 */
export async function readRunRows(data: ViewData): Promise<RunRow[]> {
  const runs = data.store.runs;
  const state = await runs.loadState();
  const rows: RunRow[] = [];
  for (const runId of await data.runIds()) {
    // A run directory whose manifest is still being written is left for the next refresh.
    const manifest = await data.manifest(runId).catch(() => undefined);
    if (manifest === undefined) continue;
    const snapshot = await readRunProgress(runs, runId, manifest.project.pricing ?? {}, state);
    if (snapshot) rows.push({ snapshot, manifest });
  }
  return rows.sort((a, b) =>
    ORDER[a.snapshot.status] - ORDER[b.snapshot.status] ||
    (b.snapshot.startedAt ?? "").localeCompare(a.snapshot.startedAt ?? "") ||
    a.snapshot.runId.localeCompare(b.snapshot.runId)
  );
}

/** A time as `2026-12-07 11:42:52` (UTC), or a dash. */
export function shortTime(iso: string | null): string {
  return iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "") : "–";
}

/** The name a run goes by: its benchmark (or experiment) id. */
export function runTitle(manifest: RunManifest): string {
  return manifest.experiment.benchmark_id ?? manifest.experiment.experiment_id;
}

/** A stage's progress cell: a bar of the work completed and `completed/total`. */
export function stageCell(stage: ProgressStage, s: StageProgress): string {
  const width = s.total === 0 ? 0 : Math.round((s.completed / s.total) * 100);
  return `<td class="stage" data-stage="${stage}" data-done="${s.completed}" data-total="${s.total}">` +
    `<span class="progress"><span style="width:${width}%"></span></span> ` +
    `${s.completed.toLocaleString("en")}/${s.total.toLocaleString("en")}</td>`;
}

/** A status badge. */
export function statusBadge(status: string): string {
  return `<span class="status ${escapeHtml(status)}">${escapeHtml(status)}</span>`;
}

function rate(s: RunProgressSnapshot): string {
  if (s.throughput === null) return "–";
  const eta = s.etaSeconds === null ? "" : `, ${Math.ceil(s.etaSeconds)} s left`;
  return `${s.throughput.toFixed(1)}/s${eta}`;
}

const sum = (s: RunProgressSnapshot, key: "failed" | "pending") =>
  STAGES.reduce((n, stage) => n + s.stages[stage][key], 0);

/**
 * The runs table (each row links to its run page).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runsTableHtml } from "./runs_html.ts";
 * assert.match(runsTableHtml([]), /No runs in this store yet/);
 * ```
 */
export function runsTableHtml(rows: ReadonlyArray<RunRow>): string {
  if (rows.length === 0) {
    return `<p class="note">No runs in this store yet. Start one with <code>themis run ` +
      `&lt;spec&gt;</code>: it appears here as soon as it is planned.</p>`;
  }
  const body = rows.map(({ snapshot: s, manifest: m }) => {
    const id = escapeHtml(s.runId);
    return `<tr data-run="${id}" data-status="${escapeHtml(s.status)}">` +
      `<td><a href="/runs/${id}"><code>${id}</code></a></td>` +
      `<td>${escapeHtml(runTitle(m))}<div class="muted">${escapeHtml(m.project.project_name)}` +
      `</div></td>` +
      `<td>${statusBadge(s.status)}</td>` +
      STAGES.map((stage) => stageCell(stage, s.stages[stage])).join("") +
      `<td class="num" data-count="failed">${sum(s, "failed")}</td>` +
      `<td class="num" data-count="pending">${sum(s, "pending")}</td>` +
      `<td class="num">${s.cost.toFixed(4)}</td>` +
      `<td class="time">${shortTime(s.startedAt)}</td><td class="time">${
        shortTime(s.endedAt)
      }</td>` +
      `<td>${rate(s)}</td></tr>`;
  }).join("");
  return `<div class="wide"><table id="runs-table"><thead><tr><th>run</th><th>benchmark</th><th>status</th>` +
    `<th>generations</th><th>parses</th><th>scores</th><th class="num">failed</th>` +
    `<th class="num">pending</th><th class="num">cost</th><th>started (UTC)</th>` +
    `<th>finished (UTC)</th><th>rate</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

/**
 * A run page's header: what the run is and where it stands, stage by stage.
 */
export function runHeadHtml({ snapshot: s, manifest: m }: RunRow): string {
  const stages = STAGES.map((stage) => {
    const p = s.stages[stage];
    return `<tr><th>${stage}</th>${stageCell(stage, p)}<td class="num">${p.failed}</td>` +
      `<td class="num">${p.skipped}</td><td class="num">${p.pending}</td></tr>`;
  }).join("");
  return `<h1>${escapeHtml(runTitle(m))} <span class="light">— run ${escapeHtml(s.runId)}</span>` +
    `</h1><div class="facts">${statusBadge(s.status)} · ${escapeHtml(m.source.kind)} · project ` +
    `${escapeHtml(m.project.project_name)} · started ${shortTime(s.startedAt)} · finished ` +
    `${shortTime(s.endedAt)} · ${m.counts.trials.toLocaleString("en")} trials, ` +
    `${m.counts.candidates.toLocaleString("en")} candidates · cost ${s.cost.toFixed(4)} · ` +
    `rate ${rate(s)}</div><table class="stages"><thead><tr><th>stage</th><th>completed</th>` +
    `<th class="num">failed</th><th class="num">skipped</th><th class="num">pending</th></tr>` +
    `</thead><tbody>${stages}</tbody></table>`;
}
