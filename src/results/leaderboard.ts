/** A ranking of models (or another key) on one score, with intervals inside the metric's range. */
import { ThemisError } from "../core/errors.ts";
import { type AggregateOptions, aggregateResult, type AggregateRow } from "./aggregate.ts";
import { type ResultScope, scoreFilter } from "./_scope.ts";

/** Options of `leaderboard()`. */
export interface LeaderboardOptions extends Omit<AggregateOptions, "groupBy" | "metric"> {
  /** The score or metric to rank on (default: the run's first score and its first metric). */
  metric?: string;
  /** What to rank (default `model`): any group key but `metric` and `status`. */
  by?: string;
}

/** One ranked row: 1 is best; equal means share a rank (1, 2, 2, 4). */
export type LeaderboardRow = AggregateRow & { rank: number };

/** The metric a leaderboard ranks on when none is given: the first score's first metric. */
export function primaryMetric(scope: ResultScope): string | undefined {
  const filter = scoreFilter(scope);
  const score = scope.manifest.scores.find((s) =>
    (filter.scoreHash === undefined || s.hash === filter.scoreHash) &&
    (filter.parseHash === undefined || s.parseHash === filter.parseHash)
  );
  return score ? `${score.name}.${score.metrics[0].id}` : undefined;
}

function rank(rows: AggregateRow[]): LeaderboardRow[] {
  const sorted = [...rows].sort((a, b) => (b.mean ?? -Infinity) - (a.mean ?? -Infinity));
  return sorted.map((row, i) => {
    const first = sorted.findIndex((r) => r.mean === row.mean);
    return { rank: (first === -1 ? i : first) + 1, ...row };
  });
}

/**
 * Rank the run's models (or `by` values) on one score: the mean over their trials (invalid
 * answers counted as the score says), standard error, an interval inside the metric's range
 * (as `aggregate`: Wilson for 0/1 metrics by default, `ci` to choose) and the trial counts.
 * With a filter matching several score × metric pairs, each pair is ranked on its own.
 */
export async function leaderboardRows(
  scope: ResultScope,
  options: LeaderboardOptions = {},
): Promise<LeaderboardRow[]> {
  const by = options.by ?? "model";
  if (by === "metric" || by === "status") {
    throw new ThemisError("QUERY_INVALID", `Cannot rank by "${by}": rank models, slices, …`);
  }
  const metric = options.metric ?? primaryMetric(scope);
  if (metric === undefined) return [];
  const rows = await aggregateResult(scope, { ...options, groupBy: [by], metric });
  const pairs = new Map<string, AggregateRow[]>();
  for (const row of rows) {
    const key = `${row.score}\u0000${row.metric}`;
    pairs.set(key, [...(pairs.get(key) ?? []), row]);
  }
  return [...pairs.values()].flatMap(rank);
}
