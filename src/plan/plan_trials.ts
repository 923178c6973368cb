import type { JsonObject } from "../core/json.ts";
import type { DatasetItem } from "../plugins/datasets/select_items.ts";
import { ItemList } from "../plugins/datasets/item_list.ts";
import { datasetSource } from "../plugins/datasets/load_dataset.ts";
import type { ChatMessage } from "../plugins/types.ts";
import type { ExperimentSpec, ModelSpec, PluginRef, ScoreSpec, TaskSpec } from "../spec/schemas.ts";
import type { MetricRange } from "../plugins/types.ts";
import type { Registry } from "../plugins/registry.ts";
import { metricRange, UNBOUNDED } from "../plugins/metrics/metric_range.ts";
import { canonicalJson } from "../core/canonical.ts";
import type { PlannedIds } from "./planned_ids.ts";
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
  /** The item (its payload left empty by a walk with `parsePayloads: false`). */
  item: DatasetItem;
  /** The canonical JSON of the item's payload. */
  payloadJson: string;
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
   * The plan's ids, by position: a walk takes those it finds (an earlier walk's, or a
   * helper's) instead of hashing again, and fills in the others.
   */
  ids?: PlannedIds;
  /**
   * Parse each item's payload for `item.payload` (default). A walk that reads only
   * `payloadJson` (the plan's first, which writes the manifest) skips it: prompts render from the
   * JSON text, parsing only for fields the text cannot give.
   */
  parsePayloads?: boolean;
}

/** The payload of the items of a walk that does not read them (`parsePayloads: false`). */
const UNREAD: JsonObject = Object.freeze({}) as JsonObject;

/** The canonical JSON of a slice's parts of every trial hash but the item, params and prompt. */
export function sliceHashParts(
  experiment: ExperimentSpec,
  task: TaskSpec,
): { dataset: string; hooks?: string; models: string[] } {
  return {
    dataset: canonicalJson({
      slice_id: task.task_id,
      source: datasetSource(task.dataset),
      dimensions: task.dimensions as JsonObject,
    }),
    hooks: experiment.hooks.length ? canonicalJson(experiment.hooks) : undefined,
    models: experiment.models.map((m) =>
      canonicalJson({ id: m.model_id, provider: m.provider, extras: m.extras })
    ),
  };
}

/** The canonical JSON of a prompt variant's part of a trial hash. */
export function promptHashPart(prompt: TaskSpec["prompts"][number]): string {
  return canonicalJson({ id: prompt.id, messages: prompt.messages, variables: prompt.variables });
}

function* taskTrials(
  taskIndex: number,
  task: TaskSpec,
  experiment: ExperimentSpec,
  options: PlanTrialsOptions,
  cursor: { trial: number },
): Generator<PlannedTrial> {
  const { models, num_samples: numSamples } = experiment;
  const cache = options.ids;
  const parse = options.parsePayloads !== false;
  const items = options.items.get(task.task_id) ?? ItemList.from([]);
  const { dataset, hooks: hookPart, models: modelParts } = sliceHashParts(experiment, task);
  const seedOf = candidateSeeder(options.globalSeed);
  const dimensions = task.dimensions as JsonObject;
  const slice = { slice_id: task.task_id, dimensions };
  for (const [promptIndex, prompt] of task.prompts.entries()) {
    const promptPart = promptHashPart(prompt);
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
        const payloadJson = items.canonical(itemIndex);
        const item = parse
          ? { id: items.id(itemIndex), payload: JSON.parse(payloadJson) as JsonObject }
          : { id: items.id(itemIndex), payload: UNREAD };
        // The canonical JSON of { id, payload }: the payload's is kept by the item list.
        let itemPart: string | undefined;
        const scope = {
          item: parse ? item.payload : undefined,
          itemJson: payloadJson,
          slice,
          prompt: promptScope,
        };
        const messages = render(scope, {
          variantId: prompt.id,
          itemId: item.id,
          sliceId: task.task_id,
          path,
        });
        for (let modelIndex = 0; modelIndex < models.length; modelIndex++) {
          const at = cursor.trial++;
          const candidates: PlannedCandidate[] = new Array(numSamples);
          let trial: string;
          if (cache?.has(at)) {
            trial = cache.trial(at);
            for (let sample = 0; sample < numSamples; sample++) {
              const j = at * numSamples + sample;
              candidates[sample] = { id: cache.candidate(j), sample, seed: cache.seed(j) };
            }
          } else {
            itemPart ??= `{"id":${JSON.stringify(item.id)},"payload":${payloadJson}}`;
            trial = hashers[modelIndex](itemPart);
            for (let sample = 0; sample < numSamples; sample++) {
              const id = candidateId(trial, sample);
              candidates[sample] = { id, sample, seed: seedOf(id) };
            }
            cache?.set(at, trial, candidates);
          }
          yield {
            trial,
            taskId: task.task_id,
            model: models[modelIndex],
            promptId: prompt.id,
            params: params as JsonObject,
            paramsIndex,
            item,
            payloadJson,
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
  const counts = new Map(
    experiment.tasks.map((t) => [t.task_id, options.items.get(t.task_id)?.length ?? 0]),
  );
  const candidates = checkPlanSize(experiment, counts);
  options.ids?.size(candidates / experiment.num_samples, experiment.num_samples);
  const cursor = { trial: 0 };
  for (const [index, task] of experiment.tasks.entries()) {
    yield* taskTrials(index, task, experiment, options, cursor);
  }
}
