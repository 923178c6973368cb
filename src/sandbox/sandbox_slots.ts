import { availableParallelism } from "node:os";
import { getEnvironmentData, isMainThread, setEnvironmentData } from "node:worker_threads";

const KEY = "themis.sandbox.slots";
const POLL_MS = 20;

/**
 * One slot per core, shared by every worker thread of the process: the main thread creates
 * the shared buffer when this module loads (the registry imports it before any pool worker
 * starts) and workers inherit it. Each slot holds 0 (free) or the time (ms since the epoch)
 * past which its holder is presumed gone — a worker terminated mid-run cannot free its slot,
 * and its sandbox has killed itself by then.
 */
function sharedSlots(): BigInt64Array {
  const inherited = getEnvironmentData(KEY);
  if (inherited instanceof SharedArrayBuffer) return new BigInt64Array(inherited);
  const buffer = new SharedArrayBuffer(8 * Math.max(1, availableParallelism()));
  if (isMainThread) setEnvironmentData(KEY, buffer);
  return new BigInt64Array(buffer);
}

const processSlots = sharedSlots();

/** Options of {@linkcode acquireSandboxSlot}. */
export interface AcquireSlotOptions {
  /** The slots to take from (default: the process's, one per core). */
  slots?: BigInt64Array;
  /** Injected clock (ms since the epoch). */
  now?: () => number;
}

/**
 * Wait for a free sandbox slot and take it for at most `holdMs`; returns the function that
 * gives it back. Sandboxes are CPU-bound: more at once than cores adds memory and makes
 * healthy code miss its wall-clock limit, without adding throughput.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireSandboxSlot } from "./sandbox_slots.ts";
 * const slots = new BigInt64Array(new SharedArrayBuffer(8));
 * const release = await acquireSandboxSlot(60_000, { slots });
 * assert.notEqual(slots[0], 0n);
 * release();
 * assert.equal(slots[0], 0n);
 * ```
 */
export async function acquireSandboxSlot(
  holdMs: number,
  options: AcquireSlotOptions = {},
): Promise<() => void> {
  const slots = options.slots ?? processSlots;
  const now = options.now ?? Date.now;
  for (;;) {
    const time = BigInt(Math.floor(now()));
    for (let i = 0; i < slots.length; i++) {
      const held = Atomics.load(slots, i);
      if (held !== 0n && held > time) continue;
      const until = time + BigInt(Math.ceil(holdMs));
      if (Atomics.compareExchange(slots, i, held, until) !== held) continue;
      return () => void Atomics.compareExchange(slots, i, until, 0n);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** How many sandboxes this process runs at once. */
export function sandboxSlotCount(): number {
  return processSlots.length;
}
