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

/** A key that looks like an array index, or text that might be one. */
const INDEX_KEY = /"(?:0|[1-9][0-9]*)":/;

/** The parts of a plan line and the counts that depend only on a trial's task, model, prompt. */
interface LineContext {
  trial: PlannedTrial;
  /** The line's text from `"task"` to `"params":`. */
  head: string;
  /** Which items (and prompts × items) of the task already went into a line. */
  items: Uint8Array;
  prompts: Uint8Array;
  parses: number;
  scores: number;
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
  /** Work lines not yet hashed: hashed in large pieces, not one call per trial. */
  #pendingWork: string[] = [];
  #candidates = 0;
  #parses = 0;
  #scores = 0;
  readonly #stages: Map<string, { parses: PlannedParse[]; scores: PlannedScore[] }>;
  readonly #sink?: (line: string) => void;
  readonly #payloads: boolean;
  /** Items (and prompts × items) already written, as bits by item index. */
  readonly #seen = new Map<string, Uint8Array>();
  /** What the previous trial shares with the next (trials come grouped by task and prompt). */
  #last?: LineContext;

  constructor(
    stages: Map<string, { parses: PlannedParse[]; scores: PlannedScore[] }>,
    options: ManifestBuilderOptions = {},
  ) {
    this.#stages = stages;
    this.#sink = options.sink;
    this.#payloads = options.payloads ?? true;
  }

  /** The bits of `key`, one per item of its slice. */
  #bits(key: string, size: number): Uint8Array {
    let bits = this.#seen.get(key);
    if (bits === undefined) this.#seen.set(key, bits = new Uint8Array((size >> 3) + 1));
    return bits;
  }

  /** The parts of a line (and the counters) that depend only on the trial's task, model, prompt. */
  #context(trial: PlannedTrial): LineContext {
    const last = this.#last;
    if (
      last !== undefined && last.trial.taskId === trial.taskId &&
      last.trial.model === trial.model && last.trial.promptId === trial.promptId &&
      last.trial.itemCount === trial.itemCount
    ) {
      last.trial = trial;
      return last;
    }
    const stages = this.#stages.get(trial.taskId)!;
    return this.#last = {
      trial,
      head: `,"task":${JSON.stringify(trial.taskId)},"model":${
        JSON.stringify(trial.model.model_id)
      },"prompt":${JSON.stringify(trial.promptId)},"params":`,
      items: this.#bits(trial.taskId, trial.itemCount),
      prompts: this.#bits(`${trial.taskId}\u0000${trial.promptId}`, trial.itemCount),
      parses: stages.parses.length,
      scores: stages.scores.length,
    };
  }

  add(trial: PlannedTrial): void {
    const context = this.#context(trial);
    const { candidates } = trial;
    let ids = "";
    let quoted = "";
    for (let i = 0; i < candidates.length; i++) {
      ids += (i ? "," : "") + candidates[i].id;
      quoted += (i ? ',"' : '"') + candidates[i].id + '"';
    }
    if (this.#sink) {
      // JSON.stringify of the PlanTrial, written out: the same text, built from shared parts.
      let line = `{"trial":"${trial.trial}"${context.head}${trial.paramsIndex},"item":${
        JSON.stringify(trial.item.id)
      },"candidates":[${quoted}]`;
      if (this.#payloads) {
        const { itemIndex } = trial;
        const [byte, mask] = [itemIndex >> 3, 1 << (itemIndex & 7)];
        if (!(context.items[byte] & mask)) {
          context.items[byte] |= mask;
          // The canonical text is what JSON.stringify of the parsed payload writes, unless a key
          // looks like an array index (those come first in an object): then it is written so.
          const text = INDEX_KEY.test(trial.payloadJson)
            ? JSON.stringify(JSON.parse(trial.payloadJson))
            : trial.payloadJson;
          line += `,"payload":${text}`;
        }
        if (!(context.prompts[byte] & mask)) {
          context.prompts[byte] |= mask;
          line += `,"messages":${JSON.stringify(trial.messages)}`;
        }
      }
      this.#sink(line + "}");
    }
    this.#trials++;
    this.#pendingWork.push(trial.trial + ":" + ids);
    if (this.#pendingWork.length === 2048) this.#flushWork();
    this.#candidates += candidates.length;
    this.#parses += candidates.length * context.parses;
    this.#scores += candidates.length * context.scores;
  }

  #flushWork(): void {
    if (this.#pendingWork.length === 0) return;
    this.#work.update(this.#pendingWork.join("\n") + "\n");
    this.#pendingWork = [];
  }

  /** The run id: hash of the normalized spec, the project settings and the planned work. */
  runId(experiment: ExperimentSpec, project: ManifestProject): string {
    const stages = [...this.#stages.entries()].map(([task, s]) => ({
      task,
      parses: s.parses.map((p) => p.hash),
      scores: s.scores.map((x) => x.hash),
    }));
    this.#flushWork();
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
  // The canonical JSON of [id, payload], one line per item, hashed in large pieces.
  let text = "";
  for (let i = 0; i < items.length; i++) {
    text += `[${JSON.stringify(items.id(i))},${items.canonical(i)}]\n`;
    if (text.length >= 1 << 16) {
      hash.update(text);
      text = "";
    }
  }
  return hash.update(text).digest("hex").slice(0, SHORT_ID_LENGTH);
}
