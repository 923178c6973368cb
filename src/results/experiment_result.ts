import type { Analytics } from "../analytics/analytics.ts";
import type { Row } from "../analytics/duckdb.ts";
import type { RunManifest } from "../plan/manifest.ts";
import { groupExpressions, perTrialSql } from "./aggregate_sql.ts";

/** Where a result reads its numbers: the store's analytics, refreshed on demand. */
export interface ResultSource {
  analytics(): Promise<Analytics>;
}

/** What one execution did (absent when the result was loaded rather than run). */
export interface ExecutionSummary {
  generated: number;
  generationFailed: number;
  retries: number;
  parsed: number;
  parseInvalid: number;
  parseFailed: number;
  scored: number;
  scoreFailed: number;
  reused: number;
  skipped: number;
  missingGeneration: number;
  candidates: number;
  cost: number;
  stopped: "max_cost" | "cancelled" | "circuit_open" | null;
}

/** Options of `aggregate()`. */
export interface AggregateOptions {
  /** Keys: model, slice, prompt_variant, item, params, metric, or a slice dimension. */
  groupBy?: string[];
  /** Only this score (`"acc"`) or metric (`"acc.exact_match"` or `"exact_match"`). */
  metric?: string;
}

/** One group of `aggregate()`: its keys, the score and metric, mean and trial count. */
export type AggregateRow = Row & { score: string; metric: string; mean: number; count: number };

/**
 * The result of a run of an experiment: a view over the store for the run's plan.
 *
 * @example
 * ```ts
 * // const result = await orchestrator.run(spec);
 * // const rows = await result.aggregate({ groupBy: ["model", "slice"] });
 * ```
 */
export class ExperimentResult {
  readonly runId: string;
  readonly manifest: RunManifest;
  readonly summary?: ExecutionSummary;
  readonly #source: ResultSource;

  constructor(manifest: RunManifest, source: ResultSource, summary?: ExecutionSummary) {
    this.runId = manifest.run_id;
    this.manifest = manifest;
    this.summary = summary;
    this.#source = source;
  }

  /** Dimension keys of the run's slices (valid `groupBy` keys). */
  dimensionKeys(): string[] {
    const keys = new Set<string>();
    for (const task of this.manifest.experiment.tasks) {
      for (const key of Object.keys(task.dimensions)) keys.add(key);
    }
    return [...keys].sort();
  }

  /**
   * Mean and count of every score's metrics, per group. Each trial's samples are reduced first
   * (the score's `reduction`), then trials are averaged; `count` is the number of trials.
   */
  async aggregate(options: AggregateOptions = {}): Promise<AggregateRow[]> {
    const groupBy = options.groupBy ?? ["model", "slice", "prompt_variant", "metric"];
    const groups = groupExpressions(groupBy, this.dimensionKeys());
    const select = groups.map((g) => `${g.sql} as "${g.key}"`);
    const analytics = await this.#source.analytics();
    const filter = options.metric
      ? `where pt.score_name = $metric or pt.metric = $metric or ` +
        `pt.score_name || '.' || pt.metric = $metric`
      : "";
    const sql = `with ${perTrialSql(this.manifest.scores)}
      select ${[...select, "pt.score_name as score", "pt.metric as metric"].join(", ")},
        avg(pt.value) as mean, count(pt.value)::integer as count
      from per_trial pt join planned p on p.trial = pt.trial
      ${filter}
      group by all order by all`;
    const params: Record<string, string> = { run: this.runId };
    if (options.metric) params.metric = options.metric;
    return (await analytics.all(sql, params)) as AggregateRow[];
  }
}

/** The result of a run of a benchmark: an experiment result that knows its slices and variants. */
export class BenchmarkResult extends ExperimentResult {
  readonly benchmarkId: string;
  readonly sliceIds: string[];
  readonly promptVariantIds: string[];

  constructor(manifest: RunManifest, source: ResultSource, summary?: ExecutionSummary) {
    super(manifest, source, summary);
    this.benchmarkId = manifest.experiment.benchmark_id ?? manifest.experiment.experiment_id;
    this.sliceIds = manifest.experiment.tasks.map((t) => t.task_id);
    const variants = new Set<string>();
    for (const task of manifest.experiment.tasks) for (const p of task.prompts) variants.add(p.id);
    this.promptVariantIds = [...variants];
  }
}
