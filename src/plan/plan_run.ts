import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Database } from "../analytics/duckdb.ts";
import { isThemisError, ThemisError } from "../core/errors.ts";
import type { DatasetSql } from "../plugins/datasets/dataset_provider.ts";
import { loadDataset, loadDatasetGroups } from "../plugins/datasets/load_dataset.ts";
import { DEFAULT_MAX_SLICES } from "../plugins/datasets/group_items.ts";
import { expandTask, sliceByFields } from "./expand_slices.ts";
import type { ItemList } from "../plugins/datasets/item_list.ts";
import { Registry } from "../plugins/registry.ts";
import type { BenchmarkSpec, ExperimentSpec, ProjectSpec, TaskSpec } from "../spec/schemas.ts";
import {
  datasetContentHash,
  MANIFEST_VERSION,
  ManifestBuilder,
  type ManifestProject,
  type RunManifest,
} from "./manifest.ts";
import {
  iterPlannedTrials,
  type PlannedTrial,
  planStages,
  type TaskStages,
} from "./plan_trials.ts";
import { PlannedIds } from "./planned_ids.ts";
import { HashAhead } from "./hash_ahead.ts";

/** The spec a run was asked for, in the form the user gave it. */
export type SourceSpec =
  | { kind: "benchmark"; spec: BenchmarkSpec }
  | { kind: "experiment"; spec: ExperimentSpec };

/** Everything planning needs. */
export interface PlanRunOptions {
  source: SourceSpec;
  experiment: ExperimentSpec;
  project: ProjectSpec;
  /** Folder that relative dataset paths resolve from. */
  baseDir: string;
  /** How `baseDir` is written in the manifest (relative to the store root when possible). */
  baseDirLabel: string;
  toolVersion: string;
  /** Receives each trial's plan line, in plan order (the run's plan segments). */
  trialSink?: (line: string) => void;
  /** Plugins (dataset providers); the spec's plugin modules are loaded into it when needed. */
  registry?: Registry;
}

/** A planned run: its manifest and the means to walk its trials again, lazily. */
export interface RunPlan {
  manifest: RunManifest;
  experiment: ExperimentSpec;
  stages: Map<string, TaskStages>;
  items: Map<string, ItemList>;
  iterTrials(): Generator<PlannedTrial>;
}

function promptPathsOf(benchmark: BenchmarkSpec) {
  const index = new Map(benchmark.prompt_variants.map((p, i) => [p.id, i]));
  return (_task: number, _prompt: number, id: string) => `prompt_variants[${index.get(id)}]`;
}

/** Options of {@linkcode loadTaskItems}. */
export interface LoadTaskItemsOptions {
  /** Where dataset providers are looked up (default: the spec's plugin modules only). */
  registry?: Registry;
  /** How tasks are named in error paths: `slices` for a benchmark, `tasks` otherwise. */
  group?: "slices" | "tasks";
  /** Each task's spec path for errors (default `<group>[<index>]`). */
  paths?: string[];
  /**
   * Collect each task's dataset error here and go on with the next task (validation lists
   * every problem); a task that failed is left out. Without it, the first error is thrown.
   */
  onError?: (error: unknown, path: string) => void;
}

/** Plugin module specifiers of a spec as URLs (relative paths resolve from `baseDir`). */
export function moduleUrls(modules: string[], baseDir: string): string[] {
  return modules.map((m) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(m)) return m;
    return pathToFileURL(isAbsolute(m) ? m : resolve(baseDir, m)).href;
  });
}

/** The registry dataset providers come from, with the spec's plugin modules loaded. */
async function providerRegistry(
  experiment: ExperimentSpec,
  baseDir: string,
  registry?: Registry,
): Promise<Registry | undefined> {
  if (!experiment.tasks.some((t) => t.dataset.kind === "provider")) return registry;
  const out = registry ?? new Registry();
  for (const url of moduleUrls(experiment.plugins, baseDir)) await out.loadModule(url);
  return out;
}

/** Point a dataset error at the slice it came from (`slices[1].dataset.items[3]`, …). */
function locate(error: unknown, task: TaskSpec, prefix: string): unknown {
  if (!isThemisError(error) || error.details.file !== undefined) return error;
  const details = error.details;
  const row = typeof details.row === "number" ? details.row : undefined;
  if (
    typeof details.path === "string" &&
    (details.path.startsWith("dataset_query") || details.path === "slice_by")
  ) {
    details.path = `${prefix}.${details.path}`;
  } else if (details.path === undefined) {
    details.path = task.dataset.kind === "inline" && row !== undefined
      ? `${prefix}.dataset.items[${row - 1}]`
      : `${prefix}.dataset`;
  }
  return error;
}

/**
 * Load every task's dataset and pick its items with the task's query; a task with `slice_by`
 * becomes one task per value of its fields (see `expandTask`), so the experiment returned is
 * the one to plan. Files are read through an in-memory DuckDB (opened only when a task reads a
 * file, closed before returning); dataset providers come from `options.registry` or the spec's
 * plugin modules.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadPlanItems } from "./plan_run.ts";
 * import { compileBenchmark } from "../spec/compile_benchmark.ts";
 * import { validateBenchmark } from "../spec/validate_spec.ts";
 * const experiment = compileBenchmark(validateBenchmark({
 *   benchmark_id: "b",
 *   models: [{ model_id: "m", provider: "mock" }],
 *   prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.q}" }] }],
 *   slices: [{
 *     slice_id: "s", slice_by: "cat",
 *     dataset: { kind: "inline", items: [{ id: "1", q: "a", cat: "x" }, { id: "2", q: "b", cat: "y" }] },
 *   }],
 * }));
 * const plan = await loadPlanItems(experiment, ".");
 * assert.deepEqual(plan.experiment.tasks.map((t) => t.task_id), ["s.x", "s.y"]);
 * assert.equal(plan.items.get("s.y")!.id(0), "2");
 * ```
 */
export async function loadPlanItems(
  experiment: ExperimentSpec,
  baseDir: string,
  options: LoadTaskItemsOptions = {},
): Promise<PlanItems> {
  const group = options.group ?? (experiment.benchmark_id === undefined ? "tasks" : "slices");
  const registry = await providerRegistry(experiment, baseDir, options.registry);
  let db: Database | undefined;
  // Bounded like the analytics cache: large files stream through, spilling to disk if needed.
  const sql = async (): Promise<DatasetSql> => (db ??= await Database.open(":memory:", {
    memoryLimit: "256MB",
  }));
  const items = new Map<string, ItemList>();
  const tasks: TaskSpec[] = [];
  const origins: number[] = [];
  try {
    for (const [index, task] of experiment.tasks.entries()) {
      const prefix = options.paths?.[index] ?? `${group}[${index}]`;
      const context = {
        baseDir,
        query: task.dataset_query,
        sql,
        provider: registry &&
          ((id: string) => registry.datasetProvider(id, `${prefix}.dataset.provider`)),
        sliceId: task.task_id,
      };
      try {
        for (const loaded of await loadTask(task, context, prefix)) {
          tasks.push(loaded.task);
          origins.push(index);
          items.set(loaded.task.task_id, loaded.items);
        }
      } catch (error) {
        const located = locate(error, task, prefix);
        if (options.onError === undefined) throw located;
        options.onError(located, prefix);
      }
    }
  } finally {
    db?.close();
  }
  return { experiment: { ...experiment, tasks }, items, origins };
}

/** The tasks to plan with their items. */
export interface PlanItems {
  /** The experiment with each `slice_by` task replaced by its tasks (failed tasks left out). */
  experiment: ExperimentSpec;
  items: Map<string, ItemList>;
  /** For each task of `experiment`, the index of the task it came from. */
  origins: number[];
}

/** One task's items (several tasks' with `slice_by`); a task that selects none is an error. */
async function loadTask(
  task: TaskSpec,
  context: Parameters<typeof loadDataset>[1],
  prefix: string,
): Promise<Array<{ task: TaskSpec; items: ItemList }>> {
  const by = sliceByFields(task);
  let loaded: Array<{ task: TaskSpec; items: ItemList }>;
  let total: number;
  if (by === undefined) {
    const read = await loadDataset(task.dataset, context);
    [loaded, total] = [[{ task, items: read.items }], read.total];
  } else {
    const max = task.max_slices ?? DEFAULT_MAX_SLICES;
    const read = await loadDatasetGroups(task.dataset, { ...context, by, max });
    [loaded, total] = [expandTask(task, read.groups), read.total];
  }
  if (loaded.length === 0 || loaded.some((l) => l.items.length === 0)) {
    throw new ThemisError(
      "DATASET_INVALID",
      `Slice "${task.task_id}" selects no items (dataset_query ${
        JSON.stringify(task.dataset_query)
      } over ${total} items)`,
      { path: `${prefix}.dataset_query` },
    );
  }
  return loaded;
}

/** The items of every task (see {@linkcode loadPlanItems}, which also gives the tasks). */
export async function loadTaskItems(
  experiment: ExperimentSpec,
  baseDir: string,
  options: LoadTaskItemsOptions = {},
): Promise<Map<string, ItemList>> {
  return (await loadPlanItems(experiment, baseDir, options)).items;
}

/** The project settings a manifest pins. */
export function manifestProject(project: ProjectSpec): ManifestProject {
  return {
    project_name: project.project_name,
    global_seed: project.global_seed,
    store_item_payloads: project.storage.store_item_payloads,
    pricing: project.pricing,
  };
}

/**
 * Plan a run: load items, render every prompt (a missing variable fails here, before any
 * model call), hash every trial and candidate, and build the manifest with its run id.
 */
export async function planRun(options: PlanRunOptions): Promise<RunPlan> {
  const { project } = options;
  const { experiment, items } = await loadPlanItems(options.experiment, options.baseDir, {
    registry: options.registry,
    group: options.source.kind === "benchmark" ? "slices" : "tasks",
  });
  const stages = planStages(experiment, { registry: options.registry });
  const promptPath = options.source.kind === "benchmark"
    ? promptPathsOf(options.source.spec)
    : undefined;
  // The first walk hashes and remembers the ids; later walks (execution) reuse them.
  const ids = new PlannedIds();
  const walk = (parsePayloads: boolean) =>
    iterPlannedTrials(experiment, {
      items,
      globalSeed: project.global_seed,
      promptPath,
      ids,
      parsePayloads,
    });
  const iterTrials = () => walk(true);
  const builder = new ManifestBuilder(stages, {
    sink: options.trialSink,
    payloads: project.storage.store_item_payloads,
  });
  // A large plan's ids are hashed ahead of this walk by a worker, started once the walk is on.
  let ahead: HashAhead | undefined;
  try {
    let walked = 0;
    for (const trial of walk(false)) {
      builder.add(trial);
      if ((++walked & 1023) !== 0) continue;
      ahead ??= HashAhead.start(experiment, items, { ids, globalSeed: project.global_seed });
      ahead?.pump(walked);
    }
  } finally {
    ahead?.stop();
  }
  const pinned = manifestProject(project);
  const datasets: RunManifest["datasets"] = {};
  for (const [task, list] of items) {
    datasets[task] = { items: list.length, content_hash: datasetContentHash(list) };
  }
  const manifest: RunManifest = {
    manifest_version: MANIFEST_VERSION,
    run_id: builder.runId(experiment, pinned),
    tool: { name: "themis", version: options.toolVersion },
    project: pinned,
    source: {
      kind: options.source.kind,
      spec: options.source.spec,
      base_dir: options.baseDirLabel,
    },
    experiment,
    datasets,
    parses: [...stages.values()].flatMap((s) => s.parses),
    scores: [...stages.values()].flatMap((s) => s.scores),
    counts: builder.counts(),
  };
  return { manifest, experiment, stages, items, iterTrials };
}
