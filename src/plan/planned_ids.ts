/** Slots of the shared control array: where a helper's range of filled trials starts, ends. */
export const AHEAD_FROM = 0;
export const AHEAD_END = 1;
/** Set once a helper can take work; where the walk is (the helper skips what it passed). */
export const AHEAD_READY = 2;
export const WALK_AT = 3;

/** The memory of a plan's ids, shareable with a worker. */
export interface PlannedIdsMemory {
  trials: Float64Array;
  candidates: Float64Array;
  seeds: Int32Array;
  /** See the `AHEAD_*` and `WALK_AT` slots. */
  control: Int32Array;
  samples: number;
}

/**
 * The trial and candidate ids (and seeds) of a plan, by position in plan order, kept compactly:
 * an id is 12 hex digits, 48 bits, which a float64 holds exactly (a million trials: 8 MB, not
 * 40). The first walk of a plan fills it in order; later walks (execution) read it instead of
 * hashing again. Its memory is shared, so a worker can fill a range ahead of the first walk
 * (`hash_ahead.ts`): the walk takes what it finds there and hashes the rest itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PlannedIds } from "./planned_ids.ts";
 * const ids = new PlannedIds();
 * ids.size(2, 1);
 * ids.set(0, "00000000000a", [{ id: "00000000000b", seed: 7 }]);
 * assert.ok(ids.has(0) && !ids.has(1) && !ids.complete);
 * assert.deepEqual([ids.trial(0), ids.candidate(0), ids.seed(0)], ["00000000000a", "00000000000b", 7]);
 * ```
 */
export class PlannedIds {
  /** Trials 0 … filled − 1 have their ids. */
  #filled = 0;
  #memory?: PlannedIdsMemory;

  /** Make room for a plan of `trials` trials of `samples` candidates each (once). */
  size(trials: number, samples: number): void {
    if (this.#memory !== undefined) return;
    const shared = (bytes: number) => new SharedArrayBuffer(Math.max(bytes, 8));
    this.#memory = {
      trials: new Float64Array(shared(trials * 8)),
      candidates: new Float64Array(shared(trials * samples * 8)),
      seeds: new Int32Array(shared(trials * samples * 4)),
      control: new Int32Array(shared(16)),
      samples,
    };
  }

  /** The shared memory, for a helper that fills ids ahead of the walk. */
  get memory(): PlannedIdsMemory | undefined {
    return this.#memory;
  }

  /** Whether every trial of the plan has its ids. */
  get complete(): boolean {
    return this.#memory !== undefined && this.#filled === this.#memory.trials.length;
  }

  /** Whether trial `i` has its ids; the walk asks in order, one trial after the other. */
  has(i: number): boolean {
    if (i < this.#filled) return true;
    const control = this.#memory?.control;
    if (control === undefined || i !== this.#filled) return false;
    // Read the end first: a helper moves its start only after emptying its range.
    const end = Atomics.load(control, AHEAD_END);
    if (i < Atomics.load(control, AHEAD_FROM) || i >= end) return false;
    this.#filled++;
    return true;
  }

  /** Record trial `i` (the next one) with its candidates, sample 0 first. */
  set(i: number, trial: string, candidates: ReadonlyArray<{ id: string; seed: number }>): void {
    const memory = this.#memory!;
    memory.trials[i] = parseInt(trial, 16);
    for (let s = 0; s < candidates.length; s++) {
      memory.candidates[i * memory.samples + s] = parseInt(candidates[s].id, 16);
      memory.seeds[i * memory.samples + s] = candidates[s].seed;
    }
    if (i === this.#filled) this.#filled++;
  }

  trial(i: number): string {
    return hex(this.#memory!.trials[i]);
  }

  /** Candidate `j` of the plan: sample `s` of trial `i` is `i × samples + s`. */
  candidate(j: number): string {
    return hex(this.#memory!.candidates[j]);
  }

  seed(j: number): number {
    return this.#memory!.seeds[j];
  }
}

/** Every 12-bit number as 3 hex digits: `toString(16)` of a float64 is slow, ids are many. */
const HEX3 = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, "0"));

/** A 48-bit id as its 12 hex digits. */
function hex(id: number): string {
  const high = Math.floor(id / 0x1000000);
  const low = id - high * 0x1000000;
  return HEX3[high >>> 12] + HEX3[high & 4095] + HEX3[low >>> 12] + HEX3[low & 4095];
}
