import { type CompletionHistory, historyKey, type WorkState } from "../../plan/estimate.ts";
import { GEN_OVERLAY, parseOverlay, scoreOverlay } from "../../store/events.ts";
import { isFinal, type StoreState } from "../../store/store_state.ts";
import type { Store } from "../store.ts";

/**
 * The store's state as the estimator asks for it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storeWorkState } from "./fold_store.ts";
 * import { StoreState } from "../../store/store_state.ts";
 * import type { PlannedTrial } from "../../plan/plan_trials.ts";
 * const work = storeWorkState(new StoreState());
 * const trial = { trial: "t" } as PlannedTrial; // the store's state is keyed by candidate
 * assert.equal(work.generation(trial, "0123456789ab"), false);
 * assert.equal(work.parse(trial, "0123456789ab", "p1"), "pending");
 * ```
 */
export function storeWorkState(state: StoreState): WorkState {
  return {
    generation: (_trial, candidate) => state.fact(candidate, GEN_OVERLAY)?.status === "completed",
    parse: (_trial, candidate, hash) => {
      const status = state.fact(candidate, parseOverlay(hash))?.status;
      return status === "invalid" ? "invalid" : isFinal(status) ? "done" : "pending";
    },
    score: (_trial, candidate, hash) => isFinal(state.fact(candidate, scoreOverlay(hash))?.status),
  };
}

/**
 * The mean completion tokens of every completed generation of the store by (model, slice),
 * from the analytics projections (each candidate counted once).
 */
export async function completionHistory(store: Store): Promise<Map<string, CompletionHistory>> {
  const rows = await (await store.analytics()).all(
    `select t.model_id, t.slice_id, avg(c.tokens_out) as mean, count(c.tokens_out) as n
     from candidates c join trials t using (trial)
     where c.tokens_out is not null group by all`,
  );
  const out = new Map<string, CompletionHistory>();
  for (const row of rows) {
    out.set(historyKey(String(row.model_id), String(row.slice_id)), {
      mean: Number(row.mean),
      count: Number(row.n),
    });
  }
  return out;
}
