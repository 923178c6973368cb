import type { JsonObject } from "../core/json.ts";
import type { DatasetItem } from "../plugins/datasets/select_items.ts";
import { ItemList } from "../plugins/datasets/item_list.ts";
import { datasetSource } from "../plugins/datasets/load_dataset.ts";
import type { ChatMessage } from "../plugins/types.ts";
import type { ExperimentSpec, ModelSpec, PluginRef, ScoreSpec, TaskSpec } from "../spec/schemas.ts";
import type { MetricRange } from "../plugins/types.ts";
import type { Registry } from "../plugins/registry.ts";
import { metricRange, UNBOUNDED } from "../plugins/metrics/metric_range.ts";
import { canonicalJson, SHORT_ID_LENGTH } from "../core/canonical.ts";
import { candidateId, candidateSeeder, parseHash, scoreHash, trialHasher } from "./ids.ts";
import { checkPlanSize } from "./plan_size.ts";
import { messagesRenderer } from "./render_prompt.ts";

/** One planned candidate (sample) of a trial. */
export interface PlannedCandidate {
  id: string;
  sample: number;
  seed: number;
}

/** One planned trial: (model, slice, prompt variant, params, item) with its candidates. */
export interface PlannedTrial {
  trial: string;
  taskId: string;
  model: ModelSpec;
  promptId: string;
  params: JsonObject;
  paramsIndex: number;
  item: DatasetItem;
  /** Position of the item in its slice's selection, and the selection's size. */
  itemIndex: number;
  itemCount: number;
  messages: ChatMessage[];
  dimensions: JsonObject;
  candidates: PlannedCandidate[];
}

/** A parse as planned for one task. */
export interface PlannedParse {
  /** The parse hash (name + extractors and their configs). */
  hash: string;
  /** The slice (task) it belongs to. */
  taskId: string;
  /** Its name in the spec. */
  name: string;
  /** The extractor chain, in order. */
  extractors: PluginRef[];
}

/** A score as planned for one task. */
export interface PlannedScore {
  /** The score hash (name + metrics and configs + the parse hash it reads). */
  hash: string;
  /** The slice (task) it belongs to. */
  taskId: string;
  /** Its name in the spec. */
  name: string;
  /** The parse it reads, or null for the raw text. */
  parseHash: string | null;
  /** That parse's name, or null. */
  parseName: string | null;
  /** The metrics, in order. */
  metrics: PluginRef[];
  /** How a trial's samples reduce to one value. */
  reduction: ScoreSpec["reduction"];
  /** The k of `pass_at_k`. */
  k?: number;
  /**
   * Each metric's range (aligned with `metrics`), resolved with the registry when the run was
   * planned; absent in manifests written before ranges existed.
   */
  ranges?: MetricRange[];
  // Read-side policies, present only when the spec sets them (docs/specs.md); never hashed.
  /** How aggregates count a sample with no answer. */
  onInvalid?: ScoreSpec["on_invalid"];
  /** Whether failed generations score the failing value. */
  countFailed?: boolean;
  /** The score's cluster field, or the benchmark's. */
  cluster?: string;
  /** The interval method of its means. */
  ci?: ScoreSpec["ci"];
}

/** The parses and scores of one task, keyed for lookup. */
export interface TaskStages {
  parses: PlannedParse[];
  scores: PlannedScore[];
}

/** The read-side policies a score spec (or its experiment) sets, without the unset ones. */
function scorePolicies(score: ScoreSpec, experiment: ExperimentSpec): Partial<PlannedScore> {
  const cluster = score.cluster ?? experiment.cluster;
  return {
    ...(score.on_invalid === undefined ? {} : { onInvalid: score.on_invalid }),
    ...(score.count_failed === undefined ? {} : { countFailed: score.count_failed }),
    ...(cluster === undefined ? {} : { cluster }),
    ...(score.ci === undefined ? {} : { ci: score.ci }),
  };
}

/** Each metric's range, from the registry (a metric it does not know is unbounded). */
function metricRanges(metrics: PluginRef[], registry: Registry): MetricRange[] {
  const known = new Set(registry.names("metric"));
  return metrics.map((m) =>
    known.has(m.id) ? metricRange(registry.metric(m.id), m.config) : UNBOUNDED
  );
}

/**
 * The parses and scores each task runs, with their hashes; with a registry, each score also
 * carries its metrics' ranges.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planStages } from "./plan_trials.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * const experiment = {
 *   experiment_id: "e", plugins: [], hooks: [], num_samples: 1,
 *   models: [{ model_id: "m", provider: "mock", extras: {} }],
 *   tasks: [{
 *     task_id: "t", dataset: { kind: "inline" as const, items: [{ id: "1" }] },
 *     dataset_query: { kind: "all" as const }, dimensions: {}, inference: [{}],
 *     prompts: [{ id: "p", messages: [{ role: "user" as const, content: "hi" }], variables: {} }],
 *     parses: [],
 *     scores: [{ name: "em", metrics: [{ id: "exact_match", config: {} }], reduction: "mean" as const,
 *       on_invalid: "exclude" as const }],
 *   }],
 * };
 * const [score] = planStages(experiment, { registry: createRegistry() }).get("t")!.scores;
 * assert.deepEqual(score.ranges, [{ min: 0, max: 1, binary: true }]);
 * assert.equal(score.onInvalid, "exclude");
 * ```
 */
export function planStages(
  experiment: ExperimentSpec,
  options: { registry?: Registry } = {},
): Map<string, TaskStages> {
  const out = new Map<string, TaskStages>();
  for (const task of experiment.tasks) {
    const parses = task.parses.map((p) => ({
      hash: parseHash(p, experiment.hooks),
      taskId: task.task_id,
      name: p.name,
      extractors: p.extractors,
    }));
    const byName = new Map(parses.map((p) => [p.name, p]));
    const scores = task.scores.map((s) => {
      const parse = s.parse === undefined ? undefined : byName.get(s.parse);
      return {
        hash: scoreHash(s, parse?.hash ?? null, experiment.hooks),
        taskId: task.task_id,
        name: s.name,
        parseHash: parse?.hash ?? null,
        parseName: parse?.name ?? null,
        metrics: s.metrics,
        reduction: s.reduction,
        k: s.k,
        ...(options.registry ? { ranges: metricRanges(s.metrics, options.registry) } : {}),
        ...scorePolicies(s, experiment),
      };
    });
    out.set(task.task_id, { parses, scores });
  }
  return out;
}

/** Inputs of trial planning; items come already loaded and selected per task. */
export interface PlanTrialsOptions {
  items: ReadonlyMap<string, ItemList>;
  globalSeed: number;
  /** Spec path of a task's prompt, for errors (`prompt_variants[2]`). */
  promptPath?: (taskIndex: number, promptIndex: number, promptId: string) => string;
  /**
   * Ids of an earlier walk of the same plan, in plan order: a walk that finds it filled
   * reuses the ids instead of hashing again; a walk that finds it empty fills it.
   */
  ids?: PlannedIds;
}

/**
 * Trial and candidate ids (and seeds) of one walk of a plan, in order, kept compactly: ids are
 * 12 hex digits, 48 bits, which a float64 holds exactly (a million trials: 8 MB, not 40).
 */
export class PlannedIds {
  complete = false;
  #trials = new GrowingArray(Float64Array);
  #candidates = new GrowingArray(Float64Array);
  #seeds = new GrowingArray(Int32Array);

  pushTrial(id: string): void {
    this.#trials.push(parseInt(id, 16));
  }

  pushCandidate(id: string, seed: number): void {
    this.#candidates.push(parseInt(id, 16));
    this.#seeds.push(seed);
  }

  trial(i: number): string {
    return this.#trials.at(i).toString(16).padStart(SHORT_ID_LENGTH, "0");
  }

  candidate(i: number): string {
    return this.#candidates.at(i).toString(16).padStart(SHORT_ID_LENGTH, "0");
  }

  seed(i: number): number {
    return this.#seeds.at(i);
  }
}

/** A typed array that doubles as it fills. */
class GrowingArray<T extends Float64Array | Int32Array> {
  #array: T;
  #length = 0;
  constructor(readonly make: new (n: number) => T) {
    this.#array = new make(1024);
  }
  push(value: number): void {
    if (this.#length === this.#array.length) {
      const bigger = new this.make(this.#array.length * 2);
      bigger.set(this.#array);
      this.#array = bigger;
    }
    this.#array[this.#length++] = value;
  }
  at(i: number): number {
    return this.#array[i];
  }
}

function* taskTrials(
  taskIndex: number,
  task: TaskSpec,
  experiment: ExperimentSpec,
  options: PlanTrialsOptions,
  cursor: { trial: number; candidate: number },
): Generator<PlannedTrial> {
  const { models, num_samples: numSamples, hooks } = experiment;
  const cache = options.ids;
  const reuse = cache?.complete === true;
  const items = options.items.get(task.task_id) ?? ItemList.from([]);
  const dataset = canonicalJson({
    slice_id: task.task_id,
    source: datasetSource(task.dataset),
    dimensions: task.dimensions as JsonObject,
  });
  const hookPart = hooks.length ? canonicalJson(hooks) : undefined;
  const modelParts = models.map((m) =>
    canonicalJson({ id: m.model_id, provider: m.provider, extras: m.extras })
  );
  const seedOf = candidateSeeder(options.globalSeed);
  const dimensions = task.dimensions as JsonObject;
  const slice = { slice_id: task.task_id, dimensions };
  for (const [promptIndex, prompt] of task.prompts.entries()) {
    const promptPart = canonicalJson({
      id: prompt.id,
      messages: prompt.messages,
      variables: prompt.variables,
    });
    const path = options.promptPath?.(taskIndex, promptIndex, prompt.id) ??
      `tasks[${taskIndex}].prompts[${promptIndex}]`;
    const render = messagesRenderer(prompt.messages);
    const promptScope = { id: prompt.id, variables: prompt.variables as JsonObject };
    for (const [paramsIndex, params] of task.inference.entries()) {
      const paramsPart = canonicalJson(params);
      const hashers = modelParts.map((model) =>
        trialHasher({ model, prompt: promptPart, params: paramsPart, dataset, hooks: hookPart })
      );
      for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
        const item = items.get(itemIndex);
        // The canonical JSON of { id, payload }: the payload's is kept by the item list.
        const itemPart = reuse
          ? ""
          : `{"id":${JSON.stringify(item.id)},"payload":${items.canonical(itemIndex)}}`;
        const messages = render({ item: item.payload, slice, prompt: promptScope }, {
          variantId: prompt.id,
          itemId: item.id,
          sliceId: task.task_id,
          path,
        });
        for (let modelIndex = 0; modelIndex < models.length; modelIndex++) {
          const trial = reuse ? cache.trial(cursor.trial) : hashers[modelIndex](itemPart);
          if (cache && !reuse) cache.pushTrial(trial);
          cursor.trial++;
          const candidates: PlannedCandidate[] = new Array(numSamples);
          for (let sample = 0; sample < numSamples; sample++) {
            if (reuse) {
              candidates[sample] = {
                id: cache.candidate(cursor.candidate),
                sample,
                seed: cache.seed(cursor.candidate),
              };
            } else {
              const id = candidateId(trial, sample);
              const seed = seedOf(id);
              candidates[sample] = { id, sample, seed };
              cache?.pushCandidate(id, seed);
            }
            cursor.candidate++;
          }
          yield {
            trial,
            taskId: task.task_id,
            model: models[modelIndex],
            promptId: prompt.id,
            params: params as JsonObject,
            paramsIndex,
            item,
            itemIndex,
            itemCount: items.length,
            messages,
            dimensions,
            candidates,
          };
        }
      }
    }
  }
}

/**
 * Every trial of an experiment, in a fixed order (task, prompt, params, item, model), created
 * lazily so a plan of millions of trials is never held in memory at once. Rendering happens
 * here: a missing template variable fails at planning time.
 */
export function* iterPlannedTrials(
  experiment: ExperimentSpec,
  options: PlanTrialsOptions,
): Generator<PlannedTrial> {
  checkPlanSize(
    experiment,
    new Map(experiment.tasks.map((t) => [t.task_id, options.items.get(t.task_id)?.length ?? 0])),
  );
  const cursor = { trial: 0, candidate: 0 };
  for (const [index, task] of experiment.tasks.entries()) {
    yield* taskTrials(index, task, experiment, options, cursor);
  }
  if (options.ids) options.ids.complete = true;
}
