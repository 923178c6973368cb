/**
 * One page of a run's items, searched and filtered in the database: the browser only ever
 * receives the rows it shows, whatever the size of the run.
 */
import type { SqlParam } from "../analytics/duckdb.ts";
import { ThemisError } from "../core/errors.ts";
import { primaryMetric } from "../results/leaderboard.ts";
import { escapeHtml } from "../results/report/html_charts.ts";
import { pickValue, type ReportItemRow } from "../results/report/report_items.ts";
import type { ResultScope } from "../results/_scope.ts";
import { readSummaries } from "../results/trial_summaries.ts";

/** What the items table shows: a search, filters and a page. */
export interface ItemFilters {
  /** Words that must each appear in a slice, item, model, prompt variant, trial or candidate id. */
  q: string;
  /** `completed`, `failed` or `pending` (the trial's status over all its work), or "" for any. */
  status: string;
  model: string;
  slice: string;
  offset: number;
  limit: number;
}

/** Statuses the filter offers (a trial's status over all its work items). */
export const ITEM_STATUSES = ["completed", "failed", "pending"];

/** One page of items. */
export interface ItemsPage {
  filters: ItemFilters;
  /** Trials matching the filters. */
  matching: number;
  /** Trials of the run. */
  total: number;
  metric: string | null;
  rows: ReportItemRow[];
}

const MAX_LIMIT = 200;

function whole(value: string | null, fallback: number, name: string): number {
  if (value === null || value === "") return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new ThemisError("QUERY_INVALID", `${name} must be a whole number ≥ 0, not "${value}"`);
  }
  return n;
}

/**
 * The filters of a query string (`q`, `status`, `model`, `slice`, `offset`, `limit`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseItemFilters } from "./items_page.ts";
 * const f = parseItemFilters(new URLSearchParams("q=t3&offset=50"));
 * assert.deepEqual(f, { q: "t3", status: "", model: "", slice: "", offset: 50, limit: 50 });
 * ```
 */
export function parseItemFilters(params: URLSearchParams): ItemFilters {
  const status = params.get("status") ?? "";
  if (status !== "" && !ITEM_STATUSES.includes(status)) {
    throw new ThemisError(
      "QUERY_INVALID",
      `Unknown status "${status}": use ${ITEM_STATUSES.join(", ")}`,
      { valid: ITEM_STATUSES },
    );
  }
  return {
    q: (params.get("q") ?? "").trim(),
    status,
    model: params.get("model") ?? "",
    slice: params.get("slice") ?? "",
    offset: whole(params.get("offset"), 0, "offset"),
    limit: Math.min(MAX_LIMIT, Math.max(1, whole(params.get("limit"), 50, "limit"))),
  };
}

const SEARCHED = ["slice_id", "item_id", "model_id", "prompt_variant_id", "trial", "cands"];

/** The `where` of the filtered trials and its parameters. */
function filterSql(
  f: ItemFilters,
): { pre: string; post: string; params: Record<string, SqlParam> } {
  const params: Record<string, SqlParam> = {};
  const pre: string[] = [];
  if (f.model) (params.model = f.model, pre.push("and model_id = $model"));
  if (f.slice) (params.slice = f.slice, pre.push("and slice_id = $slice"));
  const post = f.status ? ["status = $status"] : ["true"];
  if (f.status) params.status = f.status;
  f.q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8).forEach((word, i) => {
    params[`w${i}`] = word;
    post.push(`(${SEARCHED.map((c) => `contains(lower(${c}), $w${i})`).join(" or ")})`);
  });
  return { pre: pre.join(" "), post: post.join(" and "), params };
}

/**
 * The page of a run's trials the filters ask for, in the report's order (slice, item, model,
 * prompt variant, params), with each trial's status, candidates and value of the run's
 * primary metric.
 *
 * @example
 * ```ts
 * // const page = await readItemsPage(scope, parseItemFilters(new URLSearchParams("q=m3")));
 * ```
 */
export async function readItemsPage(scope: ResultScope, f: ItemFilters): Promise<ItemsPage> {
  const { pre, post, params } = filterSql(f);
  const rows = await scope.analytics.all(
    `with t as (
       select trial, any_value(slice_id) as slice_id, any_value(item_id) as item_id,
         any_value(model_id) as model_id, any_value(prompt_variant_id) as prompt_variant_id,
         any_value(params_index) as params_index,
         list(cand order by sample) filter (where stage = 'generation') as cand_list,
         array_to_string(cand_list, ' ') as cands,
         case when bool_or(status = 'pending') then 'pending'
              when bool_or(status = 'failed') then 'failed' else 'completed' end as status
       from work_items where run = $run ${pre} group by trial
     )
     select trial, cand_list, count(*) over () as matching from t where ${post}
     order by slice_id, item_id, model_id, prompt_variant_id, params_index, trial
     limit ${f.limit} offset ${f.offset}`,
    { run: scope.runId, ...params },
  );
  const [{ n }] = await scope.analytics.all(
    `select count(distinct trial)::integer as n from work_items
     where run = $run and stage = 'generation'`,
    { run: scope.runId },
  );
  const metric = primaryMetric(scope) ?? null;
  const trials = rows.map((r) => r.trial as string);
  const summaries = new Map((await readSummaries(scope, trials)).map((s) => [s.trial, s]));
  return {
    filters: f,
    matching: rows.length ? Number(rows[0].matching) : await countMatching(scope, f),
    total: n as number,
    metric,
    rows: rows.map((r): ReportItemRow => {
      const s = summaries.get(r.trial as string)!;
      return {
        trial: s.trial,
        model: s.model,
        slice: s.slice,
        promptVariant: s.promptVariant,
        itemId: s.itemId,
        status: s.status,
        value: pickValue(s.values, metric),
        cands: (r.cand_list ?? []) as string[],
      };
    }),
  };
}

// A page past the end has no row to carry the count: ask for it alone.
async function countMatching(scope: ResultScope, f: ItemFilters): Promise<number> {
  if (f.offset === 0) return 0;
  const page = await readItemsPage(scope, { ...f, offset: 0, limit: 1 });
  return page.matching;
}

/** A number with thousands separators. */
const count = (n: number) => n.toLocaleString("en");

/**
 * The items table of one page, with its count and pager; rows carry their candidate id (a
 * click opens its timeline).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { itemsPageHtml } from "./items_page.ts";
 * const filters = { q: "", status: "", model: "", slice: "", offset: 0, limit: 50 };
 * const html = itemsPageHtml({ filters, matching: 0, total: 4, metric: null, rows: [] });
 * assert.match(html, /0 of 4 trials/);
 * ```
 */
export function itemsPageHtml(page: ItemsPage): string {
  const { filters: f } = page;
  const first = page.matching === 0 ? 0 : f.offset + 1;
  const last = f.offset + page.rows.length;
  const rows = page.rows.map((r) =>
    `<tr data-cand="${escapeHtml(r.cands[0] ?? "")}" data-status="${escapeHtml(r.status)}">` +
    `<td>${escapeHtml(r.slice)}</td><td>${escapeHtml(r.itemId)}</td><td>${
      escapeHtml(r.model)
    }</td>` +
    `<td>${escapeHtml(r.promptVariant)}</td><td><span class="status ${escapeHtml(r.status)}">` +
    `${escapeHtml(r.status)}</span></td><td class="num">${
      r.value === null ? "–" : r.value.toFixed(3)
    }</td><td><code>${escapeHtml(r.cands[0] ?? "")}</code>${
      r.cands.length > 1 ? ` <span class="muted">+${r.cands.length - 1}</span>` : ""
    }</td></tr>`
  ).join("");
  const pager = `<div class="pager"><button type="button" data-offset="${
    Math.max(0, f.offset - f.limit)
  }"${f.offset === 0 ? " disabled" : ""}>← Previous</button><span id="item-count">${
    page.matching === page.total && !f.q && !f.status && !f.model && !f.slice
      ? `${count(first)}–${count(last)} of ${count(page.total)} trials`
      : `${count(first)}–${count(last)} of ${count(page.matching)} matching · ${
        count(page.matching)
      } of ${count(page.total)} trials`
  }</span><button type="button" data-offset="${f.offset + f.limit}"${
    last >= page.matching ? " disabled" : ""
  }>Next →</button></div>`;
  return `${pager}<div class="scroll"><table id="items" data-matching="${page.matching}" ` +
    `data-total="${page.total}"><thead><tr><th>slice</th><th>item</th><th>model</th>` +
    `<th>prompt variant</th><th>status</th><th class="num">${
      escapeHtml(page.metric ?? "value")
    }</th><th>candidate</th></tr></thead><tbody>${
      rows || `<tr><td colspan="7" class="muted">No trial matches.</td></tr>`
    }</tbody></table></div>`;
}
