import { isAbsolute, relative, resolve } from "node:path";
import { toFileUrl } from "./file_url.ts";
import { ThemisError } from "../core/errors.ts";
import type { RunManifest } from "../plan/manifest.ts";
import { checkPlugins, type Stage } from "../plan/check_plugins.ts";
import { manifestProject, planRun, type RunPlan, type SourceSpec } from "../plan/plan_run.ts";
import { type Shard, shardPlan, shardRunId } from "../plan/shard_plan.ts";
import { backendKind } from "./batch/batch_backend.ts";
import { workerPoolAdvice } from "./worker_pool_advice.ts";
import { createRegistry, type Registry } from "../plugins/registry.ts";
import { BenchmarkResult, ExperimentResult } from "../results/experiment_result.ts";
import { emptyCounts, type ExecutionCounts } from "../run/execute_plan.ts";
import { TelemetryBus } from "../run/telemetry.ts";
import { readRunProgress, type RunProgressSnapshot } from "./run_progress.ts";
import type { RunHandle } from "./run_handle.ts";
import { CacheFollower } from "./cache_follower.ts";
import { executeRun, runWarnings } from "./execute_run.ts";
import { compileBenchmark } from "../spec/compile_benchmark.ts";
import { loadProjectFile } from "../spec/load_spec.ts";
import type {
  BenchmarkSpec,
  BenchmarkSpecInput,
  ExperimentSpec,
  ExperimentSpecInput,
  ProjectSpec,
  ProjectSpecInput,
} from "../spec/schemas.ts";
import {
  specKind,
  validateBenchmark,
  validateExperiment,
  validateProject,
} from "../spec/validate_spec.ts";
import { Store } from "./store.ts";
import type { PlanSegmentWriter } from "../store/plan_segments.ts";
import { TOOL_VERSION } from "./version.ts";

/** A benchmark or an experiment, as objects (validated again on every call). */
export type SpecInput = BenchmarkSpecInput | ExperimentSpecInput | BenchmarkSpec | ExperimentSpec;

/** Options of the factories. */
export interface OrchestratorOptions {
  /** Plugins; a registry with the built-ins otherwise. */
  registry?: Registry;
  /** An already opened store, overriding the project's. */
  store?: Store;
  /** A store root overriding the project's `storage.root` (its other settings still apply). */
  storeRoot?: string;
  /** Folder relative paths of the project resolve from (fromProjectSpec; default: cwd). */
  baseDir?: string;
  /** A telemetry bus to subscribe to (trial, attempt, retry, error, metric events). */
  telemetry?: TelemetryBus;
  /** Samples of one trial generated at once (default: all of them); must be ≥ 1. */
  parallelCandidates?: number;
  /**
   * How the analytics cache follows a run: the least time between two refreshes (default
   * 5,000 ms), and a call as each refresh starts.
   *
   * @internal Tests shorten the time and watch the refreshes of a short run.
   */
  follower?: { minimumMs?: number; onRefresh?: () => void };
}

/** A progress report while a run executes. */
export interface ProgressOptions {
  /** How progress is printed to stderr: a bar, log lines, or nothing (default `none`). */
  renderer?: "bar" | "log" | "none";
  /** Called with every progress snapshot while the run executes. */
  onSnapshot?: (snapshot: RunProgressSnapshot) => void;
}

/** Options of every execution method. */
export interface ExecutionOptions {
  /** Never hashed or stored: secrets, environment, labels. */
  runtime?: Record<string, string>;
  /** Progress reporting while the run executes. */
  progress?: ProgressOptions;
  /** Aborting stops starting new work; what finished is recorded and the run is resumable. */
  signal?: AbortSignal;
  /** Folder that the spec's relative dataset paths resolve from (default: the project's). */
  specDir?: string;
  /**
   * Stop starting generations before the cost (from the project's price table) would pass
   * this budget; the run stays resumable.
   */
  maxCost?: number;
  /**
   * Run only shard `index` (0-based) of `count` of the plan, chosen by trial id, into the
   * shard's own run directory (docs/scale_out.md).
   */
  shard?: Shard;
}

/** Options of `plan()`. */
export interface PlanOptions extends ExecutionOptions {
  /** false: check and plan only, write nothing (`themis validate`). */
  persist?: boolean;
}

const CONSTRUCTION = Symbol("Orchestrator.construction");

/**
 * The one entry point for planning and running evaluation work (API.md). Built with
 * {@linkcode Orchestrator.fromProjectFile} or {@linkcode Orchestrator.fromProjectSpec}.
 *
 * @example Plan and estimate (no model call), run, and run again (nothing left to do)
 * ```ts
 * import assert from "node:assert/strict";
 * import { Orchestrator } from "./orchestrator.ts";
 *
 * const root = await Deno.makeTempDir();
 * const orchestrator = Orchestrator.fromProjectSpec({
 *   project_name: "demo",
 *   storage: { root },
 *   executor: { kind: "inline" },
 * });
 * const benchmark = {
 *   benchmark_id: "echo",
 *   models: [{ model_id: "parrot", provider: "mock", extras: { mode: "echo" } }],
 *   prompt_variants: [{ id: "p", messages: [{ role: "user" as const, content: "{item.q}" }] }],
 *   slices: [{
 *     slice_id: "s",
 *     dataset: { kind: "inline" as const, items: [{ id: "a", q: "7" }, { id: "b", q: "8" }] },
 *   }],
 *   num_samples: 2,
 * };
 * try {
 *   const manifest = await orchestrator.plan(benchmark);
 *   assert.deepEqual(manifest.counts, { trials: 2, candidates: 4, parses: 0, scores: 0 });
 *   const estimate = await orchestrator.estimate(benchmark);
 *   assert.equal(estimate.stages.generation.pending, 4);
 *
 *   const first = await orchestrator.run(benchmark, { progress: { renderer: "none" } });
 *   assert.equal(first.runId, manifest.run_id);
 *   assert.equal(first.summary?.generated, 4);
 *   const again = await orchestrator.run(benchmark, { progress: { renderer: "none" } });
 *   assert.equal(again.summary?.generated, 0);
 * } finally {
 *   orchestrator.store.close();
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 */
export class Orchestrator {
  /** The project settings, validated. */
  readonly project: ProjectSpec;
  /** The active store: run directories and the analytics database (SQL, low-level access). */
  readonly store: Store;
  /** The plugins runs use. */
  readonly registry: Registry;
  /** The folder the project's relative paths resolve from. */
  readonly baseDir: string;
  /** The telemetry bus runs announce trials, attempts, retries and errors on. */
  readonly telemetry: TelemetryBus;
  /** How the cache follows a run (the follower's defaults when empty). */
  readonly #follower: NonNullable<OrchestratorOptions["follower"]>;

  /**
   * Not part of the API: throws unless called by the factories; use
   * {@linkcode Orchestrator.fromProjectFile} or {@linkcode Orchestrator.fromProjectSpec}.
   *
   * @internal
   */
  constructor(
    token: symbol,
    project: ProjectSpec,
    baseDir: string,
    options: OrchestratorOptions,
  ) {
    if (token !== CONSTRUCTION) {
      throw new ThemisError(
        "USAGE",
        "Do not construct Orchestrator directly: use Orchestrator.fromProjectFile(path) or " +
          "Orchestrator.fromProjectSpec(spec)",
      );
    }
    if (
      options.parallelCandidates !== undefined &&
      !(Number.isInteger(options.parallelCandidates) && options.parallelCandidates >= 1)
    ) {
      throw new ThemisError(
        "USAGE",
        `parallelCandidates must be an integer ≥ 1 (got ${options.parallelCandidates})`,
      );
    }
    this.project = project;
    this.baseDir = baseDir;
    this.telemetry = options.telemetry ?? new TelemetryBus();
    const minimumMs = options.follower?.minimumMs;
    if (minimumMs !== undefined && !(Number.isFinite(minimumMs) && minimumMs >= 0)) {
      throw new ThemisError(
        "USAGE",
        `follower.minimumMs must be a number of milliseconds ≥ 0 (got ${minimumMs})`,
      );
    }
    this.#follower = options.follower ?? {};
    this.registry = options.registry ?? createRegistry();
    const root = options.storeRoot ?? resolve(baseDir, project.storage.root);
    this.store = options.store ?? Store.open(root, {
      segmentBytes: Math.round(project.storage.segment_mb * (1 << 20)),
      analytics: {
        memoryLimit: project.analytics.memory_limit,
        threads: project.analytics.threads,
        tempDirectory: project.analytics.temp_directory &&
          resolve(baseDir, project.analytics.temp_directory),
      },
    });
  }

  /** From a project file (`.toml` or `.json`); its folder anchors the store root. */
  static async fromProjectFile(
    path: string,
    options: OrchestratorOptions = {},
  ): Promise<Orchestrator> {
    const loaded = await loadProjectFile(path);
    return new Orchestrator(CONSTRUCTION, loaded.spec, loaded.baseDir, options);
  }

  /** From a project object; relative paths resolve from `options.baseDir` or the cwd. */
  static fromProjectSpec(
    project: ProjectSpecInput | ProjectSpec,
    options: OrchestratorOptions = {},
  ): Orchestrator {
    const spec = validateProject(project);
    return new Orchestrator(CONSTRUCTION, spec, resolve(options.baseDir ?? "."), options);
  }

  /**
   * Plan, then generation → parses → scores for all pending work, reusing the store; a
   * benchmark gives a `BenchmarkResult`.
   */
  run(
    spec: BenchmarkSpecInput | BenchmarkSpec,
    options?: ExecutionOptions,
  ): Promise<BenchmarkResult>;
  /** Plan, then generation → parses → scores for all pending work, reusing the store. */
  run(spec: SpecInput, options?: ExecutionOptions): Promise<ExperimentResult>;
  run(spec: SpecInput, options: ExecutionOptions = {}): Promise<ExperimentResult> {
    return this.#execute(spec, ["generation", "parse", "score"], options);
  }

  /** `run` for a benchmark. */
  runBenchmark(
    benchmark: BenchmarkSpecInput | BenchmarkSpec,
    options: ExecutionOptions = {},
  ): Promise<BenchmarkResult> {
    if (specKind(benchmark) !== "benchmark") {
      throw new ThemisError("USAGE", "runBenchmark() takes a benchmark (with benchmark_id)");
    }
    return this.#execute(benchmark, ["generation", "parse", "score"], options) as Promise<
      BenchmarkResult
    >;
  }

  /** The generation stage only. */
  generate(spec: SpecInput, options: ExecutionOptions = {}): Promise<ExperimentResult> {
    return this.#execute(spec, ["generation"], options);
  }

  /** Parses over existing generations. */
  transform(spec: SpecInput, options: ExecutionOptions = {}): Promise<ExperimentResult> {
    return this.#execute(spec, ["parse"], options);
  }

  /** The parses scores need, then scores, over existing generations. */
  evaluate(spec: SpecInput, options: ExecutionOptions = {}): Promise<ExperimentResult> {
    return this.#execute(spec, ["parse", "score"], options);
  }

  /** Plan without running: the manifest, persisted in its run directory (unless `persist: false`). */
  async plan(spec: SpecInput, options: PlanOptions = {}): Promise<RunManifest> {
    if (options.persist === false) {
      return (await this.#plan(spec, ["generation", "parse", "score"], options)).manifest;
    }
    return (await this.#planAndPersist(spec, ["generation", "parse", "score"], options)).manifest;
  }

  /**
   * Plan a spec and return the walkable plan (manifest, items, stages, lazily rendered
   * trials); the manifest is persisted unless `persist: false`. The building block of
   * estimates, diffs and bundles.
   *
   * @internal
   */
  planSpec(spec: SpecInput, options: PlanOptions = {}): Promise<RunPlan> {
    return options.persist === false
      ? this.#plan(spec, ["generation", "parse", "score"], options)
      : this.#planAndPersist(spec, ["generation", "parse", "score"], options);
  }

  /**
   * The result view of a planned run (a `BenchmarkResult` when it came from a benchmark).
   *
   * @internal
   */
  resultOf(manifest: RunManifest, summary?: ExecutionCounts): ExperimentResult {
    return manifest.experiment.benchmark_id !== undefined
      ? new BenchmarkResult(manifest, this.store, summary)
      : new ExperimentResult(manifest, this.store, summary);
  }

  /**
   * Plan, streaming the trial list into plan segments, and write them and the manifest unless
   * the run exists. With a shard, the whole run's plan is written too (status finds the shards
   * of a run through it) and the shard's plan is returned.
   */
  async #planAndPersist(
    spec: SpecInput,
    stages: Stage[],
    options: ExecutionOptions,
    expectedRunId?: string,
  ): Promise<RunPlan> {
    const full = await this.#withSpool(async (spool) => {
      const plan = await this.#plan(spec, stages, options, (line) => spool.push(line));
      if (options.shard === undefined) this.#expectRun(plan, expectedRunId);
      await this.#persist(plan, spool);
      return plan;
    });
    const shard = options.shard;
    if (shard === undefined) return full;
    return await this.#withSpool(async (spool) => {
      const payloads = this.project.storage.store_item_payloads;
      const part = shardPlan(full, shard, { sink: (line) => spool.push(line), payloads });
      this.#expectRun(part, expectedRunId);
      await this.#persist(part, spool);
      return part;
    });
  }

  async #withSpool<T>(body: (spool: PlanSegmentWriter) => Promise<T>): Promise<T> {
    const spool = this.store.runs.planWriter();
    try {
      return await body(spool);
    } finally {
      spool.abort();
      await Deno.remove(spool.dir, { recursive: true }).catch(() => {});
    }
  }

  /** Same run id, same plan: an existing manifest already says all of this. */
  async #persist(plan: RunPlan, spool: PlanSegmentWriter): Promise<void> {
    spool.close();
    if (!(await this.store.runs.hasRun(plan.manifest.run_id))) {
      await this.store.runs.writePlan(plan.manifest.run_id, plan.manifest, spool.dir);
    }
  }

  #expectRun(plan: RunPlan, expectedRunId: string | undefined): void {
    if (expectedRunId === undefined || plan.manifest.run_id === expectedRunId) return;
    throw new ThemisError(
      "RUN_CONFLICT",
      `Run ${expectedRunId} cannot be resumed: its spec now plans as run ` +
        `${plan.manifest.run_id} (a dataset or plugin changed since). Run the spec again ` +
        `with "themis run" instead.`,
      { runId: expectedRunId, now: plan.manifest.run_id },
    );
  }

  /**
   * Re-plan a run from the spec stored in its manifest and run what is missing or failed.
   * An unknown run, changed project settings, or a spec whose datasets changed since are
   * clear errors.
   */
  async resume(
    runId: string,
    options: ExecutionOptions = {},
  ): Promise<ExperimentResult | RunHandle> {
    const manifest = await this.store.runs.readManifest<RunManifest>(runId);
    const pinned = manifestProject(this.project);
    const changed = (Object.keys(pinned) as Array<keyof typeof pinned>).filter((key) =>
      key !== "project_name" && key !== "pricing" && manifest.project[key] !== pinned[key]
    );
    if (changed.length > 0) {
      throw new ThemisError(
        "RUN_CONFLICT",
        `Run ${runId} was planned with other project settings (${
          changed.map((k) => `${k}: ${manifest.project[k]} then, ${pinned[k]} now`).join("; ")
        }); resuming would mix results. Restore the settings, or start a new run with "themis run".`,
        { runId, changed },
      );
    }
    const own = (await this.store.runs.loadRunState(runId)).state.runs.get(runId);
    if (own?.batches && Object.keys(own.batches).length > 0) {
      const lifecycle = await import("./batch/batch_lifecycle.ts");
      return await lifecycle.resumeBatches(this, manifest, options);
    }
    // A shard of this run (`resume <run> --shard i/N`), or this run itself (a shard's own).
    const asked = options.shard && !manifest.shard ? options.shard : undefined;
    const finished = asked ? undefined : await this.#finishedResult(manifest);
    if (finished) return finished;
    const base = manifest.source.base_dir;
    const specDir = isAbsolute(base) ? base : resolve(this.store.root, base);
    const shard = asked ??
      (manifest.shard && { index: manifest.shard.index, count: manifest.shard.count });
    const result = await this.#execute(
      manifest.source.spec,
      ["generation", "parse", "score"],
      { ...options, specDir, shard },
      asked ? shardRunId(runId, asked) : runId,
    );
    const warnings = runWarnings(result.summary);
    return warnings.length > 0 ? await this.#handle(result.manifest, result, warnings) : result;
  }

  /**
   * The result of a run its checkpoint says is complete, while no segment of the store changed
   * since: a resume with nothing to do answers without planning again.
   */
  async #finishedResult(manifest: RunManifest): Promise<ExperimentResult | undefined> {
    const { summary } = await this.store.runs.loadRunState(manifest.run_id);
    if (
      !summary?.value.complete || summary.value.stages.length !== 3 ||
      summary.fingerprint !== await this.store.runs.fingerprint()
    ) {
      return undefined;
    }
    const counts = emptyCounts();
    counts.candidates = manifest.counts.candidates;
    counts.reused = manifest.counts.candidates;
    return this.resultOf(manifest, counts);
  }

  /** A run's progress, derived from the store; `undefined` for an unknown run. */
  getRunProgress(runId: string): Promise<RunProgressSnapshot | undefined> {
    return readRunProgress(this.store.runs, runId, this.project.pricing);
  }

  /**
   * Persist the plan and hand it to the project's backend: `local` runs it now; `batch` sends
   * the pending generations to the provider's Batch API (a pending handle; `resume` imports);
   * `worker_pool` runs nothing here and the handle says which commands run its shards.
   */
  async submit(spec: SpecInput, options: ExecutionOptions = {}): Promise<RunHandle> {
    const kind = backendKind(this.project);
    if (kind === "local") {
      const result = await this.run(spec, options);
      return this.#handle(result.manifest, result, runWarnings(result.summary));
    }
    if (kind === "batch") {
      return await (await import("./batch/batch_lifecycle.ts")).submitToBatch(this, spec, options);
    }
    const plan = await this.planSpec(spec, options);
    return this.#handle(plan.manifest, undefined, workerPoolAdvice(plan.manifest.run_id));
  }

  /**
   * Ask the provider to cancel the run's batches that have not ended (the batch backend).
   *
   * @internal
   */
  async cancel(
    runId: string,
    options: ExecutionOptions = {},
  ): Promise<import("./batch/batch_log.ts").BatchRecord[]> {
    await this.store.runs.readManifest(runId);
    return await (await import("./batch/batch_lifecycle.ts")).cancelBatches(this, runId, options);
  }

  /**
   * Ask the provider for the state of the run's batches and record changes (no import).
   *
   * @internal
   */
  async refreshBatches(
    runId: string,
    options: ExecutionOptions = {},
  ): Promise<import("./batch/batch_log.ts").BatchRecord[]> {
    return await (await import("./batch/batch_lifecycle.ts")).refreshBatches(this, runId, options);
  }

  async #handle(
    manifest: RunManifest,
    result: ExperimentResult | undefined,
    warnings: string[],
  ): Promise<RunHandle> {
    const snapshot = await this.getRunProgress(manifest.run_id);
    return {
      runId: manifest.run_id,
      status: snapshot?.status ?? "planned",
      manifest,
      warnings,
      result,
      progress: () => this.getRunProgress(manifest.run_id),
    };
  }

  /**
   * Validate and compile a spec object into its source and experiment forms.
   *
   * @internal
   */
  normalize(spec: SpecInput): { source: SourceSpec; experiment: ExperimentSpec } {
    const kind = specKind(spec);
    if (kind === "benchmark") {
      const benchmark = validateBenchmark(spec);
      return { source: { kind, spec: benchmark }, experiment: compileBenchmark(benchmark) };
    }
    if (kind === "experiment") {
      const experiment = validateExperiment(spec);
      return { source: { kind, spec: experiment }, experiment };
    }
    throw new ThemisError(
      "SPEC_INVALID",
      "Not a benchmark or experiment: a spec needs benchmark_id or experiment_id",
      { path: "(root)" },
    );
  }

  async #plan(
    spec: SpecInput,
    stages: Stage[],
    options: ExecutionOptions,
    trialSink?: (line: string) => void,
  ): Promise<RunPlan> {
    const { source, experiment } = this.normalize(spec);
    const specDir = resolve(options.specDir ?? this.baseDir);
    for (const module of pluginModuleUrls(experiment.plugins, specDir)) {
      await this.registry.loadModule(module);
    }
    checkPlugins(experiment, this.registry, stages);
    const label = relative(this.store.root, specDir).replaceAll("\\", "/") || ".";
    return await planRun({
      source,
      experiment,
      project: this.project,
      baseDir: specDir,
      baseDirLabel: label,
      toolVersion: TOOL_VERSION,
      trialSink,
      registry: this.registry,
    });
  }

  async #execute(
    spec: SpecInput,
    stages: Stage[],
    options: ExecutionOptions,
    expectedRunId?: string,
  ): Promise<ExperimentResult> {
    const plan = await this.#planAndPersist(spec, stages, options, expectedRunId);
    // A shard leaves the cache alone: the other shards may be writing the same store.
    const follow = this.project.analytics.follow_runs && options.shard === undefined;
    // Followed from the moment the run's work begins: its preparation (the state fold, the
    // payloads) keeps one core busy, so a machine judged by it would look free to a refresh
    // that then competes with the whole run (and keeps DuckDB's memory for the rest of it).
    let follower: CacheFollower | undefined;
    try {
      const counts = await executeRun(plan, stages, {
        ...options,
        store: this.store,
        registry: this.registry,
        project: this.project,
        telemetry: this.telemetry,
        onStarted: follow
          ? () => {
            const { minimumMs, onRefresh } = this.#follower;
            const refresh = async () => {
              onRefresh?.();
              return await this.store.warmAnalytics();
            };
            follower = new CacheFollower(refresh, { minimumMs }).start();
          }
          : undefined,
      });
      return this.resultOf(plan.manifest, counts);
    } finally {
      await follower?.stop();
    }
  }

  // ---- handoffs (bundles, imports), diffs, estimates, describe: src/orchestrator/handoffs/ ----
  // Loaded on first use (a run never needs them); docs/handoffs.md, docs/estimates.md.

  /** Pending generation work as a bundle whose requests.jsonl is OpenAI Batch API input. */
  async exportGenerationBundle(
    spec: SpecInput,
    options: import("./handoffs/mod.ts").ExportOptions = {},
  ): Promise<import("./handoffs/mod.ts").ExportedBundle> {
    return (await import("./handoffs/mod.ts")).exportGenerationBundle(this, spec, options);
  }

  /** Check generations made for a bundle (themis records or Batch API output) and append them. */
  async importGenerationResults(
    bundle: import("./handoffs/mod.ts").BundleInput,
    records: import("./handoffs/mod.ts").RecordsInput,
  ): Promise<ExperimentResult> {
    return (await import("./handoffs/mod.ts")).importGenerationResults(this, bundle, records);
  }

  /** Pending score work, with the candidates' texts and parse answers, as a bundle. */
  async exportEvaluationBundle(
    spec: SpecInput,
    options: import("./handoffs/mod.ts").ExportOptions = {},
  ): Promise<import("./handoffs/mod.ts").ExportedBundle> {
    return (await import("./handoffs/mod.ts")).exportEvaluationBundle(this, spec, options);
  }

  /** Check scores computed for an evaluation bundle and append them. */
  async importEvaluationResults(
    bundle: import("./handoffs/mod.ts").BundleInput,
    records: import("./handoffs/mod.ts").RecordsInput,
  ): Promise<ExperimentResult> {
    return (await import("./handoffs/mod.ts")).importEvaluationResults(this, bundle, records);
  }

  /** Generations made without any bundle; each record names its trial (and sample). */
  async importCandidates(
    records: import("./handoffs/mod.ts").RecordsInput,
    options: import("./handoffs/mod.ts").ImportCandidatesOptions = {},
  ): Promise<ExperimentResult> {
    return (await import("./handoffs/mod.ts")).importCandidates(this, records, options);
  }

  /** Pending work per stage, prompt/completion tokens and cost, with notes; runs nothing. */
  async estimate(
    spec: SpecInput,
    options: import("./handoffs/mod.ts").EstimateOptions = {},
  ): Promise<import("../plan/estimate.ts").CostEstimate> {
    return (await import("./handoffs/mod.ts")).estimateSpec(this, spec, options);
  }

  /** Changed fields, added/removed/reused trials, parses and scores, and the work b adds. */
  async diffSpecs(
    baseline: SpecInput,
    treatment: SpecInput,
    options: import("./handoffs/mod.ts").DiffOptions = {},
  ): Promise<import("../plan/diff_specs.ts").RunDiff> {
    return (await import("./handoffs/mod.ts")).diffSpecRuns(this, baseline, treatment, options);
  }

  /** The settings of a run a paper needs (models, prompts, datasets, metrics, seeds), redacted. */
  async describe(runId: string): Promise<import("./handoffs/mod.ts").RunDescription> {
    return (await import("./handoffs/mod.ts")).describeRun(this, runId);
  }
}

/** Plugin module paths of a spec as URLs (relative paths resolve from the spec's folder). */
function pluginModuleUrls(modules: string[], specDir: string): string[] {
  return modules.map((m) =>
    /^[a-z][a-z0-9+.-]*:/i.test(m) ? m : toFileUrl(isAbsolute(m) ? m : resolve(specDir, m))
  );
}
