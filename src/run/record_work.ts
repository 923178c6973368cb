import type { JsonObject } from "../core/json.ts";
import type { PlannedCandidate, PlannedScore, PlannedTrial } from "../plan/plan_trials.ts";
import { failingValue, UNBOUNDED } from "../plugins/metrics/metric_range.ts";
import type { RunPlan } from "../plan/plan_run.ts";
import {
  type EventData,
  GEN_OVERLAY,
  type NewEvent,
  parseOverlay,
  scoreOverlay,
} from "../store/events.ts";
import type { CandidateResult, WorkError } from "./candidate_work.ts";

/** What recording one result wrote. */
export interface RecordedWork {
  parsed: number;
  parseInvalid: number;
  parseFailed: number;
  scored: number;
  scoreFailed: number;
  /**
   * Scores not computed because their parse found no answer (recorded as invalid scores with
   * each metric's failing value) or has not run.
   */
  scoresSkipped: number;
  /** Of the skipped scores, those recorded invalid because the parse found no answer. */
  scoresNoAnswer: number;
  /** Scores whose judge gave no verdict on its scale (unparseable or out of scale). */
  scoresInvalid: number;
  metrics: JsonObject[];
}

/** Options of `recordWork`. */
export interface RecordWorkOptions {
  plan: RunPlan;
  attempts: number;
  retryableCodes: ReadonlyArray<string>;
  append: (event: NewEvent) => void;
  /** Imported facts: marked with their source and bundle, with the latency the record gave. */
  imported?: { bundle: string | null; latencyMs: number | null };
}

/** An error as events record it. */
export type ErrorData = EventData<"generation.failed">["error"];

function errorData(error: WorkError, retryableCodes: ReadonlyArray<string>): ErrorData {
  return {
    code: error.code,
    message: error.message,
    where: error.where,
    ...(error.stage ? { stage: error.stage } : {}),
    retryable: retryableCodes.includes(error.code),
    causes: error.causes,
    ...(error.details ? { details: error.details } : {}),
  };
}

/**
 * The metric values of a score whose parse found no answer: each metric's failing value (its
 * range's minimum; 0 for metrics without a recorded range).
 */
function failingValues(score: PlannedScore): Array<{ metric: string; value: number }> {
  return score.metrics.map((m, i) => ({
    metric: m.id,
    value: failingValue(score.ranges?.[i] ?? UNBOUNDED),
  }));
}

/**
 * Turn one candidate task's result into events: the generation (completed or failed), then
 * each parse and score. A score whose parse found no answer is recorded as
 * `score.completed` with `invalid: true` and each metric's failing value, whatever the
 * score's `on_invalid` says: the policy is applied when results are read, so switching it
 * never re-scores, and the invalid answer is counted (`n_invalid`) rather than silently absent.
 */
export function recordWork(
  trial: PlannedTrial,
  candidate: PlannedCandidate,
  result: CandidateResult,
  options: RecordWorkOptions,
): RecordedWork {
  const out: RecordedWork = {
    parsed: 0,
    parseInvalid: 0,
    parseFailed: 0,
    scored: 0,
    scoreFailed: 0,
    scoresSkipped: 0,
    scoresNoAnswer: 0,
    scoresInvalid: 0,
    metrics: [],
  };
  const base = { trial: trial.trial, cand: candidate.id };
  const { append } = options;
  const marks = options.imported
    ? { source: "import" as const, bundle: options.imported.bundle }
    : {};
  const gen = result.generation;
  if (gen?.ok) {
    const { output } = gen;
    append({
      type: "generation.completed",
      ...base,
      overlay: GEN_OVERLAY,
      // Keys in their sorted order: the line is written without sorting them again.
      data: {
        attempts: options.attempts,
        finish_reason: output.finish_reason ?? null,
        latency_ms: options.imported ? options.imported.latencyMs : gen.latencyMs,
        meta: output.meta ?? {},
        model: trial.model.model_id,
        sample: candidate.sample,
        text: output.text,
        usage: {
          completion_tokens: output.usage?.completion_tokens ?? null,
          prompt_tokens: output.usage?.prompt_tokens ?? null,
        },
        ...marks,
      },
    });
  } else if (gen) {
    append({
      type: "generation.failed",
      ...base,
      overlay: GEN_OVERLAY,
      data: {
        sample: candidate.sample,
        error: {
          ...errorData(gen.error, options.retryableCodes),
          provider: trial.model.provider,
          model: trial.model.model_id,
        },
        attempts: options.attempts,
        ...marks,
      },
    });
    return out;
  }
  const stages = options.plan.stages.get(trial.taskId)!;
  const parseNames = new Map(stages.parses.map((p) => [p.hash, p.name]));
  for (const p of result.parses) {
    const overlay = parseOverlay(p.hash);
    const name = parseNames.get(p.hash)!;
    if (p.outcome?.ok) {
      append({
        type: "parse.completed",
        ...base,
        overlay,
        data: {
          answer: p.outcome.answer ?? null,
          attempts: p.outcome.attempts,
          extractor: p.outcome.extractor!,
          name,
          ...marks,
        },
      });
      out.parsed++;
    } else if (p.outcome) {
      append({
        type: "parse.failed",
        ...base,
        overlay,
        data: { attempts: p.outcome.attempts, kind: "invalid", name, ...marks },
      });
      out.parseInvalid++;
    } else {
      append({
        type: "parse.failed",
        ...base,
        overlay,
        data: { name, kind: "error", error: errorData(p.error!, []), ...marks },
      });
      out.parseFailed++;
    }
  }
  for (const call of result.judgeCalls ?? []) {
    if (call.cached) continue;
    append({
      type: "judge.completed",
      ...base,
      overlay: scoreOverlay(call.score),
      data: {
        id: call.id,
        metric: call.metric,
        model_id: call.model.model_id,
        provider: call.model.provider,
        messages: call.messages,
        params: call.params,
        text: call.text,
        usage: {
          prompt_tokens: call.usage?.prompt_tokens ?? null,
          completion_tokens: call.usage?.completion_tokens ?? null,
        },
        latency_ms: call.latencyMs,
      },
    });
  }
  const scores = new Map(stages.scores.map((s) => [s.hash, s]));
  for (const s of result.scores) {
    const score = scores.get(s.hash)!;
    const data = { name: score.name, parse: score.parseHash, ...marks };
    if (s.skipped) {
      out.scoresSkipped++;
      if (s.skipped !== "no_answer") continue;
      append({
        type: "score.completed",
        ...base,
        overlay: scoreOverlay(s.hash),
        data: { invalid: true, metrics: failingValues(score), ...data },
      });
      out.scoresNoAnswer++;
      continue;
    }
    if (s.metrics) {
      append({
        type: "score.completed",
        ...base,
        overlay: scoreOverlay(s.hash),
        data: { metrics: s.metrics, ...data },
      });
      out.scored++;
      for (const m of s.metrics) {
        out.metrics.push({ score: score.name, metric: m.metric, value: m.value });
      }
    } else {
      // An unparseable verdict is an outcome of its own, final like a parse without answer.
      const invalid = s.error!.code === "JUDGE_UNPARSEABLE";
      append({
        type: "score.failed",
        ...base,
        overlay: scoreOverlay(s.hash),
        data: { ...data, kind: invalid ? "invalid" : "error", error: errorData(s.error!, []) },
      });
      if (invalid) out.scoresInvalid++;
      else out.scoreFailed++;
    }
  }
  return out;
}
