/**
 * A full garbage collection on demand. V8 collects its old generation when JavaScript
 * allocates, so what a long run leaves behind (its scheduler's and fold's garbage, hundreds of
 * MB at a million trials) stays resident through whatever follows and does not allocate in
 * V8: the analytics build after a run allocates in DuckDB, and the two added up to the run's
 * peak. V8's `gc` function is enabled for new contexts (`--expose-gc` through node:v8), taken
 * from one (node:vm) and disabled again: neither the main context nor any context made later
 * gets a `gc` global.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | null | undefined;

/**
 * Collect garbage now; false when the runtime does not allow it (then nothing happened).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runInNewContext } from "node:vm";
 * import { collectGarbage } from "./collect_garbage.ts";
 * assert.equal(collectGarbage(), true);
 * assert.equal(typeof (globalThis as { gc?: unknown }).gc, "undefined");
 * assert.equal(runInNewContext("typeof gc"), "undefined");
 * ```
 */
export function collectGarbage(): boolean {
  if (gc === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      try {
        const found: unknown = runInNewContext("typeof gc === 'function' ? gc : null");
        gc = typeof found === "function" ? found as () => void : null;
      } finally {
        // Contexts made later (by plugins, by dependencies) get no `gc` of their own.
        setFlagsFromString("--no-expose-gc");
      }
    } catch {
      gc = null;
    }
  }
  if (gc === null) return false;
  gc();
  return true;
}
