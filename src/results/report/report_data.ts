/** Everything a report shows, gathered once and rendered by each format. */
import { aggregateResult, type AggregateRow } from "../aggregate.ts";
import type { ResultScope } from "../_scope.ts";
import { compareConditions, type ConditionRow } from "../compare_conditions.ts";
import { type LeaderboardRow, leaderboardRows, primaryMetric } from "../leaderboard.ts";
import type { Correction } from "../paired_groups.ts";
import { benjaminiHochberg, holm, type IntervalMethod } from "../stats/mod.ts";
import type { SamplePolicyOptions } from "../trial_values.ts";
import { readReportItems, type ReportItems } from "./report_items.ts";

/** Options of a report. */
export interface ReportDataOptions extends SamplePolicyOptions {
  /** Interval of the means (default: each score's `ci`, else Wilson for 0/1 metrics, else t). */
  ci?: IntervalMethod;
  /** The score or metric the leaderboard, heatmap and deltas show (default: the first). */
  metric?: string;
  /** The model the others are compared with (default: the spec's first model). */
  baseline?: string;
  /** Correction of the paired p-values across all comparisons (default `holm`). */
  correction?: Correction;
  /** Rows of the per-item table (default 500; 0 leaves it out). */
  maxItems?: number;
  /** Bootstrap seed (default: the project's `global_seed`). */
  seed?: number;
  /** Include every candidate's timeline (the HTML report opens them). */
  timelines?: boolean;
}

/** The run a report is about. */
export interface ReportRun {
  id: string;
  kind: string;
  benchmark: string;
  project: string;
  status: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  view: string | null;
  counts: Record<string, number>;
}

/** A slice × model grid of means. */
export interface Heatmap {
  slices: string[];
  models: string[];
  /** cells[slice][model]: mean, or null without values. */
  cells: Array<Array<number | null>>;
  counts: number[][];
}

/** Failures by stage and code, and per model. */
export interface FailureSummary {
  byCode: Array<{ stage: string; code: string; count: number }>;
  byModel: Array<Record<string, unknown>>;
}

/** One row of extraction rates: per model and parse. */
export interface ExtractionRate {
  model: string;
  parse: string;
  total: number;
  invalid: number;
  failed: number;
  rate: number | null;
}

/** Everything a report renders. */
export interface ReportData {
  run: ReportRun;
  metric: string | null;
  leaderboard: LeaderboardRow[];
  aggregate: AggregateRow[];
  heatmap: Heatmap | null;
  paired: { factor: string; baseline: string; rows: ConditionRow[] } | null;
  failures: FailureSummary;
  extraction: ExtractionRate[];
  items: ReportItems;
}

async function readRun(scope: ResultScope): Promise<ReportRun> {
  const [row] = await scope.analytics.all(`select * from runs where run = $run`, {
    run: scope.runId,
  });
  const m = scope.manifest;
  return {
    id: scope.runId,
    kind: m.source.kind,
    benchmark: m.experiment.benchmark_id ?? m.experiment.experiment_id,
    project: m.project.project_name,
    status: (row?.status ?? null) as string | null,
    startedAt: (row?.started_at ?? null) as string | null,
    finishedAt: (row?.finished_at ?? null) as string | null,
    view: scope.view ? `${scope.view.kind} ${scope.view.name} (${scope.view.hash})` : null,
    counts: { ...m.counts },
  };
}

function heatmapOf(rows: AggregateRow[]): Heatmap | null {
  if (rows.length === 0) return null;
  const slices = [...new Set(rows.map((r) => String(r.slice)))].sort();
  const models = [...new Set(rows.map((r) => String(r.model)))].sort();
  const cells = slices.map(() => models.map((): number | null => null));
  const counts = slices.map(() => models.map(() => 0));
  for (const r of rows) {
    const i = slices.indexOf(String(r.slice));
    const j = models.indexOf(String(r.model));
    cells[i][j] = r.mean;
    counts[i][j] = r.count;
  }
  return { slices, models, cells, counts };
}

async function pairedOf(
  scope: ResultScope,
  metric: string,
  options: ReportDataOptions,
): Promise<ReportData["paired"]> {
  const models = [...new Set(scope.manifest.experiment.models.map((m) => m.model_id))];
  const variants = [
    ...new Set(scope.manifest.experiment.tasks.flatMap((t) => t.prompts.map((p) => p.id))),
  ];
  const factor = models.length > 1 ? "model" : variants.length > 1 ? "prompt_variant" : null;
  if (factor === null) return null;
  const levels = factor === "model" ? models : variants;
  const baseline = options.baseline ?? levels[0];
  const rows: ConditionRow[] = [];
  for (const level of levels.filter((l) => l !== baseline)) {
    rows.push(
      ...await compareConditions(scope, {
        baseline: { [factor]: baseline },
        treatment: { [factor]: level },
        metric,
        groupBy: ["slice"],
        correction: "none",
        seed: options.seed,
        onInvalid: options.onInvalid,
        countFailed: options.countFailed,
      }),
    );
  }
  const tested = rows.filter((r) => r.p_value !== null);
  const p = tested.map((r) => r.p_value as number);
  const correction = options.correction ?? "holm";
  const adjusted = correction === "holm" ? holm(p) : correction === "bh" ? benjaminiHochberg(p) : p;
  tested.forEach((r, i) => (r.p_adjusted = adjusted[i]));
  return { factor, baseline, rows };
}

async function failuresOf(scope: ResultScope): Promise<FailureSummary> {
  const params = { run: scope.runId };
  const byCode = await scope.analytics.all(
    `select w.stage, coalesce(f.code, 'unknown') as code, count(*)::integer as count
     from work_items w left join (select * from failures where type <> 'attempt.retried'
       qualify row_number() over (partition by cand, overlay order by ts desc, seq desc) = 1) f
       on f.cand = w.cand and f.overlay = w.overlay
     where w.run = $run and w.status = 'failed' group by all order by count desc, 1, 2`,
    params,
  );
  const byModel = await scope.analytics.all(
    `select model_id as model, count(*)::integer as work_items,
       (count(*) filter (where status = 'failed'))::integer as failed,
       (count(*) filter (where stage = 'generation' and status = 'failed'))::integer
         as generation_failed,
       (count(*) filter (where stage = 'parse' and status = 'invalid'))::integer as no_answer,
       (count(*) filter (where status = 'skipped'))::integer as skipped,
       (count(*) filter (where status = 'pending'))::integer as pending
     from work_items where run = $run group by all order by 1`,
    params,
  );
  return {
    byCode: byCode as FailureSummary["byCode"],
    byModel,
  };
}

async function extractionOf(scope: ResultScope): Promise<ExtractionRate[]> {
  const rows = await scope.analytics.all(
    `select model_id as model, name as parse, count(*)::integer as total,
       (count(*) filter (where status = 'invalid'))::integer as invalid,
       (count(*) filter (where status = 'failed'))::integer as failed,
       (count(*) filter (where status = 'invalid'))::double /
         nullif(count(*) filter (where status in ('completed', 'invalid')), 0) as rate
     from work_items where run = $run and stage = 'parse' group by all order by 1, 2`,
    { run: scope.runId },
  );
  return rows as unknown as ExtractionRate[];
}

/**
 * Gather a report: the run, the leaderboard (bootstrap intervals), per model × slice means,
 * the paired deltas of every model against the baseline (per slice, corrected across all),
 * failures, extraction-failure rates and the per-item table.
 */
export async function buildReportData(
  scope: ResultScope,
  options: ReportDataOptions = {},
): Promise<ReportData> {
  const metric = options.metric ?? primaryMetric(scope) ?? null;
  const common = {
    seed: options.seed,
    ci: options.ci,
    onInvalid: options.onInvalid,
    countFailed: options.countFailed,
  };
  const byModelSlice = metric === null ? [] : await aggregateResult(scope, {
    ...common,
    groupBy: ["model", "slice"],
    metric,
  });
  return {
    run: await readRun(scope),
    metric,
    leaderboard: metric === null ? [] : await leaderboardRows(scope, { ...common, metric }),
    aggregate: await aggregateResult(scope, { ...common, groupBy: ["model", "slice", "metric"] }),
    heatmap: heatmapOf(
      byModelSlice.filter((r) =>
        r.score === byModelSlice[0].score && r.metric === byModelSlice[0].metric
      ),
    ),
    paired: metric === null ? null : await pairedOf(scope, metric, options),
    failures: await failuresOf(scope),
    extraction: await extractionOf(scope),
    items: await readReportItems(scope, {
      metric,
      limit: options.maxItems ?? 500,
      timelines: options.timelines ?? false,
    }),
  };
}
