import type { JsonObject } from "../../core/json.ts";
import type { PlannedScore, PlannedTrial } from "../../plan/plan_trials.ts";
import { type CallInfo, httpError } from "../../plugins/engines/_http.ts";
import { readOpenAIAnswer } from "../../plugins/engines/openai.ts";
import type { GenerationOutput } from "../../plugins/types.ts";
import { type CandidateResult, toWorkError, type WorkError } from "../../run/candidate_work.ts";
import type { MetricValue } from "../../run/stages.ts";
import {
  type BatchOutputLine,
  checkHandoff,
  type ErrorRecord,
  type GenerationRecord,
  type MetricRecord,
} from "../../spec/handoff_schemas.ts";
import type { SourcedRecord } from "./read_records.ts";

/** The code of a failure a record reports without one. */
export const IMPORTED_FAILURE = "IMPORTED_FAILURE";

/** A generation record, checked: a Batch API output line, a text, or a failure. */
export type ParsedGeneration =
  & { customId: string; where: string }
  & ({ batch: BatchOutputLine } | { record: GenerationRecord } | { failure: ErrorRecord });

/** A score record, checked: metric values, a lone value, or a failure. */
export type ParsedScore =
  & { customId: string; where: string }
  & ({ metrics: MetricRecord[] } | { value: number; details?: JsonObject } | {
    failure: ErrorRecord;
  });

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Check one generation record; issues are collected, not thrown. */
export function parseGenerationRecord(
  r: SourcedRecord,
  issues: string[],
): ParsedGeneration | undefined {
  const v = r.value;
  if (!isObject(v)) return void issues.push(`${r.where}: not a JSON object`);
  if ("response" in v) {
    const c = checkHandoff("batchOutput", v);
    if (c.ok) return { customId: c.value.custom_id, where: r.where, batch: c.value };
    return void issues.push(...c.issues.map((i) => `${r.where}: ${i}`));
  }
  if ("error" in v) {
    const c = checkHandoff("generationFailure", v);
    if (c.ok) return { customId: c.value.custom_id, where: r.where, failure: c.value.error };
    return void issues.push(...c.issues.map((i) => `${r.where}: ${i}`));
  }
  const c = checkHandoff("generation", v);
  if (c.ok) return { customId: c.value.custom_id, where: r.where, record: c.value };
  issues.push(...c.issues.map((i) => `${r.where}: ${i}`));
}

/** Check one score record; issues are collected, not thrown. */
export function parseScoreRecord(r: SourcedRecord, issues: string[]): ParsedScore | undefined {
  const v = r.value;
  if (!isObject(v)) return void issues.push(`${r.where}: not a JSON object`);
  const kind = "error" in v ? "evaluationFailure" : "value" in v ? "evaluationValue" : "evaluation";
  const c = checkHandoff(kind, v);
  if (!c.ok) return void issues.push(...c.issues.map((i) => `${r.where}: ${i}`));
  const base = { customId: c.value.custom_id, where: r.where };
  const value = c.value as Record<string, unknown>;
  if (kind === "evaluationFailure") return { ...base, failure: value.error as ErrorRecord };
  if (kind === "evaluationValue") {
    return {
      ...base,
      value: value.value as number,
      ...(value.details ? { details: value.details as JsonObject } : {}),
    };
  }
  return { ...base, metrics: value.metrics as MetricRecord[] };
}

function failure(error: ErrorRecord, where: string): WorkError {
  return { code: error.code ?? IMPORTED_FAILURE, message: error.message, where, causes: [] };
}

function fromBatch(line: BatchOutputLine, trial: PlannedTrial, where: string) {
  const { extras, provider, model_id: modelId } = trial.model;
  const call: CallInfo = {
    provider,
    model: typeof extras.model === "string" ? extras.model : modelId,
    url: "batch /v1/chat/completions",
    secrets: [],
  };
  const response = line.response;
  if (line.error || response === null) {
    const error = line.error ?? { message: "the batch output line has neither response nor error" };
    return {
      ok: false as const,
      error: failure({ code: "PROVIDER_UNAVAILABLE", message: `batch: ${error.message}` }, where),
    };
  }
  const headers = new Headers(response.request_id ? { "x-request-id": response.request_id } : {});
  try {
    if (response.status_code < 200 || response.status_code > 299) {
      throw httpError(response.status_code, JSON.stringify(response.body), headers, call, 0);
    }
    const output = readOpenAIAnswer(response.body, headers, call, trial.params.logprobs === true);
    return { ok: true as const, output, latencyMs: 0 };
  } catch (error) {
    return { ok: false as const, error: toWorkError(error, where) };
  }
}

/** A text record as an engine's output. */
export function outputOf(record: Omit<GenerationRecord, "custom_id">): GenerationOutput {
  const usage = record.usage;
  return {
    text: record.text,
    ...(record.finish_reason ? { finish_reason: record.finish_reason } : {}),
    ...(usage
      ? {
        usage: {
          ...(typeof usage.prompt_tokens === "number"
            ? { prompt_tokens: usage.prompt_tokens }
            : {}),
          ...(typeof usage.completion_tokens === "number"
            ? { completion_tokens: usage.completion_tokens }
            : {}),
        },
      }
      : {}),
    meta: record.meta ?? {},
  };
}

/** The generation outcome a checked record reports, for the trial it belongs to. */
export function generationOutcome(
  parsed: ParsedGeneration,
  trial: PlannedTrial,
): NonNullable<CandidateResult["generation"]> {
  const where = `generation:${trial.model.provider}/${trial.model.model_id}`;
  if ("batch" in parsed) return fromBatch(parsed.batch, trial, where);
  if ("failure" in parsed) return { ok: false, error: failure(parsed.failure, where) };
  return { ok: true, output: outputOf(parsed.record), latencyMs: parsed.record.latency_ms ?? 0 };
}

/**
 * The metric values of a checked score record, matched against the score's metrics (each
 * exactly once); a mismatch is an issue.
 */
export function scoreOutcome(
  parsed: ParsedScore,
  score: PlannedScore,
  issues: string[],
): CandidateResult["scores"][number] | undefined {
  if ("failure" in parsed) {
    return { hash: score.hash, error: failure(parsed.failure, `score:${score.name}`) };
  }
  const expected = score.metrics.map((m) => m.id);
  if ("value" in parsed) {
    if (expected.length !== 1) {
      return void issues.push(
        `${parsed.where}: score "${score.name}" has ${expected.length} metrics ` +
          `(${expected.join(", ")}): give "metrics": [{"metric", "value"}] for each`,
      );
    }
    const metric: MetricValue = { metric: expected[0], value: parsed.value };
    if (parsed.details) metric.details = parsed.details;
    return { hash: score.hash, metrics: [metric] };
  }
  const given = parsed.metrics.map((m) => m.metric);
  if ([...given].sort().join("\u0000") !== [...expected].sort().join("\u0000")) {
    return void issues.push(
      `${parsed.where}: score "${score.name}" needs exactly the metrics ` +
        `${expected.join(", ")} (got ${given.join(", ") || "none"})`,
    );
  }
  // In the score's metric order, like a local run writes them (a repeated id: in given order).
  const left = [...parsed.metrics];
  const metrics = expected.map((id): MetricValue => {
    const { metric, value, details } = left.splice(left.findIndex((x) => x.metric === id), 1)[0];
    return details ? { metric, value, details } : { metric, value };
  });
  return { hash: score.hash, metrics };
}
