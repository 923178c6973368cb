/**
 * CI gating: a score's mean (or the lower bound of its interval) must reach a threshold in
 * every group (per model by default). `themis run --fail-under` and `themis check` use it.
 */
import { closestMatch } from "../core/closest.ts";
import { ThemisError } from "../core/errors.ts";
import type { RunManifest } from "../plan/manifest.ts";
import type { AggregateOptions, AggregateRow } from "./aggregate.ts";
import { matchesMetric } from "./aggregate_sql.ts";

/** One `--fail-under` threshold: a score (`acc`) or score.metric (`acc.exact_match`) and a minimum. */
export interface Threshold {
  target: string;
  min: number;
}

/** The outcome of one threshold in one group. */
export interface ThresholdCheck {
  target: string;
  min: number;
  /** The group's keys (`{ model: "gpt-4o-mini" }`). */
  group: Record<string, unknown>;
  score: string;
  metric: string;
  /** The value compared: the mean, or the interval's lower bound; null when none was scored. */
  value: number | null;
  compared: "mean" | "ci_low";
  /** Trials in the mean (scored, plus invalid ones that count as the failing value). */
  count: number;
  n_scored: number;
  passed: boolean;
}

/** Options of {@linkcode checkThresholds}. */
export interface CheckThresholdsOptions {
  /** Compare the lower bound of each mean's interval instead of the mean. */
  lowerBound?: boolean;
  /** Groups that must each pass (default: per model). */
  groupBy?: string[];
}

/**
 * Read `acc=0.8` or `acc.exact_match=0.8`; a malformed one is a `USAGE` error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseThreshold } from "./check_thresholds.ts";
 * assert.deepEqual(parseThreshold("acc.exact_match=0.8"), { target: "acc.exact_match", min: 0.8 });
 * assert.throws(() => parseThreshold("acc>0.8"), { code: "USAGE" });
 * ```
 */
export function parseThreshold(text: string): Threshold {
  const match = /^([^=\s]+)=(.+)$/.exec(text.trim());
  const min = match ? Number(match[2]) : NaN;
  if (!match || !Number.isFinite(min)) {
    throw new ThemisError(
      "USAGE",
      `--fail-under takes SCORE=NUMBER or SCORE.METRIC=NUMBER, e.g. acc=0.8 (got "${text}")`,
    );
  }
  return { target: match[1], min };
}

/**
 * Every name a threshold may target in a run: score names, metric ids and score.metric.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thresholdTargets } from "./check_thresholds.ts";
 * const scores = [{ name: "acc", metrics: [{ id: "exact_match", config: {} }] }];
 * assert.deepEqual(thresholdTargets(scores as never), ["acc", "exact_match", "acc.exact_match"]);
 * ```
 */
export function thresholdTargets(scores: RunManifest["scores"]): string[] {
  const names = new Set<string>();
  for (const s of scores) {
    names.add(s.name);
    for (const m of s.metrics) {
      names.add(m.id);
      names.add(`${s.name}.${m.id}`);
    }
  }
  return [...names];
}

/**
 * Refuse a threshold that names no score or metric of the run (a typo must not pass a CI job):
 * a `USAGE` error with the closest name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTargets } from "./check_thresholds.ts";
 * const targets = ["acc", "exact_match", "acc.exact_match"];
 * checkTargets([{ target: "acc", min: 0.8 }], targets);
 * assert.throws(() => checkTargets([{ target: "acx", min: 0.8 }], targets), {
 *   message: /--fail-under names "acx", which is no score or metric of the run \(did you mean "acc"\?\)/,
 * });
 * ```
 */
export function checkTargets(thresholds: ReadonlyArray<Threshold>, targets: string[]): void {
  for (const { target } of thresholds) {
    if (targets.includes(target)) continue;
    const prefixed = targets.filter((t) => t.startsWith(target));
    const guess = closestMatch(target, targets) ??
      prefixed.sort((a, b) => a.length - b.length)[0];
    throw new ThemisError(
      "USAGE",
      `--fail-under names "${target}", which is no score or metric of the run` +
        (guess ? ` (did you mean "${guess}"?)` : "") + `; it has: ${targets.join(", ")}`,
    );
  }
}

/**
 * Check thresholds against aggregate rows: each row a threshold targets passes when its mean
 * (or `ci_low` with `lowerBound`) is at least the minimum; a row with nothing scored fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareRows } from "./check_thresholds.ts";
 * const row = { model: "m", score: "acc", metric: "exact_match", mean: 0.75, ci_low: 0.6,
 *   count: 40, n_scored: 38 };
 * const [check] = compareRows([{ target: "acc", min: 0.7 }], [row as never], {
 *   groupBy: ["model"],
 * });
 * assert.equal(check.passed, true);
 * const [low] = compareRows([{ target: "acc", min: 0.7 }], [row as never], {
 *   groupBy: ["model"], lowerBound: true,
 * });
 * assert.deepEqual([low.compared, low.value, low.passed], ["ci_low", 0.6, false]);
 * ```
 */
export function compareRows(
  thresholds: ReadonlyArray<Threshold>,
  rows: ReadonlyArray<AggregateRow>,
  options: Required<Pick<CheckThresholdsOptions, "groupBy">> & CheckThresholdsOptions,
): ThresholdCheck[] {
  const compared = options.lowerBound ? "ci_low" : "mean";
  const checks: ThresholdCheck[] = [];
  for (const { target, min } of thresholds) {
    for (const row of rows) {
      if (!matchesMetric(row.score, row.metric, target)) continue;
      const value = row[compared] ?? null;
      checks.push({
        target,
        min,
        group: Object.fromEntries(options.groupBy.map((k) => [k, row[k]])),
        score: row.score,
        metric: row.metric,
        value,
        compared,
        count: row.count,
        n_scored: row.n_scored,
        passed: value !== null && value >= min,
      });
    }
  }
  return checks;
}

/**
 * Check thresholds on a run's result: aggregate per group (per model by default, with each
 * score's own policies), then compare. A threshold naming nothing in the run is a `USAGE` error.
 */
export async function checkThresholds(
  result: {
    manifest: Pick<RunManifest, "scores">;
    aggregate(options: AggregateOptions): Promise<AggregateRow[]>;
  },
  thresholds: ReadonlyArray<Threshold>,
  options: CheckThresholdsOptions = {},
): Promise<ThresholdCheck[]> {
  checkTargets(thresholds, thresholdTargets(result.manifest.scores));
  const groupBy = options.groupBy ?? ["model"];
  const rows = await result.aggregate({ groupBy: [...groupBy, "metric"] });
  return compareRows(thresholds, rows, { ...options, groupBy });
}

/**
 * One line per failed check: what fell short, by how much, and where.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatFailedCheck } from "./check_thresholds.ts";
 * const line = formatFailedCheck({
 *   target: "acc", min: 0.8, group: { model: "m" }, score: "acc", metric: "exact_match",
 *   value: 0.625, compared: "mean", count: 40, n_scored: 38, passed: false,
 * });
 * assert.equal(line, "below threshold: acc.exact_match mean 0.6250 < 0.8 (model m, 40 trials)");
 * ```
 */
export function formatFailedCheck(check: ThresholdCheck): string {
  const where = Object.entries(check.group).map(([k, v]) => `${k} ${v}`);
  const name = `below threshold: ${check.score}.${check.metric}`;
  if (check.value === null) {
    const why = check.count === 0 ? "no scored trial" : "no interval";
    return `${name} has ${why} to compare with ${check.min}` +
      (where.length ? ` (${where.join(", ")})` : "");
  }
  const what = check.compared === "mean" ? "mean" : "ci lower bound";
  return `${name} ${what} ${check.value.toFixed(4)} < ${check.min} ` +
    `(${[...where, `${check.count} trials`].join(", ")})`;
}
