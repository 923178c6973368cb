import type { RunManifest } from "../plan/manifest.ts";
import type { RunStore } from "../store/run_store.ts";

/** One shard of a run found in the store. */
export interface ShardRun {
  /** Its index (0-based). */
  index: number;
  /** How many shards the run was split into. */
  count: number;
  /** The shard's own run id. */
  runId: string;
}

/** Where the shards of a run stand, for each shard count they were run with. */
export interface ShardProgress {
  /** How many shards the run was split into. */
  count: number;
  /** Shard indexes whose last execution finished with nothing left. */
  done: number[];
  /** Shard indexes with a run directory whose work is not all done. */
  unfinished: number[];
  /** Shard indexes no process has planned yet in this store. */
  missing: number[];
  /** Every shard run found, with its status and the work it has left or failed. */
  runs: Array<ShardRun & { status: string; pending: number; failed: number }>;
}

/**
 * The shards of run `of` in the store: every run whose manifest says `shard.of = of`, in
 * (count, index) order. Manifests are small; the store's run list is read once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunStore } from "../store/run_store.ts";
 * import { findShards } from "./shard_status.ts";
 * assert.deepEqual(await findShards(new RunStore(await Deno.makeTempDir()), "0123456789ab"), []);
 * ```
 */
export async function findShards(runs: RunStore, of: string): Promise<ShardRun[]> {
  return (await shardIndex(runs)).get(of) ?? [];
}

/** Every shard of the store by the run it is a part of (each manifest read once). */
export async function shardIndex(runs: RunStore): Promise<Map<string, ShardRun[]>> {
  const out = new Map<string, ShardRun[]>();
  for (const runId of await runs.listRunIds()) {
    if (!(await runs.hasRun(runId))) continue;
    const shard = (await runs.readManifest<RunManifest>(runId)).shard;
    if (shard === undefined) continue;
    const list = out.get(shard.of) ?? [];
    list.push({ index: shard.index, count: shard.count, runId });
    out.set(shard.of, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.count - b.count || a.index - b.index);
  return out;
}

/** Per shard count: which shards are done, unfinished, or missing. */
export function groupShards(
  shards: Array<ShardRun & { status: string; pending: number; failed: number }>,
): ShardProgress[] {
  const byCount = new Map<number, ShardProgress["runs"]>();
  for (const s of shards) byCount.set(s.count, [...(byCount.get(s.count) ?? []), s]);
  return [...byCount].map(([count, list]) => {
    const seen = new Set(list.map((s) => s.index));
    const done = list.filter((s) => s.status === "finished" && s.pending + s.failed === 0);
    return {
      count,
      done: done.map((s) => s.index),
      unfinished: list.filter((s) => !done.includes(s)).map((s) => s.index),
      missing: Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i)),
      runs: list,
    };
  });
}
