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
import { trialsIn } from "../results/aggregate_sql.ts";
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

const SEARCHED = ["slice_id", "item_id", "model_id", "prompt_variant_id", "trial", "cand"];

// A trial's status over all its work items (as `readIdentities` gives it), found from the few
// items that are not completed rather than by grouping every work item of the run.
const STATUS_SQL: Record<string, string> = {
  completed: "trial not in (select trial from open)",
  failed: "trial in (select trial from open where not pending)",
  pending: "trial in (select trial from open where pending)",
};

/**
 * The filtered trials of the run as SQL (`matched`, one row per trial: its sample 0
 * generation item) and its parameters. A word matches any id of the trial, or the id of any
 * of its candidates.
 */
function matchedSql(
  f: ItemFilters,
  runId: string,
): { sql: string; params: Record<string, SqlParam> } {
  const params: Record<string, SqlParam> = { run: runId };
  const where = ["run = $run", "stage = 'generation'", "sample = 0"];
  if (f.model) (params.model = f.model, where.push("model_id = $model"));
  if (f.slice) (params.slice = f.slice, where.push("slice_id = $slice"));
  if (f.status) where.push(STATUS_SQL[f.status]);
  f.q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8).forEach((word, i) => {
    params[`w${i}`] = word;
    where.push(`(${SEARCHED.map((c) => `contains(lower(${c}), $w${i})`).join(" or ")} or trial in (
      select trial from work_items where run = $run and stage = 'generation' and sample > 0
        and contains(cand, $w${i})))`);
  });
  const open = f.status
    ? `open as (select trial, bool_or(status = 'pending') as pending from work_items
        where run = $run and status in ('pending', 'failed') group by trial),`
    : "";
  return {
    sql: `with ${open} matched as (select trial, slice_id, item_id, model_id, prompt_variant_id,
      params_index from work_items where ${where.join(" and ")})`,
    params,
  };
}

/**
 * The page of a run's trials the filters ask for, in the report's order (slice, item, model,
 * prompt variant, params), with each trial's status, candidates and value of the run's
 * primary metric. Only the page's trials are read in full.
 */
export async function readItemsPage(scope: ResultScope, f: ItemFilters): Promise<ItemsPage> {
  const { sql, params } = matchedSql(f, scope.runId);
  const page = await scope.analytics.all(
    `${sql} select trial from matched
     order by slice_id, item_id, model_id, prompt_variant_id, params_index, trial
     limit ${f.limit} offset ${f.offset}`,
    params,
  );
  const [{ n: matching }] = await scope.analytics.all(
    `${sql} select count(*)::integer as n from matched`,
    params,
  );
  const [{ n: total }] = await scope.analytics.all(
    `select count(*)::integer as n from work_items
     where run = $run and stage = 'generation' and sample = 0`,
    { run: scope.runId },
  );
  const trials = page.map((r) => r.trial as string);
  const cands = new Map((await scope.analytics.all(
    `select trial, list(cand order by sample) as cands from work_items
     where run = $run and stage = 'generation' ${trialsIn(trials)} group by trial`,
    { run: scope.runId },
  )).map((r) => [r.trial as string, r.cands as string[]]));
  const metric = primaryMetric(scope) ?? null;
  const summaries = new Map((await readSummaries(scope, trials)).map((s) => [s.trial, s]));
  return {
    filters: f,
    matching: matching as number,
    total: total as number,
    metric,
    rows: trials.map((trial): ReportItemRow => {
      const s = summaries.get(trial)!;
      return {
        trial,
        model: s.model,
        slice: s.slice,
        promptVariant: s.promptVariant,
        itemId: s.itemId,
        status: s.status,
        value: pickValue(s.values, metric),
        cands: cands.get(trial) ?? [],
      };
    }),
  };
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
