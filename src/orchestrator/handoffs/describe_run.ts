import { datasetSource } from "../../plugins/datasets/load_dataset.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import type { RunManifest } from "../../plan/manifest.ts";
import type { Orchestrator } from "../orchestrator.ts";
import { redactSecrets } from "./redact.ts";

/** One execution of a run (a `run.started` event): local, or an import. */
export interface RunExecution {
  /** When it started (ISO 8601). */
  startedAt: string;
  /** `pool`, `inline`, `import` or `batch`. */
  executor: string;
  /** The stages it ran. */
  stages: Json;
  /** The themis version that ran it, when recorded. */
  toolVersion: string | null;
  /** The bundle an import came from. */
  bundle?: string | null;
}

/** A slice as a paper reports it. */
export interface SliceDescription {
  /** The slice (task) id. */
  sliceId: string;
  /** Where its items come from, with their count and content hash. */
  dataset: JsonObject;
  /** Which items of the dataset. */
  query: JsonObject;
  /** Its dimensions. */
  dimensions: JsonObject;
  /** The prompt templates that apply. */
  prompts: JsonObject[];
  /** The inference parameter sets (the grid, expanded). */
  inference: JsonObject[];
  /** Its parses (extractor chains). */
  parses: JsonObject[];
  /** Its scores (metrics and how they are read). */
  scores: JsonObject[];
}

/** The settings a paper needs to report a run, secrets redacted. */
export interface RunDescription {
  /** The run. */
  runId: string;
  /** What it was planned from. */
  kind: "benchmark" | "experiment";
  /** The benchmark or experiment id. */
  id: string;
  /** The spec's description. */
  description: string | null;
  /** The tool and version that planned it. */
  tool: { name: string; version: string };
  /** The project settings that enter its ids. */
  project: { name: string; globalSeed: number; storeItemPayloads: boolean };
  /** The models, engine settings redacted. */
  models: JsonObject[];
  /** The slices. */
  slices: SliceDescription[];
  /** Candidates per trial. */
  numSamples: number;
  /** How every seed is derived. */
  seeds: { globalSeed: number; candidateSeeds: string; datasetQueries: JsonObject };
  /** Plugin modules. */
  plugins: string[];
  /** Hooks, in order. */
  hooks: JsonObject[];
  /** Planned work. */
  counts: RunManifest["counts"];
  /** Every execution of the run. */
  executions: RunExecution[];
  /**
   * Facts in this run's events. `scoreInvalid`: scores with no answer (the parse's or the
   * judge's); never in `scored`.
   */
  outcomes: {
    generated: number;
    generationFailed: number;
    scored: number;
    scoreInvalid: number;
    scoreFailed: number;
  };
}

/** How candidate seeds are derived (DESIGN §2), for the methods section. */
export const CANDIDATE_SEED_RULE =
  "per candidate: the first 31 bits of sha256(canonical JSON {candidate, global_seed}), " +
  "where candidate = sha256 of (trial hash, sample index); handed to the engine as `seed` " +
  "unless the params set one";

function slicesOf(manifest: RunManifest): SliceDescription[] {
  return manifest.experiment.tasks.map((task) => {
    const idField = task.dataset.id_field ?? "id";
    const source = datasetSource(task.dataset) as JsonObject;
    const dataset: JsonObject = { ...source, id_field: idField };
    const stats = manifest.datasets[task.task_id];
    return {
      sliceId: task.task_id,
      dataset: {
        ...dataset,
        items: stats?.items ?? null,
        content_hash: stats?.content_hash ?? null,
      },
      query: { ...task.dataset_query },
      dimensions: task.dimensions as JsonObject,
      prompts: task.prompts.map((p) => ({
        id: p.id,
        ...(p.family ? { family: p.family } : {}),
        messages: p.messages as unknown as Json,
        variables: p.variables as JsonObject,
      })),
      inference: task.inference as JsonObject[],
      parses: manifest.parses.filter((p) => p.taskId === task.task_id).map((p) => ({
        name: p.name,
        hash: p.hash,
        extractors: p.extractors as unknown as Json,
      })),
      scores: manifest.scores.filter((s) => s.taskId === task.task_id).map((s) => ({
        name: s.name,
        hash: s.hash,
        parse: s.parseName,
        metrics: s.metrics as unknown as Json,
        reduction: s.reduction,
        ...(s.k !== undefined ? { k: s.k } : {}),
      })),
    };
  });
}

async function readExecutions(orchestrator: Orchestrator, runId: string) {
  const executions: RunExecution[] = [];
  const outcomes = {
    generated: 0,
    generationFailed: 0,
    scored: 0,
    scoreInvalid: 0,
    scoreFailed: 0,
  };
  for await (const e of orchestrator.store.runs.iterEvents(runId)) {
    if (e.type === "run.started") {
      executions.push({
        startedAt: e.ts,
        executor: e.data.executor,
        stages: e.data.stages,
        toolVersion: e.data.tool_version,
        ...(e.data.source === "import" ? { bundle: e.data.bundle ?? null } : {}),
      });
    } else if (e.type === "generation.completed") outcomes.generated++;
    else if (e.type === "generation.failed") outcomes.generationFailed++;
    else if (e.type === "score.completed") {
      e.data.invalid ? outcomes.scoreInvalid++ : outcomes.scored++;
    } else if (e.type === "score.failed") {
      e.data.kind === "invalid" ? outcomes.scoreInvalid++ : outcomes.scoreFailed++;
    }
  }
  return { executions, outcomes };
}

/**
 * The settings of a run a paper needs: models with their settings, prompts, datasets (with
 * item counts and content hashes), inference params, parses, metrics, samples, seeds, tool
 * version and executions. Secrets are redacted (see `redactSecrets`). `RUN_NOT_FOUND` for an
 * unknown run.
 */
export async function describeRun(
  orchestrator: Orchestrator,
  runId: string,
): Promise<RunDescription> {
  const manifest = await orchestrator.store.runs.readManifest<RunManifest>(runId);
  const { experiment, project } = manifest;
  const source = manifest.source.spec as { benchmark_id?: string; experiment_id?: string };
  const queries: JsonObject = {};
  for (const task of experiment.tasks) {
    if (task.dataset_query.kind === "subset") queries[task.task_id] = task.dataset_query.seed;
  }
  const { executions, outcomes } = await readExecutions(orchestrator, runId);
  const description: RunDescription = {
    runId: manifest.run_id,
    kind: manifest.source.kind,
    id: source.benchmark_id ?? source.experiment_id ?? experiment.experiment_id,
    description: experiment.description ?? null,
    tool: manifest.tool,
    project: {
      name: project.project_name,
      globalSeed: project.global_seed,
      storeItemPayloads: project.store_item_payloads,
    },
    models: experiment.models.map((m) => ({
      model_id: m.model_id,
      provider: m.provider,
      extras: m.extras as JsonObject,
    })),
    slices: slicesOf(manifest),
    numSamples: experiment.num_samples,
    seeds: {
      globalSeed: project.global_seed,
      candidateSeeds: CANDIDATE_SEED_RULE,
      datasetQueries: queries,
    },
    plugins: experiment.plugins,
    hooks: experiment.hooks as unknown as JsonObject[],
    counts: manifest.counts,
    executions,
    outcomes,
  };
  return redactSecrets(description as unknown as Json) as unknown as RunDescription;
}
