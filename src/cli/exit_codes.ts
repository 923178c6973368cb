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
  /** Work left pending: a provider's circuit opened or `--max-cost` stopped the run (resume it). */
  INCOMPLETE: 7,
  /** A score fell below a `--fail-under` threshold (`themis run`, `evaluate`, `check`). */
  BELOW_THRESHOLD: 8,
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
 * The exit code of a run, most pressing first: interrupted (130); work left pending, because a
 * circuit breaker opened or the cost budget stopped the run (7, `themis resume` continues); some
 * work failed (5); else 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXIT, exitCodeForRun } from "./exit_codes.ts";
 * const base = { generationFailed: 0, parseFailed: 0, scoreFailed: 0, skipped: 0, stopped: null };
 * assert.equal(exitCodeForRun({ ...base, generationFailed: 5, circuitsOpened: 1, skipped: 9 }),
 *   EXIT.INCOMPLETE);
 * assert.equal(exitCodeForRun({ ...base, stopped: "max_cost", skipped: 3 }), EXIT.INCOMPLETE);
 * assert.equal(exitCodeForRun({ ...base, scoreFailed: 1 }), EXIT.WORK_FAILED);
 * assert.equal(exitCodeForRun({ ...base, skipped: 2, stopped: "cancelled" }, true), EXIT.INTERRUPTED);
 * ```
 */
export function exitCodeForRun(run: RunOutcome, interrupted = false): number {
  if (interrupted || run.stopped === "cancelled") return EXIT.INTERRUPTED;
  const pending = (run.circuitsOpened ?? 0) > 0 || run.stopped === "circuit_open" ||
    run.stopped === "max_cost" || run.skipped > 0;
  if (pending) return EXIT.INCOMPLETE;
  if (run.generationFailed + run.parseFailed + run.scoreFailed > 0) return EXIT.WORK_FAILED;
  return EXIT.OK;
}

/** The exit code for an error, by its code. */
export function exitCodeFor(error: unknown): number {
  if (!isThemisError(error)) return EXIT.INTERNAL;
  const code = error.code;
  if (code === "USAGE" || code === "PORT_IN_USE") return EXIT.USAGE;
  if (code === "CANCELLED") return EXIT.INTERRUPTED;
  if (code.startsWith("SQL_") || code === "QUERY_INVALID") return EXIT.QUERY;
  if (code.startsWith("STORE_") || code.startsWith("RUN_")) return EXIT.STORE;
  if (
    code.startsWith("SPEC_") || code.startsWith("PLUGIN_") || code === "DATASET_INVALID" ||
    code === "PLAN_INVALID" || code === "MISSING_GENERATIONS" || code.startsWith("PROVIDER_") ||
    code === "BUNDLE_INVALID" || code === "IMPORT_INVALID" || code === "BATCH_UNSUPPORTED"
  ) return EXIT.SPEC;
  return EXIT.INTERNAL;
}
