/** Paired comparison of two conditions of one run (two models, two prompt variants, …). */
import { ThemisError } from "../core/errors.ts";
import { checkGroupKeys } from "./aggregate_sql.ts";
import { defaultSeed, dimensionKeys, type ResultScope, scoreFilter } from "./_scope.ts";
import { groupValue } from "./trial_groups.ts";
import {
  readTrialValues,
  type SamplePolicyOptions,
  sliceDimensions,
  type TrialValue,
} from "./trial_values.ts";
import {
  alignPairs,
  type Correction,
  type PairedRow,
  type SideValue,
  testPairSets,
} from "./paired_groups.ts";

/** The columns of the identity keys in the per-trial rows. */
export const IDENTITY_COLUMNS: Record<string, string> = {
  model: "model_id",
  slice: "slice_id",
  prompt_variant: "prompt_variant_id",
  params: "params_index",
  item: "item_id",
};

const FACTOR_KEYS = ["model", "slice", "prompt_variant", "params"];

/** A condition: a model id, or values of identity keys (`{ prompt_variant: "cot" }`). */
export type Condition = string | Record<string, string | number>;

/** Options of `pairedCompare()`. */
export interface PairedCompareOptions extends SamplePolicyOptions {
  /** The condition compared against. */
  baseline: Condition;
  /** The condition compared. */
  treatment: Condition;
  /** Only this score or metric (as in `aggregate`). */
  metric?: string;
  /** One comparison per group (default `["slice"]`); score and metric always split. */
  groupBy?: string[];
  /** Across the groups: `holm` (default), `bh` (Benjamini–Hochberg) or `none`. */
  correction?: Correction;
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
  /** Bootstrap seed (default: the project's `global_seed`). */
  seed?: number;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
}

/** A comparison row, with the two conditions it compares. */
export type ConditionRow = PairedRow & { baseline: string; treatment: string };

function asCondition(c: Condition): Record<string, string> {
  const entries = typeof c === "string" ? [["model", c]] : Object.entries(c);
  return Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
}

const label = (c: Record<string, string>) =>
  Object.keys(c).length === 1
    ? Object.values(c)[0]
    : Object.entries(c).map((e) => e.join("=")).join(",");

function checkConditions(base: Record<string, string>, treat: Record<string, string>): string[] {
  const keys = Object.keys(base).sort();
  const bad = [...keys, ...Object.keys(treat)].find((k) => !FACTOR_KEYS.includes(k));
  if (bad !== undefined) {
    throw new ThemisError(
      "QUERY_INVALID",
      `Cannot compare on "${bad}": a condition names ${FACTOR_KEYS.join(", ")}`,
      { valid: FACTOR_KEYS },
    );
  }
  if (keys.join() !== Object.keys(treat).sort().join() || keys.length === 0) {
    throw new ThemisError(
      "QUERY_INVALID",
      `baseline and treatment must name the same keys (baseline: ${keys.join(", ") || "none"}; ` +
        `treatment: ${Object.keys(treat).sort().join(", ") || "none"})`,
    );
  }
  return keys;
}

function sideOf(trial: TrialValue, c: Record<string, string>): boolean {
  return Object.entries(c).every(([k, v]) =>
    String(trial[IDENTITY_COLUMNS[k] as keyof TrialValue]) === v
  );
}

function missingSide(
  trials: TrialValue[],
  c: Record<string, string>,
  runId: string,
): ThemisError {
  const column = (k: string) => IDENTITY_COLUMNS[k] as keyof TrialValue;
  const key = Object.keys(c).find((k) => !trials.some((t) => String(t[column(k)]) === c[k]));
  const k = key ?? Object.keys(c)[0];
  const values = [...new Set(trials.map((t) => String(t[column(k)])))].sort();
  return new ThemisError(
    "QUERY_INVALID",
    `Run ${runId} has no trial with ${label(c)}; ${k} values: ${values.join(", ")}`,
    { valid: values },
  );
}

/** The per-trial values of a run as side values of a comparison. */
export function sideValue(
  trial: TrialValue,
  side: "baseline" | "treatment",
  keys: { group: ReadonlyArray<string>; align: ReadonlyArray<string> },
  dimensions: Record<string, unknown>,
): SideValue {
  return {
    group: Object.fromEntries(keys.group.map((k) => [k, groupValue(trial, k, dimensions)])),
    score: trial.score.name,
    metric: trial.metric,
    align: JSON.stringify(
      keys.align.map((k) => trial[IDENTITY_COLUMNS[k] as keyof TrialValue]),
    ),
    side,
    value: trial.value,
    status: trial.status,
    cluster: trial.cluster,
    range: trial.range,
  };
}

/**
 * Compare `treatment` with `baseline` item by item: per group (default: per slice) and per
 * score × metric, the mean delta with a paired bootstrap interval (cluster-robust with a
 * cluster field) inside the range of a difference, McNemar's exact test for 0/1 scores or
 * Wilcoxon's signed-rank test otherwise, the minimum detectable effect, win/loss/tie counts,
 * each side's trials by outcome, and p-values corrected across the groups. Invalid answers
 * count as each score says (the failing value by default), so a side that fails to answer is
 * compared as wrong, not left out.
 */
export async function compareConditions(
  scope: ResultScope,
  options: PairedCompareOptions,
): Promise<ConditionRow[]> {
  const base = asCondition(options.baseline);
  const treat = asCondition(options.treatment);
  const factor = checkConditions(base, treat);
  const groupBy = (options.groupBy ?? ["slice"]).filter((k) => k !== "metric");
  const overlap = groupBy.find((k) => factor.includes(k) || k === "status");
  if (overlap !== undefined) {
    throw new ThemisError(
      "QUERY_INVALID",
      `Cannot group a comparison by "${overlap}": ${
        overlap === "status" ? "the two sides have their own status" : "it is the compared factor"
      }`,
    );
  }
  const groups = checkGroupKeys(groupBy, dimensionKeys(scope.manifest));
  const trials = await readTrialValues(
    scope,
    { ...scoreFilter(scope), metric: options.metric },
    options,
  );
  if (!trials.some((t) => sideOf(t, base))) throw missingSide(trials, base, scope.runId);
  if (!trials.some((t) => sideOf(t, treat))) throw missingSide(trials, treat, scope.runId);
  const align = Object.keys(IDENTITY_COLUMNS).filter((k) => !factor.includes(k));
  const dims = sliceDimensions(scope.manifest);
  const values: SideValue[] = [];
  for (const t of trials) {
    const side = sideOf(t, base) ? "baseline" : sideOf(t, treat) ? "treatment" : undefined;
    if (side === undefined) continue;
    values.push(sideValue(t, side, { group: groups, align }, dims.get(t.slice_id) ?? {}));
  }
  const sets = alignPairs(values).sort((a, b) =>
    JSON.stringify([a.group, a.score, a.metric]).localeCompare(
      JSON.stringify([b.group, b.score, b.metric]),
    )
  );
  const tested = testPairSets(sets, {
    correction: options.correction,
    confidence: options.confidence,
    resamples: options.resamples,
    seed: options.seed ?? defaultSeed(scope.manifest),
  });
  return tested.map((r) => ({ ...r, baseline: label(base), treatment: label(treat) }));
}
