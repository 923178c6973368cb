/** Paired comparison of two runs, trial by trial (model, slice, prompt variant, params, item). */
import { ThemisError } from "../core/errors.ts";
import { checkGroupKeys } from "./aggregate_sql.ts";
import { defaultSeed, dimensionKeys, type ResultScope, scoreFilter } from "./_scope.ts";
import { IDENTITY_COLUMNS, sideValue } from "./compare_conditions.ts";
import { readTrialValues, type SamplePolicyOptions, sliceDimensions } from "./trial_values.ts";
import {
  alignPairs,
  type Correction,
  type PairedRow,
  type PairSet,
  type SideValue,
  testPairSets,
} from "./paired_groups.ts";

/** Options of `compareRuns()` (policies default to each run's own scores'). */
export interface CompareRunsOptions extends SamplePolicyOptions {
  /** Only this score or metric (as in `aggregate`). */
  metric?: string;
  /** One comparison per group (default `["model", "slice"]`); score and metric always split. */
  groupBy?: string[];
  /** Across all comparisons: `holm` (default), `bh` or `none`. */
  correction?: Correction;
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
  /** Bootstrap seed (default: the first run's project `global_seed`). */
  seed?: number;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
}

/** An item whose 0/1 score changed between the runs. */
export interface FlipRow {
  /** The model. */
  model: string;
  /** The slice. */
  slice: string;
  /** The prompt variant. */
  prompt_variant: string;
  /** Index of the inference parameters in the slice's grid. */
  params: number;
  /** The dataset item. */
  item: string;
  /** The score. */
  score: string;
  /** The metric. */
  metric: string;
  /** Its value in the baseline run. */
  baseline: number;
  /** Its value in the treatment run. */
  treatment: number;
  /** `gained`: right only in the treatment run; `lost`: right only in the baseline run. */
  direction: "gained" | "lost";
}

/** What `compareRuns()` found. */
export interface RunComparison {
  /** The baseline run id. */
  baseline: string;
  /** The treatment run id. */
  treatment: string;
  /** One paired comparison per group. */
  rows: PairedRow[];
  /** Items whose 0/1 score changed. */
  flips: FlipRow[];
}

const IDENTITY = Object.keys(IDENTITY_COLUMNS);

async function sideValues(
  scope: ResultScope,
  side: "baseline" | "treatment",
  options: CompareRunsOptions & { groupBy: string[] },
): Promise<SideValue[]> {
  const group = checkGroupKeys(options.groupBy, dimensionKeys(scope.manifest));
  const trials = await readTrialValues(
    scope,
    { ...scoreFilter(scope), metric: options.metric },
    options,
  );
  const dims = sliceDimensions(scope.manifest);
  return trials.map((t) =>
    sideValue(t, side, { group, align: IDENTITY }, dims.get(t.slice_id) ?? {})
  );
}

const binary = (v: number) => v === 0 || v === 1;

function flipsOf(sets: ReadonlyArray<PairSet>): FlipRow[] {
  const flips: FlipRow[] = [];
  for (const set of sets) {
    if (!set.baseline.every(binary) || !set.treatment.every(binary)) continue;
    set.keys.forEach((key, i) => {
      if (set.baseline[i] === set.treatment[i]) return;
      const [model, slice, prompt_variant, params, item] = JSON.parse(key);
      flips.push({
        model,
        slice,
        prompt_variant,
        params,
        item,
        score: set.score,
        metric: set.metric,
        baseline: set.baseline[i],
        treatment: set.treatment[i],
        direction: set.treatment[i] > set.baseline[i] ? "gained" : "lost",
      });
    });
  }
  return flips.sort((a, b) =>
    JSON.stringify([a.model, a.slice, a.score, a.metric, a.prompt_variant, a.params, a.item])
      .localeCompare(
        JSON.stringify([b.model, b.slice, b.score, b.metric, b.prompt_variant, b.params, b.item]),
      )
  );
}

/**
 * Compare run `treatment` with run `baseline`: trials are aligned by identity (model, slice,
 * prompt variant, params, item, score, metric), so a changed spec (another prompt wording,
 * other model settings) still pairs item by item. Per group (default model × slice) and per
 * score × metric: the mean delta with a paired bootstrap interval, McNemar's exact test for
 * 0/1 scores or Wilcoxon's otherwise, the minimum detectable effect, each side's trials by
 * outcome, p-values corrected across all comparisons, and every item whose 0/1 score flipped.
 */
export async function compareRunScopes(
  baseline: ResultScope,
  treatment: ResultScope,
  options: CompareRunsOptions = {},
): Promise<RunComparison> {
  const groupBy = (options.groupBy ?? ["model", "slice"]).filter((k) => k !== "metric");
  if (groupBy.includes("status")) {
    throw new ThemisError(
      "QUERY_INVALID",
      `Cannot group a comparison of runs by "status": each run has its own status`,
    );
  }
  const values = [
    ...await sideValues(baseline, "baseline", { ...options, groupBy }),
    ...await sideValues(treatment, "treatment", { ...options, groupBy }),
  ];
  const sets = alignPairs(values).sort((a, b) =>
    JSON.stringify([a.group, a.score, a.metric]).localeCompare(
      JSON.stringify([b.group, b.score, b.metric]),
    )
  );
  const rows = testPairSets(sets, {
    correction: options.correction,
    confidence: options.confidence,
    resamples: options.resamples,
    seed: options.seed ?? defaultSeed(baseline.manifest),
  });
  return { baseline: baseline.runId, treatment: treatment.runId, rows, flips: flipsOf(sets) };
}
