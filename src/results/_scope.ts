/** What every result query needs: the run, its plan, the store's analytics, the overlay view. */
import type { Analytics } from "../analytics/analytics.ts";
import type { RunManifest } from "../plan/manifest.ts";
import type { ScoreFilter } from "./aggregate_sql.ts";

/** An overlay view of a result: one parse (`tf:`) or one score (`ev:`). */
export interface OverlayView {
  /** A parse's view (`forTransform`) or a score's (`forEvaluation`). */
  kind: "transform" | "evaluation";
  /** `tf:<parse hash>` or `ev:<score hash>`. */
  overlay: string;
  /** The parse or score hash. */
  hash: string;
  /** The parse's or score's name. */
  name: string;
}

/** The run a query is about. */
export interface ResultScope {
  runId: string;
  manifest: RunManifest;
  /**
   * Trusted queries and the store root: any runner of them will do (the view queues them).
   * With `stream`, long results come in chunks instead of one array.
   */
  analytics: Pick<Analytics, "all" | "root"> & Partial<Pick<Analytics, "stream">>;
  view?: OverlayView;
}

/** The scores a scope reads (all, one score, or those reading one parse). */
export function scoreFilter(scope: ResultScope): ScoreFilter {
  if (scope.view?.kind === "evaluation") return { scoreHash: scope.view.hash };
  if (scope.view?.kind === "transform") return { parseHash: scope.view.hash };
  return {};
}

/** Dimension keys of the run's slices, sorted. */
export function dimensionKeys(manifest: RunManifest): string[] {
  const keys = new Set<string>();
  for (const task of manifest.experiment.tasks) {
    for (const key of Object.keys(task.dimensions)) keys.add(key);
  }
  return [...keys].sort();
}

/** The default seed of a run's bootstraps: its project's global seed, so reruns agree. */
export function defaultSeed(manifest: RunManifest): number {
  const seed = manifest.project?.global_seed;
  return Number.isSafeInteger(seed) ? seed : 0;
}
