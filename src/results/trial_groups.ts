/** Trial values split into groups by group keys, score and metric, in a stable order. */
import { BASE_GROUP_KEYS } from "./aggregate_sql.ts";
import type { TrialValue } from "./trial_values.ts";

/** One group of trial values: its key values, score name, metric and trials. */
export interface TrialGroup {
  keys: Record<string, string | number | null>;
  score: string;
  metric: string;
  trials: TrialValue[];
}

/**
 * The value of a group key for a trial: a base key (model, slice, …), `status`, or a slice
 * dimension as text (null when the slice has no such dimension).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupValue } from "./trial_groups.ts";
 * const t = { model_id: "m", slice_id: "s", status: "invalid" } as never;
 * assert.equal(groupValue(t, "model", { domain: 3 }), "m");
 * assert.equal(groupValue(t, "domain", { domain: 3 }), "3");
 * assert.equal(groupValue(t, "status", {}), "invalid");
 * ```
 */
export function groupValue(
  trial: TrialValue,
  key: string,
  dimensions: Record<string, unknown>,
): string | number | null {
  if (key === "status") return trial.status;
  const column = BASE_GROUP_KEYS[key];
  if (column !== undefined) return trial[column as keyof TrialValue] as string | number;
  const value = dimensions[key];
  return value === undefined || value === null ? null : String(value);
}

/** Ascending, nulls last, numbers by value and text by code unit (as DuckDB orders). */
export function compareKeys(
  a: ReadonlyArray<string | number | null>,
  b: ReadonlyArray<string | number | null>,
): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}
