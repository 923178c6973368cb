/** Paired comparison of two conditions of one run (two models, two prompt variants, …). */
import { ThemisError } from "../core/errors.ts";
import type { Row } from "../analytics/duckdb.ts";
import { groupExpressions, metricCondition, perTrialSql } from "./aggregate_sql.ts";
import { defaultSeed, dimensionKeys, type ResultScope, scoreFilter } from "./_scope.ts";
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
export interface PairedCompareOptions {
  baseline: Condition;
  treatment: Condition;
  /** Only this score or metric (as in `aggregate`). */
  metric?: string;
  /** One comparison per group (default `["slice"]`); score and metric always split. */
  groupBy?: string[];
  /** Across the groups: `holm` (default), `bh` (Benjamini–Hochberg) or `none`. */
  correction?: Correction;
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

function sideOf(row: Row, c: Record<string, string>): boolean {
  return Object.entries(c).every(([k, v]) => String(row[IDENTITY_COLUMNS[k]]) === v);
}

function missingSide(rows: Row[], c: Record<string, string>, runId: string): ThemisError {
  const key = Object.keys(c).find((k) =>
    !rows.some((r) => String(r[IDENTITY_COLUMNS[k]]) === c[k])
  );
  const k = key ?? Object.keys(c)[0];
  const values = [...new Set(rows.map((r) => String(r[IDENTITY_COLUMNS[k]])))].sort();
  return new ThemisError(
    "QUERY_INVALID",
    `Run ${runId} has no scored trial with ${label(c)}; ${k} values: ${values.join(", ")}`,
    { valid: values },
  );
}

/**
 * Compare `treatment` with `baseline` item by item: per group (default: per slice) and per
 * score × metric, the mean delta with a paired bootstrap interval, McNemar's exact test for
 * 0/1 scores or Wilcoxon's signed-rank test otherwise, win/loss/tie counts, and p-values
 * corrected across the groups.
 *
 * @example
 * ```ts
 * // const rows = await compareConditions(scope, { baseline: "mock-echo", treatment: "mock-solver" });
 * ```
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
  const groups = groupExpressions(groupBy, dimensionKeys(scope.manifest));
  const rows = await scope.analytics.all(
    `with ${perTrialSql(scope.manifest, scoreFilter(scope))}
     select r.model_id, r.slice_id, r.prompt_variant_id, r.params_index, r.item_id,
       ${
      groups.map((g) => `${g.sql} as "${g.key}"`).concat("r.score_name", "r.metric", "r.value")
        .join(", ")
    }
     from rows r where r.value is not null and ${metricCondition(options.metric)}`,
    options.metric === undefined
      ? { run: scope.runId }
      : { run: scope.runId, metric: options.metric },
  );
  if (!rows.some((r) => sideOf(r, base))) throw missingSide(rows, base, scope.runId);
  if (!rows.some((r) => sideOf(r, treat))) throw missingSide(rows, treat, scope.runId);
  const align = Object.keys(IDENTITY_COLUMNS).filter((k) => !factor.includes(k));
  const values: SideValue[] = [];
  for (const r of rows) {
    const side = sideOf(r, base) ? "baseline" : sideOf(r, treat) ? "treatment" : undefined;
    if (side === undefined) continue;
    values.push({
      group: Object.fromEntries(groups.map((g) => [g.key, r[g.key]])),
      score: r.score_name as string,
      metric: r.metric as string,
      align: JSON.stringify(align.map((k) => r[IDENTITY_COLUMNS[k]])),
      side,
      value: r.value as number,
    });
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
