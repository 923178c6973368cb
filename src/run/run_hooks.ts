import type { JsonObject } from "../core/json.ts";
import type { Hook, HookContext } from "../plugins/types.ts";
import type { TaskClock } from "./task_clock.ts";

/** A hook with the config the spec gives it. */
export interface ConfiguredHook {
  hook: Hook;
  config: JsonObject;
}

/** The phases a hook may take part in. */
export type HookPhase = keyof Omit<Hook, "id" | "pluginApi">;

/**
 * Apply the hooks of one phase in order, each call a `hook` phase of the task's clock (its own
 * `hook_timeout`, and a failure attributed to the hook). Without hooks for the phase the value
 * comes back as it is, without a phase.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runHooks } from "./run_hooks.ts";
 * import { TaskClock } from "./task_clock.ts";
 * const clock = new TaskClock({ generation: 1e3, parse: 1e3, score: 1e3, judge: 1e3, hook: 1e3 });
 * const shout = { hook: { id: "shout", preExtraction: (t: string) => t.toUpperCase() }, config: {} };
 * const base = { candidateId: "c", trialId: "t" };
 * assert.equal(await runHooks([shout], "preExtraction", "hi", { base, clock, item: 0 }), "HI");
 * ```
 */
export async function runHooks<T>(
  hooks: ReadonlyArray<ConfiguredHook>,
  phase: HookPhase,
  value: T,
  options: { base: Omit<HookContext, "config">; clock: TaskClock; item: number },
): Promise<T> {
  let current = value;
  for (const { hook, config } of hooks) {
    const fn = hook[phase] as ((v: T, c: HookContext) => T) | undefined;
    if (typeof fn !== "function") continue;
    const input = current;
    current = await options.clock.run(
      "hook",
      options.item,
      `hook:${hook.id}.${phase}`,
      () => fn.call(hook, input, { ...options.base, config }),
    );
  }
  return current;
}
