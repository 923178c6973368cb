/// <reference lib="deno.worker" />
/**
 * The worker of `hash_ahead.ts`: hashes the trials of each batch it is sent (every model of
 * each item) with their candidates and seeds, writes them into the plan's shared id memory and
 * moves the end of its range after each item. A batch the walk already passed is skipped.
 */
import { candidateId, candidateSeeder, trialHasher } from "./ids.ts";
import { AHEAD_END, AHEAD_READY, type PlannedIdsMemory, WALK_AT } from "./planned_ids.ts";
import type { AheadBatch } from "./hash_ahead.ts";

let memory: PlannedIdsMemory;
let seedOf: (candidate: string) => number;
const hashers = new Map<string, Array<(item: string) => string>>();

function hashBatch({ start, parts, texts }: AheadBatch): void {
  const models = parts.models.length;
  const { control, trials, candidates, seeds, samples } = memory;
  const end = start + texts.length * models;
  if (end <= Atomics.load(control, WALK_AT)) {
    Atomics.store(control, AHEAD_END, end);
    return;
  }
  const key = JSON.stringify([parts.dataset, parts.hooks, parts.prompt, parts.params]);
  let group = hashers.get(key);
  if (group === undefined) {
    const { models: _, ...rest } = parts;
    group = parts.models.map((model) => trialHasher({ ...rest, model }));
    hashers.set(key, group);
  }
  let t = start;
  for (const text of texts) {
    for (const hash of group) {
      const trial = hash(text);
      trials[t] = parseInt(trial, 16);
      for (let sample = 0; sample < samples; sample++) {
        const id = candidateId(trial, sample);
        candidates[t * samples + sample] = parseInt(id, 16);
        seeds[t * samples + sample] = seedOf(id);
      }
      t++;
    }
    Atomics.store(control, AHEAD_END, t);
  }
}

self.onmessage = (
  event: MessageEvent<{ memory: PlannedIdsMemory; globalSeed: number } | AheadBatch>,
) => {
  const data = event.data;
  if ("memory" in data) {
    memory = data.memory;
    seedOf = candidateSeeder(data.globalSeed);
    Atomics.store(memory.control, AHEAD_READY, 1);
  } else hashBatch(data);
};
