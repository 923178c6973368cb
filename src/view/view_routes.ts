/**
 * Every endpoint of the view. All of them only read: pages, fragments, the event stream,
 * assets and query downloads; any method but GET and HEAD is refused.
 */
import { isThemisError, ThemisError } from "../core/errors.ts";
import { readRunProgress } from "../orchestrator/run_progress.ts";
import { readTimeline } from "../results/candidate_timeline.ts";
import { storePaths } from "../store/paths.ts";
import { escapeHtml } from "../results/report/html_charts.ts";
import type { EventHub } from "./event_hub.ts";
import { itemsPageHtml, parseItemFilters, readItemsPage } from "./items_page.ts";
import type { JobCache } from "./job_cache.ts";
import { readRunRows, runHeadHtml, runsTableHtml, runTitle } from "./runs_html.ts";
import { sqlDownload, sqlResultHtml } from "./sql_html.ts";
import type { StatsJob } from "./stats_jobs.ts";
import type { StatsWorker } from "./stats_worker.ts";
import { timelineHtml } from "./timeline_html.ts";
import { VIEW_CSS, VIEW_JS } from "./view_assets.ts";
import type { ViewData } from "./view_data.ts";
import {
  comparePage,
  compareQuery,
  pageHtml,
  parseCompareChoice,
  runPage,
  runsPage,
  sqlPage,
} from "./view_pages.ts";

/** What the endpoints work with. */
export interface ViewContext {
  data: ViewData;
  hub: EventHub;
  stats: StatsWorker;
  jobs: JobCache;
}

type Handler = (ctx: ViewContext, match: RegExpMatchArray, url: URL) => Promise<Response | string>;

const asset = (body: string, type: string) =>
  Promise.resolve(
    new Response(body, { headers: { "content-type": type, "cache-control": "no-cache" } }),
  );

async function runHead(ctx: ViewContext, runId: string): Promise<string> {
  const manifest = await ctx.data.manifest(runId);
  const snapshot = await readRunProgress(
    ctx.data.store.runs,
    runId,
    manifest.project.pricing ?? {},
  );
  if (snapshot === undefined) throw new ThemisError("RUN_NOT_FOUND", `No run "${runId}"`);
  return runHeadHtml({ snapshot, manifest });
}

async function slowJob(ctx: ViewContext, key: string, job: () => Promise<StatsJob>) {
  const { html, fresh } = await ctx.jobs.get(
    key,
    ctx.data.version,
    async () => ctx.stats.run(await job()),
  );
  return fresh ? html : `<p class="note stale">Updating: these numbers are from a moment ago; ` +
    `fresh ones follow by themselves.</p>${html}`;
}

async function compareFragment(ctx: ViewContext, url: URL): Promise<string> {
  const choice = parseCompareChoice(url.searchParams);
  if (choice.a === "" || choice.b === "" || (choice.mode === "models" && choice.run === "")) {
    throw new ThemisError("QUERY_INVALID", "Pick the two sides to compare");
  }
  const metric = choice.metric || undefined;
  return await slowJob(
    ctx,
    `compare:${compareQuery(choice)}`,
    async () =>
      choice.mode === "runs"
        ? {
          kind: "compareRuns",
          baseline: await ctx.data.manifest(choice.a),
          treatment: await ctx.data.manifest(choice.b),
          metric,
        }
        : {
          kind: "compareModels",
          manifest: await ctx.data.manifest(choice.run),
          a: choice.a,
          b: choice.b,
          metric,
        },
  );
}

/** The runs of the store, newest plan first, with the benchmark each ran. */
async function runChoices(ctx: ViewContext) {
  const runs = [];
  for (const id of await ctx.data.runIds()) {
    const manifest = await ctx.data.manifest(id).catch(() => undefined);
    const planned = await Deno.stat(storePaths.manifest(ctx.data.root, id)).catch(() => undefined);
    if (manifest) runs.push({ id, label: runTitle(manifest), at: planned?.mtime?.getTime() ?? 0 });
  }
  return runs.sort((a, b) => b.at - a.at || a.id.localeCompare(b.id));
}

async function comparePageOf(ctx: ViewContext, url: URL): Promise<string> {
  const choice = parseCompareChoice(url.searchParams);
  const runs = await runChoices(ctx);
  // Offered first: the newest run against the one before it on the same benchmark.
  const newest = runs[0]?.id ?? "";
  const before = runs.find((r) => r.id !== newest && r.label === runs[0].label) ?? runs[1];
  const run = choice.run || newest;
  const models = run === ""
    ? []
    : [...new Set((await ctx.data.manifest(run)).experiment.models.map((m) => m.model_id))];
  return comparePage(runs, models, choice, { a: before?.id ?? "", b: newest, run });
}

const ROUTES: Array<[RegExp, Handler]> = [
  [/^\/$/, () => Promise.resolve(runsPage())],
  [
    /^\/runs\/([^/]+)$/,
    async (ctx, m, url) =>
      runPage(await ctx.data.manifest(m[1]), parseItemFilters(url.searchParams)),
  ],
  [/^\/compare$/, (ctx, _, url) => comparePageOf(ctx, url)],
  [/^\/sql$/, (_, __, url) => Promise.resolve(sqlPage(url.searchParams.get("q") ?? ""))],
  [/^\/assets\/view\.css$/, () => asset(VIEW_CSS, "text/css; charset=utf-8")],
  [/^\/assets\/view\.js$/, () => asset(VIEW_JS, "text/javascript; charset=utf-8")],
  [/^\/api\/events$/, (ctx) => Promise.resolve(ctx.hub.connect())],
  [/^\/api\/runs$/, async (ctx) => runsTableHtml(await readRunRows(ctx.data))],
  [/^\/api\/runs\/([^/]+)\/head$/, (ctx, m) => runHead(ctx, m[1])],
  [/^\/api\/runs\/([^/]+)\/overview$/, (ctx, m) =>
    slowJob(ctx, `overview:${m[1]}`, async () => ({
      kind: "overview",
      manifest: await ctx.data.manifest(m[1]),
    }))],
  [/^\/api\/runs\/([^/]+)\/items$/, (ctx, m, url) =>
    ctx.data.session(async (a) =>
      itemsPageHtml(
        await readItemsPage(await ctx.data.scope(m[1], a), parseItemFilters(url.searchParams)),
      )
    )],
  [
    /^\/api\/runs\/([^/]+)\/candidates\/([^/]+)$/,
    (ctx, m) =>
      ctx.data.session(async (a) =>
        timelineHtml(await readTimeline(await ctx.data.scope(m[1], a), m[2]))
      ),
  ],
  [/^\/api\/compare$/, (ctx, _, url) => compareFragment(ctx, url)],
  [
    /^\/api\/sql$/,
    (ctx, _, url) => ctx.data.session((a) => sqlResultHtml(a, url.searchParams.get("q") ?? "")),
  ],
  [
    /^\/api\/sql\.(csv|parquet)$/,
    (ctx, m, url) =>
      ctx.data.session((a) =>
        sqlDownload(a, url.searchParams.get("q") ?? "", m[1] as "csv" | "parquet")
      ),
  ],
];

/** HTTP status of an error, by its code. */
export function statusOf(error: unknown): number {
  if (!isThemisError(error)) return 500;
  if (error.code === "RUN_NOT_FOUND") return 404;
  if (error.code.startsWith("SQL_") || error.code === "QUERY_INVALID") return 400;
  if (error.code === "STORE_LOCKED" || error.code === "CANCELLED") return 503;
  return 500;
}

function errorHtml(error: unknown): string {
  return isThemisError(error)
    ? `<div class="error"><b>${escapeHtml(error.code)}</b> ${escapeHtml(error.message)}</div>`
    : `<div class="error"><b>internal error</b> ${
      escapeHtml((error as Error)?.message ?? String(error))
    } (the view's terminal has the details)</div>`;
}

const html = (body: string, status = 200) =>
  new Response(body, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });

/**
 * Answer one request (access already checked): the matching endpoint's page, fragment or
 * stream; errors as an error fragment (or page) with a status that says what kind.
 */
export async function route(
  ctx: ViewContext,
  request: Request,
  url: URL,
  onError: (error: unknown) => void,
): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("The view only reads: use GET\n", {
      status: 405,
      headers: { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" },
    });
  }
  const found = ROUTES.map(([pattern, handler]) => [url.pathname.match(pattern), handler] as const)
    .find(([match]) => match !== null);
  if (found === undefined) return html(errorHtml(new ThemisError("USAGE", "No such page")), 404);
  const [match, handler] = found;
  try {
    const answer = await handler(ctx, match!, url);
    return typeof answer === "string" ? html(answer) : answer;
  } catch (error) {
    if (statusOf(error) === 500) onError(error);
    const body = errorHtml(error);
    return html(
      url.pathname.startsWith("/api/")
        ? body
        : pageHtml({ page: "runs", title: "Error", body: `<main>${body}</main>` }),
      statusOf(error),
    );
  }
}
