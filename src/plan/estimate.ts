/**
 * The pure part of estimates (docs/estimates.md): walk a plan, count the work still pending,
 * the prompt tokens of pending generations (with a token counter passed in), their expected
 * completion tokens (history, else `max_tokens`, else a default) and their cost.
 */
import type { ModelSpec, ProjectSpec } from "../spec/schemas.ts";
import type { TokenCounter } from "./estimate_tokens.ts";
import type { RunPlan } from "./plan_run.ts";
import type { PlannedTrial } from "./plan_trials.ts";

/** Completion tokens assumed per request when nothing better is known. */
export const DEFAULT_COMPLETION_TOKENS = 256;

/** Work items of one stage. */
export interface StageWork {
  /** Work items of the stage in the plan. */
  total: number;
  /** Still to do (failed work counts: resume runs it again). */
  pending: number;
  /** Already in the store (or, for scores, not needed because the parse found no answer). */
  done: number;
}

/** Where a row's completion token figure comes from. */
export type CompletionSource = "history" | "max_tokens" | "default" | "mixed";

/** The pending generations of one model on one slice. */
export interface EstimateRow {
  /** The model. */
  modelId: string;
  /** Its engine. */
  provider: string;
  /** The slice. */
  sliceId: string;
  /** The tiktoken encoding the prompts were counted with. */
  encoding: string;
  /** True when the encoding is not the model's own (any non-OpenAI model). */
  approximate: boolean;
  /** Pending generations (requests). */
  requests: number;
  /** Prompt tokens of those requests. */
  promptTokens: number;
  /** Expected completion tokens of those requests. */
  completionTokens: number;
  /** Where the completion figure comes from. */
  completionSource: CompletionSource;
  /** Mean completion tokens of earlier generations of this model on this slice, when known. */
  historyMean?: number;
  /** How many earlier generations that mean is over. */
  historyCount?: number;
  /** Null when the project has no price for the model. */
  cost: number | null;
}

/** What running the pending work of a plan would take. */
export interface CostEstimate {
  /** The run the spec plans to. */
  runId: string;
  /** Work items per stage: total, pending, done. */
  stages: { generation: StageWork; parse: StageWork; score: StageWork };
  /** Prompt tokens of every pending generation. */
  promptTokens: number;
  /** Expected completion tokens of every pending generation. */
  completionTokens: number;
  /** Sum over the rows with a price; `unpriced` lists models left out. */
  cost: number;
  /** Models without a price in the project. */
  unpriced: string[];
  /** Pending generations per model and slice. */
  rows: EstimateRow[];
  /** How each figure was made. */
  notes: string[];
}

/** Whether work is done, as the store (or a hypothetical store) says. */
export interface WorkState {
  generation(trial: PlannedTrial, candidate: string): boolean;
  parse(trial: PlannedTrial, candidate: string, parseHash: string): "done" | "invalid" | "pending";
  score(trial: PlannedTrial, candidate: string, scoreHash: string): boolean;
}

/** Mean completion tokens of earlier generations of a model on a slice. */
export interface CompletionHistory {
  mean: number;
  count: number;
}

/** The key of a (model, slice) pair in a history map. */
export const historyKey = (modelId: string, sliceId: string): string =>
  `${modelId}\u0000${sliceId}`;

/** Options of {@linkcode estimatePlan}. */
export interface EstimatePlanOptions {
  state: WorkState;
  history: ReadonlyMap<string, CompletionHistory>;
  pricing: ProjectSpec["pricing"];
  /** Generations go through a Batch API: prices less their `batch_discount` (default 0.5). */
  batch?: boolean;
  /** The token counter of a model (loaded beforehand) and whether it is an approximation. */
  counterFor: (model: ModelSpec) => { counter: TokenCounter; approximate: boolean };
}

type Walkable = Pick<RunPlan, "manifest" | "stages" | "iterTrials">;

function completionFor(
  trial: PlannedTrial,
  history: CompletionHistory | undefined,
): { tokens: number; source: Exclude<CompletionSource, "mixed"> } {
  if (history) return { tokens: history.mean, source: "history" };
  const max = trial.params.max_tokens ?? trial.params.max_completion_tokens;
  if (typeof max === "number") return { tokens: max, source: "max_tokens" };
  return { tokens: DEFAULT_COMPLETION_TOKENS, source: "default" };
}

function emptyWork(): StageWork {
  return { total: 0, pending: 0, done: 0 };
}

function countStages(
  trial: PlannedTrial,
  { plan, state, stages }: { plan: Walkable; state: WorkState; stages: CostEstimate["stages"] },
): number {
  const { parses, scores } = plan.stages.get(trial.taskId)!;
  let pendingGenerations = 0;
  for (const { id } of trial.candidates) {
    const generated = state.generation(trial, id);
    stages.generation.total++;
    if (generated) stages.generation.done++;
    else pendingGenerations++;
    const parsed = new Map<string, "done" | "invalid" | "pending">();
    for (const p of parses) {
      const status = generated ? state.parse(trial, id, p.hash) : "pending";
      parsed.set(p.hash, status);
      stages.parse.total++;
      if (status === "pending") stages.parse.pending++;
      else stages.parse.done++;
    }
    for (const s of scores) {
      stages.score.total++;
      const unanswered = s.parseHash !== null && parsed.get(s.parseHash) === "invalid";
      if (unanswered || (generated && state.score(trial, id, s.hash))) stages.score.done++;
      else stages.score.pending++;
    }
  }
  stages.generation.pending += pendingGenerations;
  return pendingGenerations;
}

interface RowBuilder extends EstimateRow {
  completion: number;
  sources: Set<Exclude<CompletionSource, "mixed">>;
}

function newRow(trial: PlannedTrial, options: EstimatePlanOptions): RowBuilder {
  const { counter, approximate } = options.counterFor(trial.model);
  const history = options.history.get(historyKey(trial.model.model_id, trial.taskId));
  return {
    modelId: trial.model.model_id,
    provider: trial.model.provider,
    sliceId: trial.taskId,
    encoding: counter.encoding,
    approximate,
    requests: 0,
    promptTokens: 0,
    completionTokens: 0,
    completionSource: "default",
    ...(history ? { historyMean: history.mean, historyCount: history.count } : {}),
    cost: null,
    completion: 0,
    sources: new Set(),
  };
}

/**
 * Estimate the pending work of a plan. Pure: the store's state, the completion history, the
 * price table and the token counters are passed in.
 */
export function estimatePlan(plan: Walkable, options: EstimatePlanOptions): CostEstimate {
  const stages = { generation: emptyWork(), parse: emptyWork(), score: emptyWork() };
  const rows = new Map<string, RowBuilder>();
  let lastMessages: unknown;
  let lastCounter: TokenCounter | undefined;
  let lastCount = 0;
  for (const trial of plan.iterTrials()) {
    const pending = countStages(trial, { plan, state: options.state, stages });
    if (pending === 0) continue;
    const key = historyKey(trial.model.model_id, trial.taskId);
    let row = rows.get(key);
    if (row === undefined) rows.set(key, row = newRow(trial, options));
    const { counter } = options.counterFor(trial.model);
    // Trials of one rendered prompt come one model after another: count each prompt once.
    if (trial.messages !== lastMessages || counter !== lastCounter) {
      lastCount = counter.countChat(trial.messages);
      lastMessages = trial.messages;
      lastCounter = counter;
    }
    const completion = completionFor(trial, options.history.get(key));
    row.requests += pending;
    row.promptTokens += lastCount * pending;
    row.completion += completion.tokens * pending;
    row.sources.add(completion.source);
  }
  return finish([...rows.values()], { runId: plan.manifest.run_id, stages, options });
}

function finish(
  builders: RowBuilder[],
  { runId, stages, options }: {
    runId: string;
    stages: CostEstimate["stages"];
    options: EstimatePlanOptions;
  },
): CostEstimate {
  const rows: EstimateRow[] = builders.map(({ completion, sources, ...row }) => {
    const completionTokens = Math.round(completion);
    const price = options.pricing[row.modelId];
    const share = options.batch ? 1 - (price?.batch_discount ?? 0.5) : 1;
    return {
      ...row,
      completionTokens,
      completionSource: sources.size === 1 ? [...sources][0] : "mixed",
      cost: price
        ? (row.promptTokens * price.input_per_million +
          completionTokens * price.output_per_million) / 1e6 * share
        : null,
    };
  });
  const unpriced = [...new Set(rows.filter((r) => r.cost === null).map((r) => r.modelId))];
  return {
    runId,
    stages,
    promptTokens: rows.reduce((n, r) => n + r.promptTokens, 0),
    completionTokens: rows.reduce((n, r) => n + r.completionTokens, 0),
    cost: rows.reduce((n, r) => n + (r.cost ?? 0), 0),
    unpriced,
    rows,
    notes: [
      ...estimateNotes(rows, unpriced),
      ...(options.batch && rows.length > 0
        ? ["Costs are Batch API prices: the price table less each model's batch_discount."]
        : []),
    ],
  };
}

const fmt = (n: number) => Number.isInteger(n) ? String(n) : n.toFixed(1);

/**
 * The (model, slice) rows of one note, short: `a on s1, s2; b on 32 slices`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { whereRows } from "./estimate.ts";
 * const rows = ["s1", "s2", "s3", "s4"].map((sliceId) => ({ modelId: "a", sliceId }));
 * assert.equal(whereRows([...rows, { modelId: "b", sliceId: "s1" }]), "a on 4 slices; b on s1");
 * ```
 */
export function whereRows(rows: ReadonlyArray<Pick<EstimateRow, "modelId" | "sliceId">>): string {
  const byModel = new Map<string, string[]>();
  for (const r of rows) byModel.set(r.modelId, [...(byModel.get(r.modelId) ?? []), r.sliceId]);
  return [...byModel].map(([model, slices]) =>
    `${model} on ${slices.length <= 3 ? slices.join(", ") : `${slices.length} slices`}`
  ).join("; ");
}

/** One note per way completion tokens were found (the table's completion_from column). */
function completionNotes(rows: ReadonlyArray<EstimateRow>): string[] {
  const notes: string[] = [];
  const history = rows.filter((r) => r.historyMean !== undefined);
  if (history.length > 0) {
    const means = history.map((r) => r.historyMean!);
    const [low, high] = [Math.min(...means), Math.max(...means)];
    notes.push(
      `Completion tokens for ${whereRows(history)}: the mean of earlier generations of the ` +
        `same model on the same slice in the store (${
          low === high ? fmt(low) : `${fmt(low)}–${fmt(high)}`
        } per request).`,
    );
  }
  const fresh = rows.filter((r) => r.historyMean === undefined);
  const capped = fresh.filter((r) => r.completionSource === "max_tokens");
  if (capped.length > 0) {
    notes.push(
      `Completion tokens for ${whereRows(capped)}: max_tokens from the inference params ` +
        `(an upper bound).`,
    );
  }
  const guessed = fresh.filter((r) => r.completionSource === "default");
  if (guessed.length > 0) {
    notes.push(
      `Completion tokens for ${whereRows(guessed)}: no earlier generation in the store and no ` +
        `max_tokens: ${DEFAULT_COMPLETION_TOKENS} per request (a guess).`,
    );
  }
  const mixed = fresh.filter((r) => r.completionSource === "mixed");
  if (mixed.length > 0) {
    notes.push(
      `Completion tokens for ${whereRows(mixed)}: no earlier generation in the store: ` +
        `max_tokens where the params set it, else ${DEFAULT_COMPLETION_TOKENS}.`,
    );
  }
  return notes;
}

/** Sentences saying how each figure of an estimate was made. */
export function estimateNotes(rows: ReadonlyArray<EstimateRow>, unpriced: string[]): string[] {
  const notes = [
    "Only pending work is counted: generations, parses and scores the store already holds " +
    "(from any run) are reused; failed work counts as pending.",
  ];
  if (rows.length === 0) return [...notes, "No generation is pending: nothing to pay for."];
  const encodings = [...new Set(rows.map((r) => r.encoding))].join(", ");
  notes.push(
    `Prompt tokens: js-tiktoken (${encodings}) over each rendered prompt, plus 3 tokens per ` +
      `message and 3 per request for the chat format, times the pending samples.`,
  );
  const approximate = [...new Set(rows.filter((r) => r.approximate).map((r) => r.modelId))];
  if (approximate.length > 0) {
    notes.push(
      `${approximate.join(", ")}: not an OpenAI model, so its prompts were counted with ` +
        `o200k_base as an approximation (its own tokenizer may differ by 10–30%).`,
    );
  }
  notes.push(...completionNotes(rows));
  notes.push(
    unpriced.length === 0
      ? "Cost: the project's pricing table (input and output per million tokens)."
      : `Cost: the project's pricing table; no price for ${unpriced.join(", ")} (add ` +
        `[pricing."<model_id>"] with input_per_million and output_per_million to the project ` +
        `file), so the total leaves them out.`,
  );
  notes.push("Parses and scores run locally: no tokens are counted for them (LLM judges aside).");
  return notes;
}
