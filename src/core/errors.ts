/** Stable error codes. Recognise errors by `code`, never by class. */
export type ErrorCode =
  | "SPEC_INVALID"
  | "SPEC_PARSE"
  | "PLAN_INVALID"
  | "PLUGIN_NOT_FOUND"
  | "PLUGIN_INVALID"
  | "PLUGIN_ERROR"
  | "PLUGIN_TIMEOUT"
  | "DATASET_INVALID"
  | "PROVIDER_RATE_LIMIT"
  | "PROVIDER_TIMEOUT"
  | "PROVIDER_UNAVAILABLE"
  | "PROVIDER_AUTH"
  | "PROVIDER_BAD_REQUEST"
  | "PROVIDER_NOT_FOUND"
  | "PROVIDER_MALFORMED"
  | "PROVIDER_NETWORK"
  | "JUDGE_UNPARSEABLE"
  | "SANDBOX_FAILED"
  | "STORE_CORRUPT"
  | "STORE_LOCKED"
  | "STORE_IO"
  | "STORE_NOT_FOUND"
  | "RUN_NOT_FOUND"
  | "RUN_AMBIGUOUS"
  | "RUN_CONFLICT"
  | "MISSING_GENERATIONS"
  | "BUNDLE_INVALID"
  | "IMPORT_INVALID"
  | "SQL_INVALID"
  | "SQL_READ_ONLY"
  | "QUERY_INVALID"
  | "USAGE"
  | "PORT_IN_USE"
  | "CANCELLED"
  | "BATCH_UNSUPPORTED"
  | "BATCH_EXPIRED"
  | "BATCH_CANCELLED"
  | "BATCH_FAILED"
  | "BATCH_RESULT_MISSING"
  | "INTERNAL";

/** One issue inside a multi-issue error (spec validation lists every issue at once). */
export interface ErrorIssue {
  /** Dotted path into the spec, e.g. `models[1].provider`. */
  path: string;
  /** What is wrong there. */
  message: string;
  /** 1-based line in the source file, when known (TOML and JSON). */
  line?: number;
  /** The validator's code for the issue (`invalid_type`, `unrecognized_keys`, …). */
  code?: string;
}

/** What an error is about, beyond its message: where, and what to do. */
export interface ErrorDetails {
  /** The file concerned. */
  file?: string;
  /** 1-based line in that file. */
  line?: number;
  /** Dotted path into a spec (`slices[0].scores[1].on_invalid`). */
  path?: string;
  /** How to fix it. */
  suggestion?: string;
  /** Every issue, for errors that list several (spec validation). */
  issues?: ErrorIssue[];
  /** Anything else the error carries (run id, provider, HTTP status, …). */
  [key: string]: unknown;
}

/**
 * The one error type of themis: a stable `code`, a message that says what failed and how to
 * fix it, and structured `details`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ThemisError } from "./errors.ts";
 * const err = new ThemisError("SPEC_INVALID", "models must not be empty", { path: "models" });
 * assert.equal(err.code, "SPEC_INVALID");
 * ```
 */
export class ThemisError extends Error {
  /** Stable code: recognise errors by it, not by message or class. */
  readonly code: ErrorCode;
  /** Where and what (file, line, spec path, suggestion, issues). */
  readonly details: ErrorDetails;

  /** An error with its code, message, details and (optionally) the error that caused it. */
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "ThemisError";
    this.code = code;
    this.details = details;
  }
}

/** True when `value` is a ThemisError (or carries the same shape across a worker boundary). */
export function isThemisError(value: unknown): value is ThemisError {
  return value instanceof ThemisError ||
    (typeof value === "object" && value !== null && "code" in value &&
      (value as { name?: unknown }).name === "ThemisError");
}

/** The message of any thrown value, without a stack. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
