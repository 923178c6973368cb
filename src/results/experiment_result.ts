import type { Analytics } from "../analytics/analytics.ts";
import { ThemisError } from "../core/errors.ts";
import type { RunManifest } from "../plan/manifest.ts";
import { type AggregateOptions, aggregateResult, type AggregateRow } from "./aggregate.ts";
import { validGroupKeys } from "./aggregate_sql.ts";
import { dimensionKeys, type OverlayView, type ResultScope } from "./_scope.ts";
import { type CandidateTimeline, readTimeline } from "./candidate_timeline.ts";
import {
  compareConditions,
  type ConditionRow,
  type PairedCompareOptions,
} from "./compare_conditions.ts";
import { compareRunScopes, type CompareRunsOptions, type RunComparison } from "./compare_runs.ts";
import { detectFromRun, type DetectOptions, type DetectRow } from "./detect_effect.ts";
import { type ExportJsonOptions, exportResult, type ResultExport } from "./export_result.ts";
import {
  type FailureOptions,
  type FailureRecord,
  type InvalidExtraction,
  iterFailureRecords,
  iterInvalidExtractionRecords,
} from "./failures.ts";
import { type LeaderboardOptions, type LeaderboardRow, leaderboardRows } from "./leaderboard.ts";
import { type PersistedArtifacts, persistResult } from "./persist_artifacts.ts";
import { renderReport, type ReportOptions } from "./report/render_report.ts";
import {
  getTrialRecord,
  iterTrialRecords,
  type IterTrialsOptions,
  type TrialRecord,
} from "./trial_records.ts";
import { iterTrialSummaries, type TrialSummary } from "./trial_summaries.ts";

export type { AggregateOptions, AggregateRow } from "./aggregate.ts";

/** Where a result reads its numbers: the store's analytics, refreshed on demand. */
export interface ResultSource {
  analytics(): Promise<Analytics>;
}

/** What one execution did (absent when the result was loaded rather than run). */
export interface ExecutionSummary {
  /** Generations made. */
  generated: number;
  /** Generations that failed. */
  generationFailed: number;
  /** Attempts retried. */
  retries: number;
  /** Parses that found an answer. */
  parsed: number;
  /** Parses that found none. */
  parseInvalid: number;
  /** Parses that failed (an extractor threw). */
  parseFailed: number;
  /** Scores computed. */
  scored: number;
  /** Scores that failed (a metric threw). */
  scoreFailed: number;
  /** Scores recorded invalid because their parse found no answer. */
  scoreNoAnswer: number;
  /** Scores whose judge gave no verdict on its scale (unparseable or out of scale). */
  scoreInvalid: number;
  /** Work items found done in the store and not redone. */
  reused: number;
  /** Work items not run because what they need failed. */
  skipped: number;
  /** Parses or scores left undone because their generation is missing. */
  missingGeneration: number;
  /** Candidates in the plan. */
  candidates: number;
  /** Cost of the generations made, from the project's prices. */
  cost: number;
  /** Endpoints whose circuit opened (their work stays pending). */
  circuitsOpened?: number;
  /** Why the execution stopped early, or null when it ran to the end. */
  stopped: "max_cost" | "cancelled" | "circuit_open" | null;
}

function resolveOverlay<T extends { hash: string; name: string }>(
  wanted: string,
  options: T[],
  what: "parse" | "score",
): T {
  const unique = [...new Map(options.map((o) => [o.hash, o])).values()];
  const exact = unique.filter((o) => o.hash === wanted);
  const matches = exact.length
    ? exact
    : unique.filter((o) => (wanted.length >= 6 && o.hash.startsWith(wanted)) || o.name === wanted);
  if (matches.length === 1) return matches[0];
  const list = unique.map((o) => `${o.name} (${o.hash})`).join(", ") || "none";
  throw new ThemisError(
    "QUERY_INVALID",
    `${matches.length ? "Several" : "No"} ${what}s of this run match "${wanted}": give a ${what} ` +
      `hash. The run's ${what}s: ${list}`,
    { valid: unique.map((o) => o.hash) },
  );
}

/**
 * The result of a run of an experiment: a view over the store for the run's plan. Numbers
 * come from the store's projections, so a result loaded later (`openResult`) says the same.
 *
 * @example Aggregate, leaderboard, trials, a timeline, what failed, a report
 * ```ts
 * import assert from "node:assert/strict";
 * import { Orchestrator } from "../orchestrator/orchestrator.ts";
 *
 * const root = await Deno.makeTempDir();
 * const orchestrator = Orchestrator.fromProjectSpec({
 *   project_name: "demo",
 *   storage: { root },
 *   executor: { kind: "inline" },
 * });
 * try {
 *   const result = await orchestrator.run({
 *     benchmark_id: "arith",
 *     models: [{
 *       model_id: "solver",
 *       provider: "mock",
 *       extras: { answers: { q1: "It is 4", q2: "I do not know" } },
 *     }],
 *     prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.q}?" }] }],
 *     slices: [{
 *       slice_id: "sums",
 *       dataset: {
 *         kind: "inline",
 *         items: [{ id: "q1", q: "2 + 2", answer: 4 }, { id: "q2", q: "3 + 3", answer: 6 }],
 *       },
 *       parses: [{ name: "num", extractors: [{ id: "first_number" }] }],
 *       scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
 *     }],
 *   }, { progress: { renderer: "none" } });
 *
 *   // q2's answer has no number: invalid, scored 0 (on_invalid = "zero"), and counted.
 *   const [row] = await result.aggregate({ groupBy: ["model"] });
 *   assert.deepEqual([row.mean, row.n_trials, row.n_scored, row.n_invalid], [0.5, 2, 1, 1]);
 *   const [top] = await result.leaderboard();
 *   assert.equal(top.model, "solver");
 *
 *   const trials = [];
 *   for await (const trial of result.iterTrials()) trials.push(trial);
 *   assert.deepEqual(trials.map((t) => t.itemId).sort(), ["q1", "q2"]);
 *   const q1 = trials.find((t) => t.itemId === "q1")!;
 *   assert.equal((await result.getTrial(q1.trial))?.candidates[0].text, "It is 4");
 *
 *   const timeline = await result.viewTimeline(q1.candidates[0].cand);
 *   assert.ok(timeline.events.some((e) => e.type === "generation.completed"));
 *   const invalid = [];
 *   for await (const x of result.iterInvalidExtractions()) invalid.push(x.itemId);
 *   assert.deepEqual(invalid, ["q2"]);
 *
 *   assert.match(await result.report({ format: "md" }), /solver/);
 *   assert.equal((await result.exportJson({ trials: "none" })).format, "themis.result");
 * } finally {
 *   orchestrator.store.close();
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 */
export class ExperimentResult {
  /** The run. */
  readonly runId: string;
  /** Its plan. */
  readonly manifest: RunManifest;
  /** What the execution that returned this result did (absent when loaded later). */
  readonly summary?: ExecutionSummary;
  readonly #source: ResultSource;
  #view?: OverlayView;

  /**
   * Results come from the {@linkcode Orchestrator}'s methods, not from this constructor.
   *
   * @internal
   */
  constructor(manifest: RunManifest, source: ResultSource, summary?: ExecutionSummary) {
    this.runId = manifest.run_id;
    this.manifest = manifest;
    this.summary = summary;
    this.#source = source;
  }

  /** The overlay this result is a view of (`forTransform`/`forEvaluation`), if any. */
  get view(): OverlayView | undefined {
    return this.#view;
  }

  async #scope(): Promise<ResultScope> {
    const analytics = await this.#source.analytics();
    return { runId: this.runId, manifest: this.manifest, analytics, view: this.#view };
  }

  #withView(view: OverlayView): this {
    const Result = this.constructor as new (
      manifest: RunManifest,
      source: ResultSource,
      summary?: ExecutionSummary,
    ) => this;
    const copy = new Result(this.manifest, this.#source, this.summary);
    copy.#view = view;
    return copy;
  }

  /** Dimension keys of the run's slices (valid `groupBy` keys). */
  dimensionKeys(): string[] {
    return dimensionKeys(this.manifest);
  }

  /** Every valid `groupBy` key of this run. */
  groupKeys(): string[] {
    return validGroupKeys(this.dimensionKeys());
  }

  /**
   * Mean, standard error, confidence interval and counts of every score's metrics, per group.
   * Each trial's samples are reduced first (the score's `reduction`, invalid answers and
   * failed generations counted by the score's policies), then trials are summarized; `count`
   * is the number of values in the mean, `n_trials` every trial of the group, `n_scored`,
   * `n_invalid` and `n_failed` the trials by outcome.
   */
  async aggregate(options: AggregateOptions = {}): Promise<AggregateRow[]> {
    return aggregateResult(await this.#scope(), options);
  }

  /**
   * Models (or `by` values) ranked on one score, with intervals inside the metric's range and
   * n_trials / n_scored / n_invalid / n_failed.
   */
  async leaderboard(options: LeaderboardOptions = {}): Promise<LeaderboardRow[]> {
    return leaderboardRows(await this.#scope(), options);
  }

  /**
   * Compare two conditions of this run item by item (`baseline: "model-a"`, or
   * `{ prompt_variant: "plain" }`), per group, with corrected p-values.
   */
  async pairedCompare(options: PairedCompareOptions): Promise<ConditionRow[]> {
    return compareConditions(await this.#scope(), options);
  }

  /** Compare another run (the treatment) with this one (the baseline), trial by trial. */
  async compareWith(
    treatment: ExperimentResult,
    options: CompareRunsOptions = {},
  ): Promise<RunComparison> {
    return compareRunScopes(await this.#scope(), await treatment.#scope(), options);
  }

  /**
   * How many items (pairs) a comparison like this run's needs to detect `delta` with 80%
   * power (`power`, `alpha` to change): per model against the first (or prompt variant), from
   * the observed standard errors, cluster-robust ones included.
   */
  async itemsToDetect(options: DetectOptions & { metric?: string }): Promise<DetectRow[]> {
    return detectFromRun(await this.#scope(), options);
  }

  /** Every trial of the run with its candidates, outputs, parses and scores, in id order. */
  async *iterTrials(options: IterTrialsOptions = {}): AsyncGenerator<TrialRecord> {
    yield* iterTrialRecords(await this.#scope(), options);
  }

  /** One trial by id (or unique prefix); undefined when the run has no such trial. */
  async getTrial(trialId: string): Promise<TrialRecord | undefined> {
    return getTrialRecord(await this.#scope(), trialId);
  }

  /** Every trial as one light row: identity, status and its value of every metric. */
  async *iterTrialSummaries(options: IterTrialsOptions = {}): AsyncGenerator<TrialSummary> {
    yield* iterTrialSummaries(await this.#scope(), options);
  }

  /**
   * This result seen through one parse (hash, unique prefix, or name): trials carry only
   * that parse and the scores reading it; aggregates and failures are restricted likewise.
   */
  forTransform(parseHash: string): this {
    const parse = resolveOverlay(parseHash, this.manifest.parses, "parse");
    return this.#withView({
      kind: "transform",
      overlay: `tf:${parse.hash}`,
      hash: parse.hash,
      name: parse.name,
    });
  }

  /** This result seen through one score (hash, unique prefix, or name). */
  forEvaluation(scoreHash: string): this {
    const score = resolveOverlay(scoreHash, this.manifest.scores, "score");
    return this.#withView({
      kind: "evaluation",
      overlay: `ev:${score.hash}`,
      hash: score.hash,
      name: score.name,
    });
  }

  /** Work items still failed (with their last error), or every failure with `includeResolved`. */
  async *iterFailures(options: FailureOptions = {}): AsyncGenerator<FailureRecord> {
    yield* iterFailureRecords(await this.#scope(), options);
  }

  /** Parses that found no answer, with the output and what each extractor said. */
  async *iterInvalidExtractions(): AsyncGenerator<InvalidExtraction> {
    yield* iterInvalidExtractionRecords(await this.#scope());
  }

  /**
   * One candidate's timeline: lineage, prompt, output, parses, scores, judge calls, errors and
   * every event that mentions it. Unknown ids are a `QUERY_INVALID` error.
   */
  async viewTimeline(candidateId: string): Promise<CandidateTimeline> {
    return readTimeline(await this.#scope(), candidateId);
  }

  /** The result as one JSON value (plan, summary, aggregate, leaderboard, failures, trials). */
  async exportJson(options: ExportJsonOptions = {}): Promise<ResultExport> {
    return exportResult(await this.#scope(), { ...options, summary: this.summary });
  }

  /**
   * Write the result's artifacts to `dir`: result.json, aggregate.csv, leaderboard.csv,
   * trials.jsonl, failures.jsonl, report.md and a self-contained report.html.
   */
  async persistArtifacts(dir: string): Promise<PersistedArtifacts> {
    return persistResult(await this.#scope(), dir, { summary: this.summary });
  }

  /** The report as Markdown, CSV, JSON, LaTeX or a self-contained offline HTML page. */
  async report(options: ReportOptions = {}): Promise<string> {
    return renderReport(await this.#scope(), options);
  }
}

/** The result of a run of a benchmark: an experiment result that knows its slices and variants. */
export class BenchmarkResult extends ExperimentResult {
  /** The benchmark's id. */
  readonly benchmarkId: string;
  /** Its slices, in spec order (with `slice_by` slices expanded). */
  readonly sliceIds: string[];
  /** Its prompt variants. */
  readonly promptVariantIds: string[];

  /**
   * Results come from the {@linkcode Orchestrator}'s methods, not from this constructor.
   *
   * @internal
   */
  constructor(manifest: RunManifest, source: ResultSource, summary?: ExecutionSummary) {
    super(manifest, source, summary);
    this.benchmarkId = manifest.experiment.benchmark_id ?? manifest.experiment.experiment_id;
    this.sliceIds = manifest.experiment.tasks.map((t) => t.task_id);
    const variants = new Set<string>();
    for (const task of manifest.experiment.tasks) for (const p of task.prompts) variants.add(p.id);
    this.promptVariantIds = [...variants];
  }
}
