import { isThemisError } from "../core/errors.ts";

/** Exit codes of the CLI (documented in docs/cli.md). */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  SPEC: 3,
  STORE: 4,
  /** The run finished, but some work failed (the failures are in the events). */
  WORK_FAILED: 5,
  QUERY: 6,
  /** Stopped by the cost budget (`--max-cost`): the rest is pending, resumable. */
  BUDGET_REACHED: 7,
  /** Stopped by a circuit breaker: an endpoint failed repeatedly; its work is pending. */
  CIRCUIT_OPEN: 8,
  INTERRUPTED: 130,
} as const;

/** What a run's exit code is decided from. */
export interface RunOutcome {
  generationFailed: number;
  parseFailed: number;
  scoreFailed: number;
  skipped: number;
  stopped: "max_cost" | "cancelled" | "circuit_open" | null;
  circuitsOpened?: number;
}

/**
 * The exit code of a run, most pressing first: interrupted (130), stopped by a circuit
 * breaker (8), stopped by the budget (7), some work failed (5), else 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXIT, exitCodeForRun } from "./exit_codes.ts";
 * const base = { generationFailed: 0, parseFailed: 0, scoreFailed: 0, skipped: 0, stopped: null };
 * assert.equal(exitCodeForRun({ ...base, generationFailed: 5, circuitsOpened: 1, skipped: 9 }),
 *   EXIT.CIRCUIT_OPEN);
 * assert.equal(exitCodeForRun({ ...base, stopped: "max_cost", skipped: 3 }), EXIT.BUDGET_REACHED);
 * assert.equal(exitCodeForRun({ ...base, scoreFailed: 1 }), EXIT.WORK_FAILED);
 * assert.equal(exitCodeForRun({ ...base, skipped: 2, stopped: "cancelled" }, true), EXIT.INTERRUPTED);
 * ```
 */
export function exitCodeForRun(run: RunOutcome, interrupted = false): number {
  if (interrupted || run.stopped === "cancelled") return EXIT.INTERRUPTED;
  if ((run.circuitsOpened ?? 0) > 0 || run.stopped === "circuit_open") return EXIT.CIRCUIT_OPEN;
  if (run.stopped === "max_cost") return EXIT.BUDGET_REACHED;
  if (run.generationFailed + run.parseFailed + run.scoreFailed > 0) return EXIT.WORK_FAILED;
  return EXIT.OK;
}

/** The exit code for an error, by its code. */
export function exitCodeFor(error: unknown): number {
  if (!isThemisError(error)) return EXIT.INTERNAL;
  const code = error.code;
  if (code === "USAGE") return EXIT.USAGE;
  if (code === "CANCELLED") return EXIT.INTERRUPTED;
  if (code.startsWith("SQL_") || code === "QUERY_INVALID") return EXIT.QUERY;
  if (code.startsWith("STORE_") || code.startsWith("RUN_")) return EXIT.STORE;
  if (
    code.startsWith("SPEC_") || code.startsWith("PLUGIN_") || code === "DATASET_INVALID" ||
    code === "PLAN_INVALID" || code === "MISSING_GENERATIONS" || code.startsWith("PROVIDER_") ||
    code === "BUNDLE_INVALID" || code === "IMPORT_INVALID"
  ) return EXIT.SPEC;
  return EXIT.INTERNAL;
}
