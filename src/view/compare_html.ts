/** Paired comparisons as the compare page shows them: forest plot, table, flipped items. */
import type { Analytics } from "../analytics/analytics.ts";
import type { RunManifest } from "../plan/manifest.ts";
import { readTrialValues, type TrialValue } from "../results/trial_values.ts";
import type { ConditionRow } from "../results/compare_conditions.ts";
import type { FlipRow } from "../results/compare_runs.ts";
import type { PairedRow } from "../results/paired_groups.ts";
import { escapeHtml, pairedChart } from "../results/report/html_charts.ts";
import { htmlTable } from "../results/report/render_html.ts";
import { interval, num, pValue } from "../results/report/report_tables.ts";

/** Flipped items listed before "… and N more". */
export const MAX_FLIPS = 200;

/** An item whose 0/1 value differs between the two sides (`model` when runs are compared). */
export type Flip = Omit<FlipRow, "model"> & { model?: string };

/** The first flipped items and how many there are. */
export interface Flips {
  shown: Flip[];
  total: number;
}

/** What one comparison shows. */
export interface ComparisonView {
  baseline: string;
  treatment: string;
  /** The group keys of the rows (model, slice, …). */
  groupKeys: string[];
  rows: ConditionRow[];
  flips: Flips;
}

const NUMERIC = ["n", "baseline", "treatment", "delta", "p", "p (adj.)"];

function deltaTable(view: ComparisonView): string {
  const columns = [
    ...view.groupKeys,
    "score",
    "metric",
    "n",
    "baseline",
    "treatment",
    "delta",
    "95% CI",
    "test",
    "p",
    "p (adj.)",
    "W/L/T",
  ];
  const rows = view.rows.map((r: PairedRow) => [
    ...view.groupKeys.map((k) => String(r[k] ?? "")),
    r.score,
    r.metric,
    String(r.n),
    num(r.baseline_mean),
    num(r.treatment_mean),
    num(r.delta),
    interval(r.ci_low, r.ci_high),
    r.test ?? "",
    pValue(r.p_value),
    pValue(r.p_adjusted),
    `${r.wins}/${r.losses}/${r.ties}`,
  ]);
  return htmlTable({ columns, rows }, NUMERIC);
}

/**
 * A comparison: the paired-delta forest plot, the table of deltas with intervals and
 * corrected p-values, and the items whose 0/1 score flipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { comparisonHtml } from "./compare_html.ts";
 * const html = comparisonHtml({
 *   baseline: "a", treatment: "b", groupKeys: ["slice"], rows: [],
 *   flips: { shown: [], total: 0 },
 * });
 * assert.match(html, /No paired values/);
 * ```
 */
export function comparisonHtml(view: ComparisonView): string {
  const flips = view.flips;
  const byModel = flips.shown.some((f) => f.model !== undefined);
  const columns = [
    ...(byModel ? ["model"] : []),
    ...["slice", "prompt variant", "params", "item", "score", "metric", "baseline", "treatment"],
    "flip",
  ];
  const shown = flips.shown.map((f) => [
    ...(byModel ? [f.model ?? ""] : []),
    ...[f.slice, f.prompt_variant, String(f.params), f.item, f.score, f.metric],
    ...[String(f.baseline), String(f.treatment), f.direction],
  ]);
  return `<section id="comparison"><h2>${escapeHtml(view.treatment)} − ${
    escapeHtml(view.baseline)
  }</h2>${
    view.rows.length === 0
      ? `<p class="note">No paired values: the two sides share no scored item.</p>`
      : `<p class="note">Treatment − baseline, item by item; solid points are significant after ` +
        `correction.</p>${pairedChart(view.rows)}${deltaTable(view)}`
  }</section><section id="flips"><h2>Flipped items <span class="muted">(${flips.total})</span>` +
    `</h2>${
      flips.total === 0
        ? `<p class="note">No 0/1 score changed between the two sides.</p>`
        : htmlTable({ columns, rows: shown }) +
          (flips.total > shown.length
            ? `<p class="note">First ${shown.length} of ${flips.total}.</p>`
            : "")
    }</section>`;
}

/**
 * The items whose 0/1 value of a score differs between two models of one run (the first
 * `MAX_FLIPS`, and how many there are), for scores whose values are all 0 or 1. Values are the
 * trials' values as every aggregate reads them (samples reduced, the score's policies applied).
 */
export async function modelFlips(
  analytics: Pick<Analytics, "all" | "root">,
  manifest: RunManifest,
  sides: { a: string; b: string; metric?: string },
): Promise<Flips> {
  const scope = { runId: manifest.run_id, manifest, analytics };
  const values = (await readTrialValues(scope, { metric: sides.metric }))
    .filter((v) => v.value !== null);
  const zeroOne = new Map<string, boolean>();
  const pairs = new Map<string, { a?: TrialValue; b?: TrialValue }>();
  for (const v of values) {
    const scoreKey = `${v.score.hash}|${v.metric}`;
    zeroOne.set(scoreKey, (zeroOne.get(scoreKey) ?? true) && (v.value === 0 || v.value === 1));
    if (v.model_id !== sides.a && v.model_id !== sides.b) continue;
    const key = [scoreKey, v.slice_id, v.prompt_variant_id, v.params_index, v.item_id].join("|");
    const pair = pairs.get(key) ?? {};
    if (v.model_id === sides.a) pair.a = v;
    else pair.b = v;
    pairs.set(key, pair);
  }
  const flips: Flip[] = [];
  for (const { a, b } of pairs.values()) {
    if (!a || !b || a.value === b.value || !zeroOne.get(`${a.score.hash}|${a.metric}`)) continue;
    flips.push({
      slice: a.slice_id,
      prompt_variant: a.prompt_variant_id,
      params: a.params_index,
      item: a.item_id,
      score: a.score.name,
      metric: a.metric,
      baseline: a.value!,
      treatment: b.value!,
      direction: b.value! > a.value! ? "gained" : "lost",
    });
  }
  const key = (f: Flip) => [f.score, f.metric, f.slice, f.prompt_variant, f.params, f.item];
  flips.sort((x, y) => compareTuples(key(x), key(y)));
  return { shown: flips.slice(0, MAX_FLIPS), total: flips.length };
}

function compareTuples(a: Array<string | number>, b: Array<string | number>): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}
