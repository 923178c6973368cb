import {
  checkTargets,
  checkThresholds,
  formatFailedCheck,
  parseThreshold,
  type Threshold,
  type ThresholdCheck,
  thresholdTargets,
} from "../results/check_thresholds.ts";
import type { ExperimentResult } from "../results/experiment_result.ts";
import { planStages } from "../plan/plan_trials.ts";
import type { ExperimentSpec } from "../spec/schemas.ts";
import { EXIT } from "./exit_codes.ts";
import type { CliIo } from "./io.ts";
import { usageError } from "./usage.ts";

/** The `parseArgs` options of CI gating, shared by `run` (and the other stages) and `check`. */
export const FAIL_UNDER_OPTIONS = {
  "fail-under": { type: "string", multiple: true },
  "on-lower-bound": { type: "boolean", default: false },
  "gate-by": { type: "string" },
} as const;

/** The help lines of the gating flags. */
export const FAIL_UNDER_HELP =
  `  --fail-under S=N exit 8 when the mean of score S (or S.METRIC) is below N for a
                   model; repeat for several thresholds (e.g. --fail-under acc=0.8)
  --on-lower-bound compare the lower bound of each mean's 95% interval instead
  --gate-by KEYS   groups that must each reach the thresholds (default: model;
                   e.g. model,slice)`;

/** The gating flags as given. */
export interface FailUnderFlags {
  "fail-under"?: string[];
  "on-lower-bound"?: boolean;
  "gate-by"?: string;
}

/**
 * The thresholds of the flags (none: no gating); malformed ones are usage errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thresholdsOf } from "./fail_under.ts";
 * assert.deepEqual(thresholdsOf({ "fail-under": ["acc=0.8"] }, "run"), [{ target: "acc", min: 0.8 }]);
 * assert.throws(() => thresholdsOf({ "on-lower-bound": true }, "run"), { code: "USAGE" });
 * ```
 */
export function thresholdsOf(values: FailUnderFlags, command: string): Threshold[] {
  const thresholds = (values["fail-under"] ?? []).map((text) => {
    try {
      return parseThreshold(text);
    } catch (error) {
      throw usageError((error as Error).message, command);
    }
  });
  if (thresholds.length === 0 && (values["on-lower-bound"] || values["gate-by"] !== undefined)) {
    throw usageError("--on-lower-bound and --gate-by go with --fail-under S=N", command);
  }
  return thresholds;
}

/** Refuse, before any work, thresholds that name no score or metric of the spec. */
export function checkThresholdTargets(
  thresholds: ReadonlyArray<Threshold>,
  experiment: ExperimentSpec,
  command: string,
): void {
  if (thresholds.length === 0) return;
  const scores = [...planStages(experiment).values()].flatMap((s) => s.scores);
  try {
    checkTargets(thresholds, thresholdTargets(scores));
  } catch (error) {
    throw usageError((error as Error).message, command);
  }
}

/**
 * The exit code of a run once its thresholds are checked: `BELOW_THRESHOLD` (8) when one fails
 * (one line each on stderr), else the run's own code. An interrupted run is not judged.
 */
export async function gateExitCode(
  code: number,
  result: ExperimentResult,
  o: {
    thresholds: ReadonlyArray<Threshold>;
    values: FailUnderFlags & { quiet?: boolean };
    io: CliIo;
  },
): Promise<number> {
  if (o.thresholds.length === 0 || code === EXIT.INTERRUPTED) return code;
  const checks = await gateResult(result, o.thresholds, o.values, o.io);
  if (checks.some((c) => !c.passed)) return EXIT.BELOW_THRESHOLD;
  if (!o.values.quiet) {
    const n = checks.length;
    o.io.err(`fail-under: ${n === 1 ? "the check" : `all ${n} checks`} passed\n`);
  }
  return code;
}

/**
 * Check the thresholds on a result; print one line per check that failed (stderr) and return
 * the checks. Nothing happens without thresholds.
 */
export async function gateResult(
  result: ExperimentResult,
  thresholds: ReadonlyArray<Threshold>,
  values: FailUnderFlags,
  io: CliIo,
): Promise<ThresholdCheck[]> {
  if (thresholds.length === 0) return [];
  const groupBy = values["gate-by"]?.split(",").map((k) => k.trim()).filter(Boolean);
  const checks = await checkThresholds(result, thresholds, {
    lowerBound: values["on-lower-bound"],
    groupBy: groupBy?.length ? groupBy : undefined,
  });
  for (const check of checks) if (!check.passed) io.err(formatFailedCheck(check) + "\n");
  return checks;
}
