import type { JsonObject } from "../../core/json.ts";
import { type CompletionHistory, historyKey, type WorkState } from "../../plan/estimate.ts";
import { iterEvents } from "../../store/event_log.ts";
import { parseOverlay, scoreOverlay, type ThemisEvent } from "../../store/events.ts";
import type { RunStore } from "../../store/run_store.ts";
import {
  emptyStoreState,
  evolve,
  isFinal,
  overlayKey,
  type StoreState,
} from "../../store/store_state.ts";

/**
 * Fold every event of the store into what is done (like `RunStore.loadState`), showing each
 * event to `visit` on the way, so one pass can collect more than the state.
 *
 * @example
 * ```ts
 * import { foldStore } from "./fold_store.ts";
 * import { RunStore } from "../../store/run_store.ts";
 * const state = await foldStore(new RunStore(await Deno.makeTempDir()));
 * console.assert(state.generations.size === 0);
 * ```
 */
export async function foldStore(
  runs: RunStore,
  visit?: (event: ThemisEvent) => void,
): Promise<StoreState> {
  const state = emptyStoreState();
  for (const runId of await runs.listRunIds()) {
    for await (const event of iterEvents(runs.eventsFile(runId))) {
      evolve(state, event);
      visit?.(event);
    }
  }
  return state;
}

/** The store's state as the estimator asks for it. */
export function storeWorkState(state: StoreState): WorkState {
  return {
    generation: (_trial, candidate) => state.generations.get(candidate)?.status === "completed",
    parse: (_trial, candidate, hash) => {
      const status = state.parses.get(overlayKey(candidate, parseOverlay(hash)))?.status;
      return status === "invalid" ? "invalid" : isFinal(status) ? "done" : "pending";
    },
    score: (_trial, candidate, hash) =>
      isFinal(state.scores.get(overlayKey(candidate, scoreOverlay(hash)))?.status),
  };
}

/**
 * Collects, while the store is folded, the completion tokens of every completed generation
 * by (model, slice), from `trial.planned` and `generation.completed` events.
 */
export class CompletionHistoryCollector {
  readonly #keyOfTrial = new Map<string, string>();
  readonly #perTrial = new Map<string, { sum: number; count: number }>();
  readonly #seen = new Set<string>();

  visit = (event: ThemisEvent): void => {
    if (event.type === "trial.planned" && event.trial !== undefined) {
      const data = event.data;
      if (typeof data.model_id === "string" && typeof data.slice_id === "string") {
        this.#keyOfTrial.set(event.trial, historyKey(data.model_id, data.slice_id));
      }
    } else if (event.type === "generation.completed" && event.cand && event.trial) {
      const tokens = (event.data.usage as JsonObject | undefined)?.completion_tokens;
      // The first fact of a candidate counts once, like the projections.
      if (typeof tokens !== "number" || this.#seen.has(event.cand)) return;
      this.#seen.add(event.cand);
      const entry = this.#perTrial.get(event.trial) ?? { sum: 0, count: 0 };
      entry.sum += tokens;
      entry.count++;
      this.#perTrial.set(event.trial, entry);
    }
  };

  /** Mean completion tokens per (model, slice) key (see `historyKey`). */
  history(): Map<string, CompletionHistory> {
    const totals = new Map<string, { sum: number; count: number }>();
    for (const [trial, { sum, count }] of this.#perTrial) {
      const key = this.#keyOfTrial.get(trial);
      if (key === undefined) continue;
      const total = totals.get(key) ?? { sum: 0, count: 0 };
      total.sum += sum;
      total.count += count;
      totals.set(key, total);
    }
    const out = new Map<string, CompletionHistory>();
    for (const [key, { sum, count }] of totals) out.set(key, { mean: sum / count, count });
    return out;
  }
}
