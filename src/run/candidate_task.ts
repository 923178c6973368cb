import type {
  PlannedCandidate,
  PlannedParse,
  PlannedScore,
  PlannedTrial,
} from "../plan/plan_trials.ts";
import type { RunPlan } from "../plan/plan_run.ts";
import type { Stage } from "../plan/check_plugins.ts";
import type { ExecutionPolicy, PluginRef } from "../spec/schemas.ts";
import { GEN_OVERLAY, parseOverlay, scoreOverlay } from "../store/events.ts";
import { isFinal, type StoreState } from "../store/store_state.ts";
import type { GenerationTask, StagesTask } from "./candidate_work.ts";
import type { StageTimeouts } from "./task_clock.ts";

/** What one candidate still needs, as the store's state says. Pure. */
export interface PendingWork {
  /** No generation to read: none in the store (`missing`) or a failed one (`failed`). */
  noText?: "missing" | "failed";
  needGeneration: boolean;
  /** The text of a generation already in the store. */
  text?: string;
  parses: PlannedParse[];
  scores: PlannedScore[];
  /** Work items found final: parses done, scores done, scores that cannot be computed. */
  parsesDone: number;
  scoresDone: number;
  scoresBlocked: number;
  knownAnswers: StagesTask["knownAnswers"];
}

/**
 * The pending generation, parses and scores of one candidate: plan minus what the store holds.
 * A score over a parse that found no answer has nothing to score, now or on resume.
 */
export function pendingWork(
  trial: PlannedTrial,
  candidate: PlannedCandidate,
  options: { plan: RunPlan; state: StoreState; stages: ReadonlyArray<Stage> },
): PendingWork {
  const { state, stages } = options;
  const gen = state.fact(candidate.id, GEN_OVERLAY);
  const generated = gen?.status === "completed";
  const needGeneration = stages.includes("generation") && !generated;
  const taskStages = options.plan.stages.get(trial.taskId)!;
  const base = { parsesDone: 0, scoresDone: 0, scoresBlocked: 0, knownAnswers: {} };
  if (!needGeneration && !generated) {
    return {
      ...base,
      noText: gen === undefined ? "missing" : "failed",
      needGeneration,
      parses: [],
      scores: [],
    };
  }
  const status = (overlay: string) => state.fact(candidate.id, overlay)?.status;
  const unanswered = (parseHash: string | null) =>
    parseHash !== null && status(parseOverlay(parseHash)) === "invalid";
  const parses = stages.includes("parse")
    ? taskStages.parses.filter((p) => !isFinal(status(parseOverlay(p.hash))))
    : [];
  const scores = stages.includes("score")
    ? taskStages.scores.filter((s) =>
      !isFinal(status(scoreOverlay(s.hash))) && !unanswered(s.parseHash)
    )
    : [];
  const scoresBlocked = stages.includes("score")
    ? taskStages.scores.filter((s) => unanswered(s.parseHash)).length
    : 0;
  const knownAnswers: StagesTask["knownAnswers"] = {};
  for (const score of scores) {
    if (score.parseHash === null) continue;
    const overlay = parseOverlay(score.parseHash);
    const parsed = status(overlay);
    if (isFinal(parsed)) {
      knownAnswers[score.parseHash] = {
        ok: parsed === "completed",
        answer: state.answer(candidate.id, overlay),
      };
    }
  }
  return {
    needGeneration,
    text: generated ? state.text(candidate.id) ?? "" : undefined,
    parses,
    scores,
    parsesDone: stages.includes("parse") ? taskStages.parses.length - parses.length : 0,
    scoresDone: stages.includes("score")
      ? taskStages.scores.length - scores.length - scoresBlocked
      : 0,
    scoresBlocked,
    knownAnswers,
  };
}

/** Milliseconds each phase may take, from the execution policy. */
export function stageTimeouts(policy: ExecutionPolicy): StageTimeouts {
  return {
    generation: policy.attempt_timeout * 1000,
    parse: policy.parse_timeout * 1000,
    score: policy.score_timeout * 1000,
    judge: policy.judge_timeout * 1000,
    hook: policy.hook_timeout * 1000,
  };
}

/** Settings a task carries besides the work. */
export interface BuildTaskOptions {
  timeouts: StageTimeouts;
  hooks: PluginRef[];
  /** Only inline tasks carry runtime values; workers read their own. */
  runtime?: Record<string, string>;
}

/** The generation attempt of a candidate. */
export function generationTask(
  trial: PlannedTrial,
  candidate: PlannedCandidate,
  options: BuildTaskOptions,
): GenerationTask {
  return {
    kind: "generation",
    request: {
      model: trial.model,
      messages: trial.messages,
      params: trial.params,
      seed: candidate.seed,
      trialId: trial.trial,
      candidateId: candidate.id,
      sampleIndex: candidate.sample,
      item: trial.item,
    },
    hooks: options.hooks,
    timeouts: options.timeouts,
    ...(options.runtime ? { runtime: options.runtime } : {}),
  };
}

/** The pending parses and scores of a candidate over its text. */
export function stagesTask(
  trial: PlannedTrial,
  candidate: PlannedCandidate,
  work: PendingWork & { text: string },
  options: BuildTaskOptions & { state: StoreState },
): StagesTask {
  const judgeCache = judgeCacheOf(options.state, candidate.id);
  return {
    kind: "stages",
    trialId: trial.trial,
    candidateId: candidate.id,
    text: work.text,
    item: trial.item.payload,
    parses: work.parses,
    scores: work.scores,
    knownAnswers: work.knownAnswers,
    hooks: options.hooks,
    timeouts: options.timeouts,
    ...(options.runtime ? { runtime: options.runtime } : {}),
    ...(judgeCache ? { judgeCache } : {}),
  };
}

/** The judge answers a candidate already has, for the judge call cache. */
function judgeCacheOf(state: StoreState, candidate: string): StagesTask["judgeCache"] {
  const byId = state.judges.get(candidate);
  if (!byId) return undefined;
  const out: NonNullable<StagesTask["judgeCache"]> = {};
  for (const [id, answer] of byId) {
    out[id] = {
      text: answer.text,
      usage: {
        prompt_tokens: answer.usage?.prompt_tokens ?? undefined,
        completion_tokens: answer.usage?.completion_tokens ?? undefined,
      },
    };
  }
  return out;
}

/** Completion tokens a request may use: its `max_tokens`, else a conservative 256. */
export const maxTokens = (trial: PlannedTrial): number =>
  typeof trial.params.max_tokens === "number" ? trial.params.max_tokens : 256;

/** Tokens a request may use, before it is sent: prompt characters / 4 plus `max_tokens`. */
export const estimateTokens = (trial: PlannedTrial): number =>
  Math.ceil(trial.messages.reduce((n, m) => n + m.content.length, 0) / 4) + maxTokens(trial);
