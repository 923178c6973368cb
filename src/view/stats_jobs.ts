/**
 * The view's slow work, as HTML: a run's overview (the report's sections) and comparisons.
 * Bootstrap intervals over a million trials take minutes of CPU, so these run in a worker
 * (stats_worker.ts) while the server keeps answering.
 */
import type { Analytics } from "../analytics/analytics.ts";
import type { RunManifest } from "../plan/manifest.ts";
import { compareConditions } from "../results/compare_conditions.ts";
import { compareRunScopes } from "../results/compare_runs.ts";
import { buildReportData } from "../results/report/report_data.ts";
import { reportSections } from "../results/report/render_html.ts";
import type { ResultScope } from "../results/_scope.ts";
import { comparisonHtml, MAX_FLIPS, modelFlips } from "./compare_html.ts";

/** One piece of slow work. */
export type StatsJob =
  | { kind: "overview"; manifest: RunManifest }
  | { kind: "compareRuns"; baseline: RunManifest; treatment: RunManifest; metric?: string }
  | { kind: "compareModels"; manifest: RunManifest; a: string; b: string; metric?: string };

type Queries = Pick<Analytics, "all" | "root">;

const scopeOf = (manifest: RunManifest, analytics: Queries): ResultScope => ({
  runId: manifest.run_id,
  manifest,
  analytics,
});

async function compareRuns(job: StatsJob & { kind: "compareRuns" }, analytics: Queries) {
  const c = await compareRunScopes(
    scopeOf(job.baseline, analytics),
    scopeOf(job.treatment, analytics),
    { metric: job.metric },
  );
  return comparisonHtml({
    baseline: `run ${c.baseline}`,
    treatment: `run ${c.treatment}`,
    groupKeys: ["model", "slice"],
    // The forest plot labels each row by its treatment: here, the model of the row.
    rows: c.rows.map((r) => ({ ...r, baseline: c.baseline, treatment: String(r.model) })),
    flips: { shown: c.flips.slice(0, MAX_FLIPS), total: c.flips.length },
  });
}

async function compareModels(job: StatsJob & { kind: "compareModels" }, analytics: Queries) {
  const scope = scopeOf(job.manifest, analytics);
  const rows = await compareConditions(scope, {
    baseline: job.a,
    treatment: job.b,
    metric: job.metric,
    groupBy: ["slice"],
  });
  return comparisonHtml({
    baseline: job.a,
    treatment: job.b,
    groupKeys: ["slice"],
    rows,
    flips: await modelFlips(analytics, job.manifest, job),
  });
}

/**
 * Do one job and render it.
 */
export async function runStatsJob(job: StatsJob, analytics: Queries): Promise<string> {
  if (job.kind === "overview") {
    const scope = scopeOf(job.manifest, analytics);
    return reportSections(await buildReportData(scope, { maxItems: 0 }));
  }
  if (job.kind === "compareRuns") return await compareRuns(job, analytics);
  return await compareModels(job, analytics);
}
