/**
 * Hashing a large plan's ids on a second thread: a worker fills the plan's `PlannedIds` ahead
 * of its first walk (ids are a third of planning's time), the walk takes the ids it finds there
 * and hashes the others itself. Planning never waits for the worker: one that is slow, or
 * cannot start, only saves less time; the ids are the same either way.
 */
import type { ItemList } from "../plugins/datasets/item_list.ts";
import type { ExperimentSpec } from "../spec/schemas.ts";
import { promptHashPart, sliceHashParts } from "./plan_trials.ts";
import {
  AHEAD_END,
  AHEAD_FROM,
  AHEAD_READY,
  type PlannedIds,
  type PlannedIdsMemory,
  WALK_AT,
} from "./planned_ids.ts";
import { canonicalJson } from "../core/canonical.ts";

/** Plans smaller than this are hashed by the walk alone: a worker takes ~20 ms to start. */
const MIN_TRIALS = 20_000;
/** Items per message to the worker. */
const BATCH_ITEMS = 512;
/** Trials the worker's range starts past the walk, and may have queued past its end. */
const LEAD = 2048;
const QUEUED = 8192;

/** Trials of one (slice, prompt, params) with the same items: what a batch names. */
export interface AheadBatch {
  /** Position of the batch's first trial in the plan. */
  start: number;
  /** The canonical JSON of the hash parts but the item (`models`: one per model, in order). */
  parts: { dataset: string; hooks?: string; prompt: string; params: string; models: string[] };
  /** The canonical JSON of each item's `{ id, payload }`. */
  texts: string[];
}

interface Group {
  first: number;
  parts: AheadBatch["parts"];
  items: ItemList;
}

/** A worker hashing a plan's ids ahead of its walk; `pump` it as the walk goes. */
export class HashAhead {
  readonly #worker: Worker;
  readonly #control: Int32Array;
  readonly #groups: Group[];
  /** The next trial to send (undefined until the worker is up). */
  #next?: number;

  private constructor(worker: Worker, memory: PlannedIdsMemory, groups: Group[]) {
    this.#worker = worker;
    this.#control = memory.control;
    this.#groups = groups;
  }

  /**
   * A worker for this plan if it has at least `minTrials` trials (`ids` sized by a walk), else
   * undefined.
   */
  static start(
    experiment: ExperimentSpec,
    items: ReadonlyMap<string, ItemList>,
    options: { ids: PlannedIds; globalSeed: number; minTrials?: number },
  ): HashAhead | undefined {
    const memory = options.ids.memory;
    if (memory === undefined || memory.trials.length < (options.minTrials ?? MIN_TRIALS)) {
      return undefined;
    }
    let worker: Worker;
    try {
      worker = new Worker(new URL("./_hash_ahead_worker.ts", import.meta.url).href, {
        type: "module",
      });
    } catch {
      return undefined;
    }
    // A worker that fails (its module cannot load) never says it is ready: the walk hashes all.
    worker.onerror = (event) => event.preventDefault();
    worker.postMessage({ memory, globalSeed: options.globalSeed });
    return new HashAhead(worker, memory, planGroups(experiment, items));
  }

  /** Whether the worker is up (it takes work from the next `pump` on). */
  get ready(): boolean {
    return Atomics.load(this.#control, AHEAD_READY) === 1;
  }

  /** The walk is at trial `at`: once the worker is up, keep it a few batches ahead. */
  pump(at: number): void {
    Atomics.store(this.#control, WALK_AT, at);
    if (this.#next === undefined) {
      if (!this.ready) return;
      this.#next = this.#itemStart(at + LEAD);
      Atomics.store(this.#control, AHEAD_FROM, this.#next);
      Atomics.store(this.#control, AHEAD_END, this.#next);
    }
    while (this.#next - Atomics.load(this.#control, AHEAD_END) < QUEUED) {
      const batch = this.#batch(this.#next);
      if (batch === undefined) return;
      this.#worker.postMessage(batch);
      this.#next = batch.start + batch.texts.length * batch.parts.models.length;
    }
  }

  stop(): void {
    this.#worker.terminate();
  }

  /** The first trial at or after `at` that starts an item's trials. */
  #itemStart(at: number): number {
    const group = this.#groups.findLast((g) => g.first <= at);
    if (group === undefined) return at;
    const models = group.parts.models.length;
    return group.first + Math.ceil((at - group.first) / models) * models;
  }

  /** The batch from trial `at` (which starts an item) to at most `BATCH_ITEMS` items later. */
  #batch(at: number): AheadBatch | undefined {
    const group = this.#groups.findLast((g) => g.first <= at);
    if (group === undefined) return undefined;
    const models = group.parts.models.length;
    const from = (at - group.first) / models;
    const to = Math.min(from + BATCH_ITEMS, group.items.length);
    if (from >= to) {
      const next = this.#groups[this.#groups.indexOf(group) + 1];
      return next === undefined ? undefined : this.#batch(next.first);
    }
    const texts: string[] = [];
    for (let i = from; i < to; i++) {
      texts.push(
        `{"id":${JSON.stringify(group.items.id(i))},"payload":${group.items.canonical(i)}}`,
      );
    }
    return { start: at, parts: group.parts, texts };
  }
}

/** The plan's (slice, prompt, params) groups in plan order, with their first trial. */
function planGroups(experiment: ExperimentSpec, items: ReadonlyMap<string, ItemList>): Group[] {
  const groups: Group[] = [];
  let first = 0;
  for (const task of experiment.tasks) {
    const list = items.get(task.task_id);
    if (list === undefined || list.length === 0) continue;
    const { models, ...slice } = sliceHashParts(experiment, task);
    for (const prompt of task.prompts) {
      for (const params of task.inference) {
        const parts = {
          ...slice,
          prompt: promptHashPart(prompt),
          params: canonicalJson(params),
          models,
        };
        groups.push({ first, parts, items: list });
        first += list.length * models.length;
      }
    }
  }
  return groups;
}
