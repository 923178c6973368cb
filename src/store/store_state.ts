import type { Json } from "../core/json.ts";
import type { EventOf, ThemisEvent } from "./events.ts";
import { FactTable } from "./fact_table.ts";

/**
 * `invalid`: the work ran and its outcome is "no answer" (an extraction that found nothing, a
 * judge without a verdict); final like `completed`. `failed`: an error; resume runs it again.
 */
export type FactStatus = "completed" | "invalid" | "failed";

/** The outcome of one overlay of one candidate, as the events say. */
export interface Fact {
  status: FactStatus;
  /** The run whose events hold the fact. */
  run: string;
}

/** What a run's own events say about its executions. */
export interface RunFacts {
  started: number;
  finished: number;
  /** Sequence numbers of the last `run.started` and `run.finished` (-1: none). */
  lastStarted: number;
  lastFinished: number;
  firstStartedAt: string | null;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  /** Time of the run's latest event. */
  lastAt: string | null;
  /** Work items completed since the last `run.started` (for throughput). */
  doneSinceStart: number;
  /** Tokens of the run's completed generations by model: [prompt, completion]. */
  tokens: Record<string, [number, number]>;
  /** Tokens of those made through a provider's Batch API (also counted in `tokens`). */
  batchTokens?: Record<string, [number, number]>;
  /** The run's provider batches by id (the `batch` backend), in submission order. */
  batches?: Record<string, BatchFacts>;
}

/** What a run's events say about one provider batch. */
export interface BatchFacts {
  /** Whose Batch API (`openai`, `anthropic`). */
  provider: string;
  /** The model its requests are for. */
  model: string;
  /** Requests in the batch. */
  requests: number;
  /** The last state recorded (`validating` … `completed`, `expired`, `cancelled`, `failed`). */
  state: string;
  /** Requests that succeeded, as last recorded. */
  completed: number;
  /** Requests that failed, as last recorded. */
  failed: number;
  /** When it was submitted (ISO 8601). */
  submittedAt: string;
  /** True once its results were imported: nothing of it is in flight. */
  imported: boolean;
}

/** The facts of a run with no events yet. */
export function emptyRunFacts(): RunFacts {
  return {
    started: 0,
    finished: 0,
    lastStarted: -1,
    lastFinished: -1,
    firstStartedAt: null,
    lastStartedAt: null,
    lastFinishedAt: null,
    lastAt: null,
    doneSinceStart: 0,
    tokens: {},
  };
}

const later = (
  a: string | null,
  b: string | null,
) => (a === null ? b : b === null || a > b ? a : b);
const earlier = (a: string | null, b: string | null) =>
  a === null ? b : b === null || a < b ? a : b;

function addTokens(
  table: Record<string, [number, number]>,
  model: string,
  usage: { prompt_tokens: number | null; completion_tokens: number | null },
): void {
  const tokens = table[model] ??= [0, 0];
  tokens[0] += usage.prompt_tokens ?? 0;
  tokens[1] += usage.completion_tokens ?? 0;
}

/** Keep a run's batches current: submitted, each state reported, imported. */
function foldBatch(
  run: RunFacts,
  event: EventOf<"batch.submitted"> | EventOf<"batch.status"> | EventOf<"batch.imported">,
): void {
  const batches = run.batches ??= {};
  if (event.type === "batch.submitted") {
    const d = event.data;
    batches[d.batch] = {
      provider: d.provider,
      model: d.model,
      requests: d.requests,
      state: "validating",
      completed: 0,
      failed: 0,
      submittedAt: event.ts,
      imported: false,
    };
    return;
  }
  const batch = batches[event.data.batch];
  if (batch === undefined) return;
  if (event.type === "batch.status") {
    batch.state = event.data.state;
    batch.completed = event.data.counts.completed;
    batch.failed = event.data.counts.failed;
  } else {
    batch.state = event.data.state;
    batch.imported = true;
  }
}

/** True when an overlay needs no more work. */
export const isFinal = (status: FactStatus | undefined): boolean =>
  status === "completed" || status === "invalid";

const STATUS: ReadonlyArray<FactStatus> = ["completed", "invalid", "failed"];
const STATUS_CODE: Record<FactStatus, number> = { completed: 0, invalid: 1, failed: 2 };

/** A judge answer the store holds (the judge-call cache). */
export interface JudgeAnswer {
  text: string;
  usage?: { prompt_tokens?: number | null; completion_tokens?: number | null };
}

/**
 * What the events of a store say is done: a fold (emmett's `evolve`), never stored but as a
 * rebuildable checkpoint. Statuses of every overlay are kept compactly; the texts, answers and
 * judge answers later work needs are kept only for the candidates asked for (`want`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StoreState } from "./store_state.ts";
 * const state = new StoreState();
 * state.evolve({ v: 2, seq: 0, ts: "2026-01-01T00:00:00.000Z", run: "r", type: "parse.failed",
 *   trial: "t", cand: "0123456789ab", overlay: "tf:p1", data: { name: "n", kind: "invalid" } });
 * assert.deepEqual(state.fact("0123456789ab", "tf:p1"), { status: "invalid", run: "r" });
 * ```
 */
export class StoreState {
  readonly facts: FactTable;
  readonly overlays: string[];
  readonly runNames: string[];
  readonly runs: Map<string, RunFacts> = new Map();
  readonly #overlayIndex = new Map<string, number>();
  readonly #runIndex = new Map<string, number>();
  #wanted?: ReadonlySet<string>;
  readonly texts: Map<string, string> = new Map();
  readonly answers: Map<string, Json> = new Map();
  readonly judges: Map<string, Map<string, JudgeAnswer>> = new Map();

  constructor(
    init: { facts?: FactTable; overlays?: string[]; runNames?: string[] } = {},
  ) {
    this.facts = init.facts ?? new FactTable();
    this.overlays = init.overlays ?? [];
    this.runNames = init.runNames ?? [];
    this.overlays.forEach((o, i) => this.#overlayIndex.set(o, i));
    this.runNames.forEach((r, i) => this.#runIndex.set(r, i));
  }

  /** Keep texts, answers and judge answers of these candidates (see `collect`). */
  want(candidates: ReadonlySet<string>): void {
    this.#wanted = candidates;
  }

  #overlayNumber(overlay: string): number {
    let n = this.#overlayIndex.get(overlay);
    if (n === undefined) {
      n = this.overlays.push(overlay) - 1;
      this.#overlayIndex.set(overlay, n);
    }
    return n;
  }

  #runNumber(run: string): number {
    let n = this.#runIndex.get(run);
    if (n === undefined) {
      n = this.runNames.push(run) - 1;
      this.#runIndex.set(run, n);
    }
    return n;
  }

  /** The fact of one overlay of a candidate (`gen`, `tf:<hash>`, `ev:<hash>`). */
  fact(cand: string, overlay: string): Fact | undefined {
    const number = this.#overlayIndex.get(overlay);
    if (number === undefined) return undefined;
    const packed = this.facts.get(cand, number);
    if (packed === undefined) return undefined;
    return { status: STATUS[packed & 3], run: this.runNames[packed >>> 2] };
  }

  /** Number of facts held. */
  get size(): number {
    return this.facts.size;
  }

  /**
   * Record a fact. A final one wins over anything later (a concurrent run's failure never
   * hides a success), and the first final fact stays the one reported.
   */
  record(cand: string, overlay: string, status: FactStatus, run: string): void {
    const number = this.#overlayNumber(overlay);
    const prev = this.facts.get(cand, number);
    if (prev !== undefined && (prev & 3) !== STATUS_CODE.failed) return;
    this.facts.set(cand, number, (this.#runNumber(run) << 2) | STATUS_CODE[status]);
  }

  /** Fold one event into the state. */
  evolve(event: ThemisEvent): this {
    const run = this.#run(event);
    switch (event.type) {
      case "run.started":
        run.started++;
        run.lastStarted = Math.max(run.lastStarted, event.seq);
        run.firstStartedAt = earlier(run.firstStartedAt, event.ts);
        run.lastStartedAt = later(run.lastStartedAt, event.ts);
        run.doneSinceStart = 0;
        break;
      case "run.finished":
        run.finished++;
        run.lastFinished = Math.max(run.lastFinished, event.seq);
        run.lastFinishedAt = later(run.lastFinishedAt, event.ts);
        break;
      case "generation.completed": {
        this.record(event.cand!, "gen", "completed", event.run);
        run.doneSinceStart++;
        const model = event.data.model;
        if (model !== undefined) {
          addTokens(run.tokens, model, event.data.usage);
          if (event.data.source === "batch") {
            addTokens(run.batchTokens ??= {}, model, event.data.usage);
          }
        }
        break;
      }
      case "batch.submitted":
      case "batch.status":
      case "batch.imported":
        foldBatch(run, event);
        break;
      case "generation.failed":
        this.record(event.cand!, "gen", "failed", event.run);
        break;
      case "parse.completed":
        this.record(event.cand!, event.overlay!, "completed", event.run);
        run.doneSinceStart++;
        break;
      case "parse.failed":
      case "score.failed":
        this.record(
          event.cand!,
          event.overlay!,
          event.data.kind === "invalid" ? "invalid" : "failed",
          event.run,
        );
        break;
      case "score.completed":
        this.record(event.cand!, event.overlay!, "completed", event.run);
        run.doneSinceStart++;
        break;
      default:
        break;
    }
    return this;
  }

  /**
   * Keep the text, answers and judge answers an event holds when its candidate was asked for
   * (`want`); the first fact of each stays.
   */
  collect(event: ThemisEvent): void {
    if (event.cand === undefined || !this.#wanted?.has(event.cand)) return;
    if (event.type === "generation.completed") {
      if (!this.texts.has(event.cand)) this.texts.set(event.cand, event.data.text);
    } else if (event.type === "parse.completed") this.#answer(event);
    else if (event.type === "judge.completed") this.#judge(event);
  }

  #run(event: ThemisEvent): RunFacts {
    let run = this.runs.get(event.run);
    if (run === undefined) this.runs.set(event.run, run = emptyRunFacts());
    run.lastAt = later(run.lastAt, event.ts);
    return run;
  }

  #answer(event: EventOf<"parse.completed">): void {
    const key = `${event.cand}|${event.overlay}`;
    if (!this.answers.has(key)) this.answers.set(key, event.data.answer);
  }

  #judge(event: EventOf<"judge.completed">): void {
    const byId = this.judges.get(event.cand!) ?? new Map<string, JudgeAnswer>();
    if (!byId.has(event.data.id)) {
      byId.set(event.data.id, { text: event.data.text, usage: event.data.usage });
    }
    this.judges.set(event.cand!, byId);
  }

  /** The text of a completed generation, when it was wanted. */
  text(cand: string): string | undefined {
    return this.texts.get(cand);
  }

  /** The answer of a completed parse, when it was wanted. */
  answer(cand: string, overlay: string): Json | undefined {
    return this.answers.get(`${cand}|${overlay}`);
  }

  /** True when the run's last execution finished (a `run.finished` after its last start). */
  runFinished(run: string): boolean {
    const facts = this.runs.get(run);
    return facts !== undefined && facts.lastFinished > facts.lastStarted;
  }

  /** Fold another state's facts into this one (later states lose to facts already here). */
  merge(other: StoreState): void {
    for (const [cand, overlay, packed] of other.facts.entries()) {
      this.record(cand, other.overlays[overlay], STATUS[packed & 3], other.runNames[packed >>> 2]);
    }
    for (const [run, facts] of other.runs) {
      const mine = this.runs.get(run);
      // A run's facts come from its own directory only: another state's copy is the same.
      if (!mine) this.runs.set(run, structuredClone(facts));
    }
  }
}
