import { errorMessage, isThemisError } from "../core/errors.ts";
import type { JsonObject } from "../core/json.ts";
import { PhaseFailure, type StageName } from "./task_clock.ts";

/** A failure as it crosses the worker boundary. */
export interface WorkError {
  code: string;
  message: string;
  /** The plugin call that failed: `generation:openai/gpt-4o`, `score:acc/exact_match`, …. */
  where: string;
  /** The stage the failure happened in. */
  stage?: StageName;
  details?: JsonObject;
  causes: string[];
}

/**
 * A ThemisError-shaped record of anything thrown, with where (and in which stage) it happened;
 * a failure inside a clocked phase names that phase.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toWorkError } from "./work_error.ts";
 * assert.deepEqual(toWorkError(new Error("boom"), "parse:num", "parse"), {
 *   code: "PLUGIN_ERROR", message: "boom", where: "parse:num", stage: "parse", causes: [],
 * });
 * ```
 */
export function toWorkError(error: unknown, where: string, stage?: StageName): WorkError {
  if (error instanceof PhaseFailure) return toWorkError(error.error, error.where, error.stage);
  const causes: string[] = [];
  let cause = (error as { cause?: unknown })?.cause;
  while (cause !== undefined && causes.length < 5) {
    causes.push(errorMessage(cause));
    cause = (cause as { cause?: unknown })?.cause;
  }
  const base = { where, ...(stage ? { stage } : {}) };
  if (isThemisError(error)) {
    return {
      code: error.code,
      message: error.message,
      ...base,
      details: JSON.parse(JSON.stringify(error.details ?? {})),
      causes,
    };
  }
  return { code: "PLUGIN_ERROR", message: errorMessage(error), ...base, causes };
}
