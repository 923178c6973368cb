import { ThemisError } from "../core/errors.ts";
import { type DatasetItem, loadDataset } from "../plugins/datasets/load_dataset.ts";
import { selectItems } from "../plugins/datasets/select_items.ts";
import type { BenchmarkSpec, ExperimentSpec, ProjectSpec } from "../spec/schemas.ts";
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
import type { PlannedIds } from "./plan_trials.ts";

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
  /** Receives each trial's manifest line, in plan order (to stream the manifest to disk). */
  trialSink?: (line: string) => void;
}

/** A planned run: its manifest and the means to walk its trials again, lazily. */
export interface RunPlan {
  manifest: RunManifest;
  experiment: ExperimentSpec;
  stages: Map<string, TaskStages>;
  items: Map<string, DatasetItem[]>;
  iterTrials(): Generator<PlannedTrial>;
}

function promptPathsOf(benchmark: BenchmarkSpec) {
  const index = new Map(benchmark.prompt_variants.map((p, i) => [p.id, i]));
  return (_task: number, _prompt: number, id: string) => `prompt_variants[${index.get(id)}]`;
}

/** Load and select every task's items. */
export async function loadTaskItems(
  experiment: ExperimentSpec,
  baseDir: string,
): Promise<Map<string, DatasetItem[]>> {
  const items = new Map<string, DatasetItem[]>();
  for (const task of experiment.tasks) {
    const all = await loadDataset(task.dataset, { baseDir });
    const selected = selectItems(all, task.dataset_query);
    if (selected.length === 0) {
      throw new ThemisError(
        "DATASET_INVALID",
        `Slice "${task.task_id}" selects no items (dataset_query ${
          JSON.stringify(task.dataset_query)
        } over ${all.length} items)`,
        { path: `slices.${task.task_id}.dataset_query` },
      );
    }
    items.set(task.task_id, selected);
  }
  return items;
}

/** The project settings a manifest pins. */
export function manifestProject(project: ProjectSpec): ManifestProject {
  return {
    project_name: project.project_name,
    global_seed: project.global_seed,
    store_item_payloads: project.storage.store_item_payloads,
  };
}

/**
 * Plan a run: load items, render every prompt (a missing variable fails here, before any
 * model call), hash every trial and candidate, and build the manifest with its run id.
 *
 * @example
 * ```ts
 * import { planRun } from "./plan_run.ts";
 * // const plan = await planRun({ source, experiment, project, baseDir, baseDirLabel, toolVersion });
 * // plan.manifest.run_id
 * ```
 */
export async function planRun(options: PlanRunOptions): Promise<RunPlan> {
  const { experiment, project } = options;
  const items = await loadTaskItems(experiment, options.baseDir);
  const stages = planStages(experiment);
  const promptPath = options.source.kind === "benchmark"
    ? promptPathsOf(options.source.spec)
    : undefined;
  // The first walk hashes and remembers the ids; later walks (execution) reuse them.
  const ids: PlannedIds = { complete: false, trials: [], candidates: [], seeds: [] };
  const iterTrials = () =>
    iterPlannedTrials(experiment, { items, globalSeed: project.global_seed, promptPath, ids });
  const builder = new ManifestBuilder(stages, options.trialSink);
  for (const trial of iterTrials()) builder.add(trial);
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
