import type { Json, JsonObject } from "../core/json.ts";
import type { ThemisEvent } from "./events.ts";

/** The outcome of one overlay of one candidate, as the events say. */
export interface OverlayState {
  /**
   * `invalid`: the work ran and its outcome is "no answer" (an extraction that found nothing);
   * final like `completed`. `failed`: an error; resume runs it again.
   */
  status: "completed" | "invalid" | "failed";
  /** The run whose events hold the fact. */
  run: string;
  trial: string;
}

/** A generation the store holds. */
export interface GenerationState extends OverlayState {
  text?: string;
}

/** A parse the store holds. */
export interface ParseState extends OverlayState {
  answer?: Json;
}

/** What the events of a store say is done: a fold, never stored. */
export interface StoreState {
  generations: Map<string, GenerationState>;
  /** Keyed by `${candidate}|${overlay}`. */
  parses: Map<string, ParseState>;
  scores: Map<string, OverlayState>;
  runs: Map<string, { started: number; finished: number }>;
  /** Judge answers by candidate, then by judge call id (the cache of judge calls). */
  judges: Map<string, Map<string, { text: string; usage?: JsonObject }>>;
}

/** An empty state. */
export function emptyStoreState(): StoreState {
  return {
    generations: new Map(),
    parses: new Map(),
    scores: new Map(),
    runs: new Map(),
    judges: new Map(),
  };
}

/** True when an overlay needs no more work. */
export const isFinal = (status: OverlayState["status"] | undefined): boolean =>
  status === "completed" || status === "invalid";

/** Key of an overlay of a candidate. */
export const overlayKey = (candidate: string, overlay: string): string => `${candidate}|${overlay}`;

// A success is final: a later failure (a concurrent run) never hides it, and the first success
// stays the one the store reports.
function record<T extends OverlayState>(map: Map<string, T>, key: string, next: T): void {
  const prev = map.get(key);
  if (prev !== undefined && isFinal(prev.status)) return;
  map.set(key, next);
}

/**
 * Fold one event into the state (emmett's `evolve`). Pure apart from mutating `state`.
 *
 * @example
 * ```ts
 * import { emptyStoreState, evolve } from "./store_state.ts";
 * const state = emptyStoreState();
 * evolve(state, { v: 1, seq: 0, ts: "", run: "r", type: "generation.completed", trial: "t",
 *   cand: "c", overlay: "gen", data: { text: "4" } });
 * console.assert(state.generations.get("c")?.status === "completed");
 * ```
 */
export function evolve(state: StoreState, event: ThemisEvent): StoreState {
  const data = event.data as JsonObject;
  switch (event.type) {
    case "run.started":
    case "run.finished": {
      const run = state.runs.get(event.run) ?? { started: 0, finished: 0 };
      if (event.type === "run.started") run.started++;
      else run.finished++;
      state.runs.set(event.run, run);
      break;
    }
    case "generation.completed":
    case "generation.failed":
      record(state.generations, event.cand!, {
        status: event.type === "generation.completed" ? "completed" : "failed",
        run: event.run,
        trial: event.trial!,
        text: typeof data.text === "string" ? data.text : undefined,
      });
      break;
    case "parse.completed":
    case "parse.failed":
      record(state.parses, overlayKey(event.cand!, event.overlay!), {
        status: event.type === "parse.completed"
          ? "completed"
          : data.kind === "invalid"
          ? "invalid"
          : "failed",
        run: event.run,
        trial: event.trial!,
        answer: data.answer,
      });
      break;
    case "score.completed":
    case "score.failed":
      record(state.scores, overlayKey(event.cand!, event.overlay!), {
        status: event.type === "score.completed"
          ? "completed"
          : data.kind === "invalid"
          ? "invalid"
          : "failed",
        run: event.run,
        trial: event.trial!,
      });
      break;
    case "judge.completed": {
      const byId = state.judges.get(event.cand!) ?? new Map();
      if (!byId.has(data.id as string)) {
        byId.set(data.id as string, {
          text: data.text as string,
          usage: data.usage as JsonObject | undefined,
        });
      }
      state.judges.set(event.cand!, byId);
      break;
    }
    default:
      break;
  }
  return state;
}
