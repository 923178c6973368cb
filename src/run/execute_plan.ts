import type { JsonObject } from "../core/json.ts";
import type { PlannedCandidate, PlannedTrial } from "../plan/plan_trials.ts";
import type { RunPlan } from "../plan/plan_run.ts";
import type { Stage } from "../plan/check_plugins.ts";
import type { Registry } from "../plugins/registry.ts";
import type { ExecutionPolicy } from "../spec/schemas.ts";
import type { EventWriter } from "../store/event_log.ts";
import { GEN_OVERLAY, type NewEvent, parseOverlay, scoreOverlay } from "../store/events.ts";
import { evolve, isFinal, overlayKey, type StoreState } from "../store/store_state.ts";
import { errorRecord } from "./error_record.ts";
import { generateCandidate } from "./generate_candidate.ts";
import { runParse, runScore } from "./stages.ts";

/** Counts of what one execution did. */
export interface ExecutionCounts {
  generated: number;
  generationFailed: number;
  parsed: number;
  parseInvalid: number;
  parseFailed: number;
  scored: number;
  scoreFailed: number;
  /** Candidates whose stages needed nothing (all final already). */
  reused: number;
  candidates: number;
}

/** What the executor needs: the plan, the store's state, the writer, the plugins. */
export interface ExecutePlanOptions {
  plan: RunPlan;
  state: StoreState;
  /** Trials this run's events already announce. */
  plannedInRun: Set<string>;
  writer: EventWriter;
  registry: Registry;
  policy: ExecutionPolicy;
  stages: ReadonlyArray<Stage>;
  storeItemPayloads: boolean;
  runtime?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (counts: ExecutionCounts) => void;
}

function emptyCounts(): ExecutionCounts {
  return {
    generated: 0,
    generationFailed: 0,
    parsed: 0,
    parseInvalid: 0,
    parseFailed: 0,
    scored: 0,
    scoreFailed: 0,
    reused: 0,
    candidates: 0,
  };
}

class Executor {
  readonly counts = emptyCounts();
  constructor(readonly o: ExecutePlanOptions) {}

  #append(event: NewEvent): void {
    evolve(this.o.state, this.o.writer.append(event));
  }

  announce(trial: PlannedTrial): void {
    if (this.o.plannedInRun.has(trial.trial)) return;
    const data: JsonObject = {
      benchmark_id: this.o.plan.experiment.benchmark_id ?? null,
      slice_id: trial.taskId,
      model_id: trial.model.model_id,
      provider: trial.model.provider,
      prompt_variant_id: trial.promptId,
      params: trial.params,
      params_index: trial.paramsIndex,
      item_id: trial.item.id,
      dimensions: trial.dimensions,
      num_samples: trial.candidates.length,
    };
    if (this.o.storeItemPayloads) {
      data.item = trial.item.payload;
      data.messages = trial.messages as unknown as JsonObject[];
    }
    this.#append({ type: "trial.planned", trial: trial.trial, data });
    this.o.plannedInRun.add(trial.trial);
  }

  async generate(trial: PlannedTrial, candidate: PlannedCandidate): Promise<void> {
    const engine = this.o.registry.engine(trial.model.provider);
    const outcome = await generateCandidate(engine, {
      model: trial.model,
      messages: trial.messages,
      params: trial.params,
      seed: candidate.seed,
      trialId: trial.trial,
      candidateId: candidate.id,
      sampleIndex: candidate.sample,
      item: trial.item,
    }, {
      policy: this.o.policy,
      context: { signal: this.o.signal, runtime: this.o.runtime },
      onRetry: (attempt, error, delayMs) =>
        this.#append({
          type: "attempt.retried",
          trial: trial.trial,
          cand: candidate.id,
          overlay: GEN_OVERLAY,
          data: { attempt, error, delay_ms: Math.round(delayMs) },
        }),
    });
    if (outcome.ok) {
      const { output } = outcome;
      this.#append({
        type: "generation.completed",
        trial: trial.trial,
        cand: candidate.id,
        overlay: GEN_OVERLAY,
        data: {
          sample: candidate.sample,
          text: output.text,
          finish_reason: output.finish_reason ?? null,
          usage: {
            prompt_tokens: output.usage?.prompt_tokens ?? null,
            completion_tokens: output.usage?.completion_tokens ?? null,
          },
          latency_ms: outcome.latencyMs,
          attempts: outcome.attempts,
          meta: output.meta ?? {},
        },
      });
      this.counts.generated++;
    } else {
      this.#append({
        type: "generation.failed",
        trial: trial.trial,
        cand: candidate.id,
        overlay: GEN_OVERLAY,
        data: { sample: candidate.sample, error: outcome.error, attempts: outcome.attempts },
      });
      this.counts.generationFailed++;
    }
  }

  parseAndScore(trial: PlannedTrial, candidate: PlannedCandidate): void {
    const { state, registry } = this.o;
    const gen = state.generations.get(candidate.id);
    if (gen?.status !== "completed") return;
    const text = gen.text ?? "";
    const stages = this.o.plan.stages.get(trial.taskId)!;
    if (this.o.stages.includes("parse")) {
      for (const parse of stages.parses) {
        const overlay = parseOverlay(parse.hash);
        if (isFinal(state.parses.get(overlayKey(candidate.id, overlay))?.status)) continue;
        const base = { trial: trial.trial, cand: candidate.id, overlay };
        try {
          const out = runParse(parse, text, registry);
          if (out.ok) {
            this.#append({
              type: "parse.completed",
              ...base,
              data: {
                name: parse.name,
                answer: out.answer!,
                extractor: out.extractor!,
                attempts: out.attempts as unknown as JsonObject[],
              },
            });
            this.counts.parsed++;
          } else {
            this.#append({
              type: "parse.failed",
              ...base,
              data: {
                name: parse.name,
                kind: "invalid",
                attempts: out.attempts as unknown as JsonObject[],
              },
            });
            this.counts.parseInvalid++;
          }
        } catch (error) {
          this.#append({
            type: "parse.failed",
            ...base,
            data: { name: parse.name, kind: "error", error: errorRecord(error, []) },
          });
          this.counts.parseFailed++;
        }
      }
    }
    if (!this.o.stages.includes("score")) return;
    for (const score of stages.scores) {
      const overlay = scoreOverlay(score.hash);
      if (isFinal(state.scores.get(overlayKey(candidate.id, overlay))?.status)) continue;
      let answer;
      if (score.parseHash !== null) {
        const parsed = state.parses.get(overlayKey(candidate.id, parseOverlay(score.parseHash)));
        // An answer that could not be extracted is never scored as a wrong answer.
        if (parsed?.status !== "completed") continue;
        answer = parsed.answer;
      }
      const base = { trial: trial.trial, cand: candidate.id, overlay };
      try {
        const metrics = runScore(score, { text, answer, item: trial.item.payload }, registry);
        this.#append({
          type: "score.completed",
          ...base,
          data: {
            name: score.name,
            parse: score.parseHash,
            metrics: metrics as unknown as JsonObject[],
          },
        });
        this.counts.scored++;
      } catch (error) {
        this.#append({
          type: "score.failed",
          ...base,
          data: { name: score.name, parse: score.parseHash, error: errorRecord(error, []) },
        });
        this.counts.scoreFailed++;
      }
    }
  }

  async candidate(trial: PlannedTrial, candidate: PlannedCandidate): Promise<void> {
    const before = this.counts.generated + this.counts.generationFailed + this.counts.parsed +
      this.counts.parseInvalid + this.counts.parseFailed + this.counts.scored +
      this.counts.scoreFailed;
    const gen = this.o.state.generations.get(candidate.id);
    if (this.o.stages.includes("generation") && gen?.status !== "completed") {
      await this.generate(trial, candidate);
    }
    this.parseAndScore(trial, candidate);
    const after = this.counts.generated + this.counts.generationFailed + this.counts.parsed +
      this.counts.parseInvalid + this.counts.parseFailed + this.counts.scored +
      this.counts.scoreFailed;
    if (after === before) this.counts.reused++;
    this.counts.candidates++;
    this.o.onProgress?.(this.counts);
  }
}

/**
 * Walk the plan once: announce each trial, then per candidate generation → parses → scores,
 * skipping what the store already holds. At most `max_in_flight` candidates are in flight;
 * every fact is appended as an event the moment it is known.
 */
export async function executePlan(options: ExecutePlanOptions): Promise<ExecutionCounts> {
  const executor = new Executor(options);
  const inFlight = new Set<Promise<void>>();
  const limit = options.policy.max_in_flight;
  for (const trial of options.plan.iterTrials()) {
    if (options.signal?.aborted) break;
    executor.announce(trial);
    for (const candidate of trial.candidates) {
      const task = executor.candidate(trial, candidate).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  return executor.counts;
}
