/**
 * Shards: a deterministic, balanced part of a run's plan that any scheduler (a Slurm array, a
 * Kubernetes Indexed Job) can run as one task, each into its own run directory of one shared
 * store. The union of a run's N shards holds exactly the facts one process would have written
 * (docs/design/scale_out.md).
 */
import { contentHash, SHORT_ID_LENGTH } from "../core/canonical.ts";
import { ThemisError } from "../core/errors.ts";
import { ManifestBuilder, type RunManifest } from "./manifest.ts";
import type { RunPlan } from "./plan_run.ts";

/** Which part of a plan: shard `index` (0-based) of `count`. */
export interface Shard {
  /** Which part (0-based). */
  index: number;
  /** Of how many. */
  count: number;
}

/** What a shard's manifest records: its part, and the run it is a part of. */
export interface ShardOf extends Shard {
  /** The run id of the whole plan. */
  of: string;
}

/**
 * Read `i/N` (0 ≤ i < N): the form of `--shard` and of scheduler array indexes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseShard } from "./shard_plan.ts";
 * assert.deepEqual(parseShard("2/4"), { index: 2, count: 4 });
 * assert.throws(() => parseShard("4/4"), /0 ≤ i < N/);
 * ```
 */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!(count >= 1 && index >= 0 && index < count)) {
    throw new ThemisError(
      "USAGE",
      `--shard takes i/N with 0 ≤ i < N (got "${text}"): shard indexes count from 0, like ` +
        `Slurm's SLURM_ARRAY_TASK_ID and Kubernetes' JOB_COMPLETION_INDEX`,
    );
  }
  return { index, count };
}

/**
 * The run id of shard `index`/`count` of run `of`: a hash of the three, so every machine
 * running the same shard writes the same run directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shardRunId } from "./shard_plan.ts";
 * const id = shardRunId("0123456789ab", { index: 0, count: 2 });
 * assert.equal(id.length, 12);
 * assert.notEqual(id, shardRunId("0123456789ab", { index: 1, count: 2 }));
 * ```
 */
export function shardRunId(of: string, shard: Shard): string {
  return contentHash({ kind: "shard", of, index: shard.index, count: shard.count })
    .slice(0, SHORT_ID_LENGTH);
}

/**
 * The trials of one shard: the trial ids sorted, the k-th going to shard k mod N. Chosen by
 * trial id only (not plan order), and balanced: shard sizes differ by at most one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shardTrials } from "./shard_plan.ts";
 * const ids = ["d", "a", "c", "b", "e"];
 * assert.deepEqual([...shardTrials(ids, { index: 0, count: 2 })].sort(), ["a", "c", "e"]);
 * assert.deepEqual([...shardTrials(ids, { index: 1, count: 2 })].sort(), ["b", "d"]);
 * ```
 */
export function shardTrials(trialIds: Iterable<string>, shard: Shard): Set<string> {
  const sorted = [...new Set(trialIds)].sort();
  const out = new Set<string>();
  for (let k = shard.index; k < sorted.length; k += shard.count) out.add(sorted[k]);
  return out;
}

/**
 * The plan of one shard of a run: the run's manifest with the shard's run id, counts and
 * `shard: {index, count, of}`, walking only the shard's trials. `sink` receives the shard's
 * plan lines (item payloads and prompts ride on the shard's own first trial that uses them).
 */
export function shardPlan(
  plan: RunPlan,
  shard: Shard,
  options: { sink?: (line: string) => void; payloads?: boolean } = {},
): RunPlan {
  const ids: string[] = [];
  for (const trial of plan.iterTrials()) ids.push(trial.trial);
  const members = shardTrials(ids, shard);
  const builder = new ManifestBuilder(plan.stages, options);
  const iterTrials = function* () {
    for (const trial of plan.iterTrials()) if (members.has(trial.trial)) yield trial;
  };
  for (const trial of iterTrials()) builder.add(trial);
  const of = plan.manifest.run_id;
  const manifest: RunManifest = {
    ...plan.manifest,
    run_id: shardRunId(of, shard),
    counts: builder.counts(),
    shard: { index: shard.index, count: shard.count, of },
  };
  return { ...plan, manifest, iterTrials };
}
