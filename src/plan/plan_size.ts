import { ThemisError } from "../core/errors.ts";
import type { ExperimentSpec } from "../spec/schemas.ts";

/** The most candidates one run plans: past this, planning alone takes minutes and gigabytes. */
export const MAX_PLAN_CANDIDATES = 5_000_000;

/**
 * Check a plan's size before anything is enumerated: models × prompts × inference params ×
 * items × samples, per task. Too large a plan is `PLAN_INVALID` naming the factors, so a typo
 * (`num_samples = 1000000000`) is a clear error at once, not a planner that never returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPlanSize } from "./plan_size.ts";
 * const experiment = { num_samples: 1000, models: [{}, {}], tasks: [{ task_id: "t",
 *   prompts: [{}], inference: [{}] }] } as never;
 * assert.equal(checkPlanSize(experiment, new Map([["t", 10]])), 20_000);
 * assert.throws(() => checkPlanSize(experiment, new Map([["t", 1e4]])), /20,000,000 candidates/);
 * ```
 */
export function checkPlanSize(
  experiment: ExperimentSpec,
  itemCounts: ReadonlyMap<string, number>,
  limit = MAX_PLAN_CANDIDATES,
): number {
  const models = experiment.models.length;
  let total = 0;
  const factors: string[] = [];
  for (const task of experiment.tasks) {
    const items = itemCounts.get(task.task_id) ?? 0;
    const n = models * task.prompts.length * task.inference.length * items *
      experiment.num_samples;
    total += n;
    factors.push(
      `${task.task_id}: ${models} models × ${task.prompts.length} prompts × ` +
        `${task.inference.length} inference params × ${items} items × ` +
        `${experiment.num_samples} samples`,
    );
  }
  if (total > limit) {
    const fmt = (n: number) => n.toLocaleString("en-US");
    throw new ThemisError(
      "PLAN_INVALID",
      `The plan has ${fmt(total)} candidates, more than the ${fmt(limit)} one run may plan ` +
        `(${factors.join("; ")}): lower num_samples, pick a subset of the items, or split the ` +
        `benchmark into several runs (they share one store)`,
      { candidates: total, limit, suggestion: "lower num_samples or use a dataset subset" },
    );
  }
  return total;
}
