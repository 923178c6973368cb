import { errorMessage, isThemisError } from "../core/errors.ts";
import type { JsonObject } from "../core/json.ts";

/** A failure as events record it: code, message, whether a retry may help, the cause chain. */
export interface ErrorRecord extends JsonObject {
  code: string;
  message: string;
  retryable: boolean;
  causes: string[];
}

/**
 * Turn any thrown value into an error record. Codes come from ThemisError; anything else is
 * `PLUGIN_ERROR`. `retryableCodes` is the project's policy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorRecord } from "./error_record.ts";
 * assert.equal(errorRecord(new Error("boom"), []).code, "PLUGIN_ERROR");
 * ```
 */
export function errorRecord(error: unknown, retryableCodes: ReadonlyArray<string>): ErrorRecord {
  const code = isThemisError(error) ? error.code : "PLUGIN_ERROR";
  const causes: string[] = [];
  let cause = (error as { cause?: unknown })?.cause;
  while (cause !== undefined && causes.length < 5) {
    causes.push(errorMessage(cause));
    cause = (cause as { cause?: unknown })?.cause;
  }
  return { code, message: errorMessage(error), retryable: retryableCodes.includes(code), causes };
}
