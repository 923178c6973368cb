/**
 * What runs a plan on the `worker_pool` backend, as commands that run as printed: its shards,
 * one scheduler task each, then its status; or all of it here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workerPoolAdvice } from "./worker_pool_advice.ts";
 * assert.match(workerPoolAdvice("0123456789ab")[0], /themis resume 0123456789ab --shard 0\/4/);
 * ```
 */
export function workerPoolAdvice(runId: string): string[] {
  return [
    `execution_backend is "worker_pool": nothing ran here. Run the plan as shards on a ` +
    `scheduler, one task per shard i of N (a Slurm array: examples/slurm/; a Kubernetes ` +
    `Indexed Job: docs/scale_out.md), every task into this store: ` +
    `themis resume ${runId} --shard 0/4 (… up to --shard 3/4); then see what is done with ` +
    `themis status ${runId}. Or run it all on this machine: themis resume ${runId}`,
  ];
}
