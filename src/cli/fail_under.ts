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
import type { RunManifest } from "../plan/manifest.ts";
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

/** The thresholds of the flags (none: no gating); malformed ones are usage errors. */
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

/** Refuse, before any work, thresholds that name no score or metric of the plan. */
export function checkThresholdTargets(
  thresholds: ReadonlyArray<Threshold>,
  scores: RunManifest["scores"],
  command: string,
): void {
  try {
    checkTargets(thresholds, thresholdTargets(scores));
  } catch (error) {
    throw usageError((error as Error).message, command);
  }
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
