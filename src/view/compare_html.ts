/** Paired comparisons as the compare page shows them: forest plot, table, flipped items. */
import type { Analytics } from "../analytics/analytics.ts";
import type { RunManifest } from "../plan/manifest.ts";
import { metricCondition, perTrialSql } from "../results/aggregate_sql.ts";
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
 * `MAX_FLIPS`, and how many there are), for scores whose values are all 0 or 1.
 */
export async function modelFlips(
  analytics: Pick<Analytics, "all">,
  manifest: RunManifest,
  sides: { a: string; b: string; metric?: string },
): Promise<Flips> {
  const rows = await analytics.all(
    `with ${perTrialSql(manifest)},
     picked as (select * from rows r where r.value is not null and ${
      metricCondition(sides.metric)
    }),
     zero_one as (select score_hash, metric from picked group by all
       having bool_and(value in (0, 1)))
     select a.slice_id, a.prompt_variant_id, a.params_index, a.item_id, a.score_name, a.metric,
       a.value as baseline, b.value as treatment,
       case when b.value > a.value then 'gained' else 'lost' end as direction,
       count(*) over () as total
     from picked a join picked b on a.slice_id = b.slice_id
       and a.prompt_variant_id = b.prompt_variant_id and a.params_index = b.params_index
       and a.item_id = b.item_id and a.score_hash = b.score_hash and a.metric = b.metric
     where a.model_id = $a and b.model_id = $b and a.value <> b.value
       and exists (select 1 from zero_one bi where bi.score_hash = a.score_hash
         and bi.metric = a.metric)
     order by a.score_name, a.metric, a.slice_id, a.prompt_variant_id, a.params_index, a.item_id
     limit ${MAX_FLIPS}`,
    {
      run: manifest.run_id,
      a: sides.a,
      b: sides.b,
      ...(sides.metric === undefined ? {} : { metric: sides.metric }),
    },
  );
  return {
    shown: rows.map((r) => ({
      slice: r.slice_id as string,
      prompt_variant: r.prompt_variant_id as string,
      params: r.params_index as number,
      item: r.item_id as string,
      score: r.score_name as string,
      metric: r.metric as string,
      baseline: r.baseline as number,
      treatment: r.treatment as number,
      direction: r.direction as Flip["direction"],
    })),
    total: rows.length ? Number(rows[0].total) : 0,
  };
}
