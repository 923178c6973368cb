/** Inline SVG charts of the HTML report: pure functions from numbers to markup. */
import type { ConditionRow } from "../compare_conditions.ts";
import type { LeaderboardRow } from "../leaderboard.ts";
import type { Heatmap } from "./report_data.ts";

/**
 * Text escaped for HTML and SVG.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeHtml } from "./html_charts.ts";
 * assert.equal(escapeHtml("<b>"), "&lt;b&gt;");
 * ```
 */
export function escapeHtml(text: unknown): string {
  return String(text ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const f = (x: number) => (Math.round(x * 10) / 10).toString();
const LABEL = 170;
const WIDTH = 680;
const ROW = 28;

function scale(lo: number, hi: number, x0: number, x1: number) {
  const span = hi - lo || 1;
  return (v: number) => x0 + ((v - lo) / span) * (x1 - x0);
}

function ticks(lo: number, hi: number, x: (v: number) => number, y: number, h: number): string {
  const out: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    out.push(
      `<line x1="${f(x(v))}" x2="${f(x(v))}" y1="${y}" y2="${y + h}" class="grid"/>`,
      `<text x="${f(x(v))}" y="${y + h + 14}" class="tick">${v.toFixed(2)}</text>`,
    );
  }
  return out.join("");
}

/**
 * Horizontal bars of the leaderboard's means with their confidence intervals as whiskers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { leaderboardChart } from "./html_charts.ts";
 * assert.ok(leaderboardChart([]).startsWith("<svg"));
 * ```
 */
export function leaderboardChart(rows: ReadonlyArray<LeaderboardRow>): string {
  const values = rows.flatMap((r) => [r.mean, r.ci_low, r.ci_high]).filter((v) =>
    v !== null
  ) as number[];
  const unit = values.every((v) => v >= 0 && v <= 1);
  const lo = unit ? 0 : Math.min(0, ...values);
  const hi = unit ? 1 : Math.max(...values, 0) || 1;
  const x = scale(lo, hi, LABEL, WIDTH - 60);
  const top = 10;
  const h = rows.length * ROW;
  const bars = rows.map((r, i) => {
    const y = top + i * ROW;
    const mean = r.mean ?? lo;
    const ci = r.ci_low !== null && r.ci_high !== null
      ? `<line x1="${f(x(r.ci_low))}" x2="${f(x(r.ci_high))}" y1="${y + 12}" y2="${
        y + 12
      }" class="whisker"/>` +
        `<line x1="${f(x(r.ci_low))}" x2="${f(x(r.ci_low))}" y1="${y + 6}" y2="${
          y + 18
        }" class="whisker"/>` +
        `<line x1="${f(x(r.ci_high))}" x2="${f(x(r.ci_high))}" y1="${y + 6}" y2="${
          y + 18
        }" class="whisker"/>`
      : "";
    return `<g class="bar-row"><text x="${LABEL - 8}" y="${y + 16}" class="label">${r.rank}. ${
      escapeHtml(r.model)
    }</text><rect x="${f(x(lo))}" y="${y + 4}" width="${
      f(Math.max(0, x(mean) - x(lo)))
    }" height="16" class="bar"><title>${escapeHtml(r.model)}: ${
      r.mean?.toFixed(4) ?? "no value"
    }</title></rect>${ci}<text x="${f(Math.max(x(mean), x(r.ci_high ?? mean)) + 6)}" y="${
      y + 16
    }" class="value">${r.mean?.toFixed(3) ?? "–"}</text></g>`;
  });
  return `<svg class="chart" data-chart="leaderboard" style="max-width:${WIDTH}px" viewBox="0 0 ${WIDTH} ${
    h + top + 28
  }" role="img" aria-label="Leaderboard with 95% intervals">${ticks(lo, hi, x, top, h)}${
    bars.join("")
  }</svg>`;
}

function cellColor(t: number): string {
  // A light-to-deep blue ramp; t in [0, 1].
  const from = [239, 246, 255];
  const to = [30, 64, 175];
  const c = from.map((a, i) => Math.round(a + (to[i] - a) * t));
  return `rgb(${c.join(",")})`;
}

/**
 * A slice × model heatmap of means (darker is higher); empty cells have no value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heatmapChart } from "./html_charts.ts";
 * assert.ok(heatmapChart({ slices: ["s"], models: ["m"], cells: [[0.5]], counts: [[2]] }).includes("0.500"));
 * ```
 */
export function heatmapChart(map: Heatmap): string {
  const cw = Math.max(80, Math.min(140, (WIDTH - LABEL) / Math.max(1, map.models.length)));
  const ch = 30;
  const values = map.cells.flat().filter((v) => v !== null) as number[];
  const unit = values.every((v) => v >= 0 && v <= 1);
  const lo = unit ? 0 : Math.min(...values);
  const hi = unit ? 1 : Math.max(...values);
  const head = map.models.map((m, j) =>
    `<text x="${f(LABEL + j * cw + cw / 2)}" y="16" class="col-label">${escapeHtml(m)}</text>`
  );
  const cells = map.slices.flatMap((s, i) => {
    const y = 26 + i * ch;
    const label = `<text x="${LABEL - 8}" y="${y + 20}" class="label">${escapeHtml(s)}</text>`;
    return [
      label,
      ...map.models.map((m, j) => {
        const v = map.cells[i][j];
        const t = v === null ? 0 : (v - lo) / (hi - lo || 1);
        const fill = v === null ? "#f3f4f6" : cellColor(t);
        const ink = v !== null && t > 0.55 ? "#fff" : "#111827";
        return `<rect x="${f(LABEL + j * cw)}" y="${y}" width="${f(cw - 2)}" height="${
          ch - 2
        }" fill="${fill}" class="cell"><title>${escapeHtml(s)} × ${escapeHtml(m)}: ${
          v?.toFixed(4) ?? "no value"
        } (n=${map.counts[i][j]})</title></rect>` +
          `<text x="${f(LABEL + j * cw + cw / 2)}" y="${y + 19}" class="cell-value" fill="${ink}">${
            v === null ? "–" : v.toFixed(3)
          }</text>`;
      }),
    ];
  });
  const width = LABEL + map.models.length * cw + 10;
  const height = 30 + map.slices.length * ch;
  return `<svg class="chart" data-chart="heatmap" style="max-width:${f(width)}px" viewBox="0 0 ${
    f(width)
  } ${height}" role="img" aria-label="Mean per slice and model">${head.join("")}${
    cells.join("")
  }</svg>`;
}

/**
 * A forest plot of paired deltas (treatment − baseline) with their intervals; solid points
 * are significant after correction (p < 0.05).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairedChart } from "./html_charts.ts";
 * assert.ok(pairedChart([]).startsWith("<svg"));
 * ```
 */
export function pairedChart(rows: ReadonlyArray<ConditionRow>): string {
  const shown = rows.filter((r) => r.delta !== null);
  const extent = Math.max(
    0.05,
    ...shown.flatMap((
      r,
    ) => [Math.abs(r.ci_low ?? 0), Math.abs(r.ci_high ?? 0), Math.abs(r.delta!)]),
  );
  const x = scale(-extent, extent, LABEL + 70, WIDTH - 20);
  const top = 10;
  const h = shown.length * ROW;
  const marks = shown.map((r, i) => {
    const y = top + i * ROW + 14;
    const significant = r.p_adjusted !== null && r.p_adjusted < 0.05;
    const label = `${r.treatment} · ${r.slice ?? ""}${
      shown.some((o) => o.score !== r.score) ? ` · ${r.score}` : ""
    }`;
    return `<g class="delta-row"><text x="${LABEL + 56}" y="${y + 4}" class="label">${
      escapeHtml(label)
    }</text>` +
      (r.ci_low !== null && r.ci_high !== null
        ? `<line x1="${f(x(r.ci_low))}" x2="${
          f(x(r.ci_high))
        }" y1="${y}" y2="${y}" class="whisker"/>`
        : "") +
      `<circle cx="${f(x(r.delta!))}" cy="${y}" r="5" class="${
        significant ? "point sig" : "point"
      }"><title>${escapeHtml(label)}: Δ ${r.delta!.toFixed(4)}, p(adj.) ${
        r.p_adjusted?.toPrecision(3) ?? "–"
      }</title></circle></g>`;
  });
  return `<svg class="chart" data-chart="paired" style="max-width:${WIDTH}px" viewBox="0 0 ${WIDTH} ${
    h + top + 28
  }" role="img" aria-label="Paired deltas with 95% intervals">${
    ticks(-extent, extent, x, top, h)
  }<line x1="${f(x(0))}" x2="${f(x(0))}" y1="${top}" y2="${top + h}" class="zero"/>${
    marks.join("")
  }</svg>`;
}

/** A small inline bar for a rate in [0, 1]. */
export function rateBar(rate: number | null): string {
  if (rate === null) return "";
  const w = Math.round(Math.max(0, Math.min(1, rate)) * 100);
  return `<span class="rate"><span style="width:${w}%"></span></span> ${(rate * 100).toFixed(1)}%`;
}
