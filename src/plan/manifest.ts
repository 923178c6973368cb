import { createHash } from "node:crypto";
import { canonicalJson, contentHash, SHORT_ID_LENGTH } from "../core/canonical.ts";
import type { BenchmarkSpec, ExperimentSpec } from "../spec/schemas.ts";
import type { PlanTrial } from "../store/plan_segments.ts";
import type { PlannedParse, PlannedScore, PlannedTrial } from "./plan_trials.ts";

/**
 * Version of the manifest layout: 2 keeps the trial list out of the manifest, in the run's
 * plan segments; 1 listed it inline (`trials`).
 */
export const MANIFEST_VERSION = 2;

export type { PlanTrial as ManifestTrial } from "../store/plan_segments.ts";

/** Project settings that change what a run computes; resume refuses when they changed. */
export interface ManifestProject {
  /** The project's name. */
  project_name: string;
  /** The seed every candidate seed derives from. */
  global_seed: number;
  /** Whether item payloads and rendered prompts are in the run directory. */
  store_item_payloads: boolean;
  /** Prices per model id when the run was planned (for costs in SQL); not part of the run id. */
  pricing?: Record<
    string,
    { input_per_million: number; output_per_million: number; batch_discount?: number }
  >;
}

/** The plan of one run, persisted as `manifest.json` (DESIGN §3). */
export interface RunManifest {
  /** Version of this layout (2: trials in plan segments). */
  manifest_version: number;
  /** The run id: a hash of the normalized spec and the planned work. */
  run_id: string;
  /** The tool and version that planned it. */
  tool: { name: string; version: string };
  /** The project settings that change what the run computes. */
  project: ManifestProject;
  /** The spec as given, and where its relative paths resolve from. */
  source: {
    /** Which kind of spec. */
    kind: "benchmark" | "experiment";
    /** The spec, validated. */
    spec: BenchmarkSpec | ExperimentSpec;
    /** Folder relative dataset paths resolve from, relative to the store root when possible. */
    base_dir: string;
  };
  /** The compiled experiment (every `slice_by` slice replaced by the slices it makes). */
  experiment: ExperimentSpec;
  /** Items and content hash of each slice's selection, by slice id. */
  datasets: Record<string, { items: number; content_hash: string }>;
  /** Every parse of the plan. */
  parses: PlannedParse[];
  /** Every score of the plan. */
  scores: PlannedScore[];
  /** Planned work items. */
  counts: { trials: number; candidates: number; parses: number; scores: number };
  /** A shard's manifest: its part of the run `of` (src/plan/shard_plan.ts). */
  shard?: { index: number; count: number; of: string };
  /** Version 1 manifests only: every trial, inline. Version 2 keeps them in `plan/`. */
  trials?: PlanTrial[];
}

/** Options of a `ManifestBuilder`. */
export interface ManifestBuilderOptions {
  /** Receives each trial's plan line (compact JSON), so the list never sits in memory. */
  sink?: (line: string) => void;
  /** Write item payloads and rendered prompts into the plan (`store_item_payloads`). */
  payloads?: boolean;
}

/**
 * Accumulates the hash of the planned work and its counts one trial at a time, and hands each
 * trial's plan line to the sink. An item's payload goes on the first trial of the plan that
 * uses it, a rendered prompt on the first with its (slice, variant, item): stored once per run,
 * named by those ids everywhere else.
 */
export class ManifestBuilder {
  #trials = 0;
  #work = createHash("sha256");
  #candidates = 0;
  #parses = 0;
  #scores = 0;
  readonly #stages: Map<string, { parses: PlannedParse[]; scores: PlannedScore[] }>;
  readonly #sink?: (line: string) => void;
  readonly #payloads: boolean;
  /** Items (and prompts × items) already written, as bits by item index. */
  readonly #seen = new Map<string, Uint8Array>();

  constructor(
    stages: Map<string, { parses: PlannedParse[]; scores: PlannedScore[] }>,
    options: ManifestBuilderOptions = {},
  ) {
    this.#stages = stages;
    this.#sink = options.sink;
    this.#payloads = options.payloads ?? true;
  }

  /** True the first time (key, index) is asked. */
  #first(key: string, index: number, size: number): boolean {
    let bits = this.#seen.get(key);
    if (bits === undefined) this.#seen.set(key, bits = new Uint8Array((size >> 3) + 1));
    const mask = 1 << (index & 7);
    if (bits[index >> 3] & mask) return false;
    bits[index >> 3] |= mask;
    return true;
  }

  add(trial: PlannedTrial): void {
    const candidates = trial.candidates.map((c) => c.id);
    if (this.#sink) {
      const entry: PlanTrial = {
        trial: trial.trial,
        task: trial.taskId,
        model: trial.model.model_id,
        prompt: trial.promptId,
        params: trial.paramsIndex,
        item: trial.item.id,
        candidates,
      };
      if (this.#payloads) {
        const { itemIndex, itemCount } = trial;
        if (this.#first(trial.taskId, itemIndex, itemCount)) entry.payload = trial.item.payload;
        if (this.#first(`${trial.taskId}\u0000${trial.promptId}`, itemIndex, itemCount)) {
          entry.messages = trial.messages;
        }
      }
      this.#sink(JSON.stringify(entry));
    }
    this.#trials++;
    this.#work.update(trial.trial + ":" + candidates.join(",") + "\n");
    const stages = this.#stages.get(trial.taskId)!;
    this.#candidates += candidates.length;
    this.#parses += candidates.length * stages.parses.length;
    this.#scores += candidates.length * stages.scores.length;
  }

  /** The run id: hash of the normalized spec, the project settings and the planned work. */
  runId(experiment: ExperimentSpec, project: ManifestProject): string {
    const stages = [...this.#stages.entries()].map(([task, s]) => ({
      task,
      parses: s.parses.map((p) => p.hash),
      scores: s.scores.map((x) => x.hash),
    }));
    const work = this.#work.copy().digest("hex");
    return contentHash({
      kind: "run",
      experiment: JSON.parse(canonicalJson(experiment)),
      project: {
        global_seed: project.global_seed,
        store_item_payloads: project.store_item_payloads,
      },
      stages,
      work,
    }).slice(0, SHORT_ID_LENGTH);
  }

  counts(): RunManifest["counts"] {
    return {
      trials: this.#trials,
      candidates: this.#candidates,
      parses: this.#parses,
      scores: this.#scores,
    };
  }
}

/** The hash of a dataset's selected items (ids and payloads), for describe and diff. */
export function datasetContentHash(
  items: { length: number; id(i: number): string; canonical(i: number): string },
): string {
  const hash = createHash("sha256");
  // The canonical JSON of [id, payload], one line per item.
  for (let i = 0; i < items.length; i++) {
    hash.update(`[${JSON.stringify(items.id(i))},${items.canonical(i)}]\n`);
  }
  return hash.digest("hex").slice(0, SHORT_ID_LENGTH);
}
