import { ThemisError } from "../core/errors.ts";
import type { JsonObject } from "../core/json.ts";
import type { Registry } from "../plugins/registry.ts";
import type { GenerationOutput } from "../plugins/types.ts";
import type { PluginRef } from "../spec/schemas.ts";
import type { GenerationOutcome, GenerationTask } from "./candidate_work.ts";
import { type ConfiguredHook, runHooks } from "./run_hooks.ts";
import { epochNow, type TaskClock } from "./task_clock.ts";
import { toWorkError } from "./work_error.ts";

/** What a task runs with, wherever it runs. */
export interface WorkContext {
  registry: Registry;
  secret: (name: string) => string | undefined;
  clock: TaskClock;
}

/** The hooks a spec names, looked up once per task. */
export function configuredHooks(refs: PluginRef[], registry: Registry): ConfiguredHook[] {
  return refs.map((ref) => ({ hook: registry.hook(ref.id), config: ref.config as JsonObject }));
}

/**
 * One generation attempt: `preInference` hooks, the engine call (a `generation` phase with
 * `attempt_timeout`; a hung engine's signal is aborted), `postInference` hooks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runGenerationWork } from "./generation_work.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * import { TaskClock } from "./task_clock.ts";
 * const timeouts = { generation: 1e3, parse: 1e3, score: 1e3, judge: 1e3, hook: 1e3 };
 * const out = await runGenerationWork({ kind: "generation", hooks: [], timeouts, request: {
 *   model: { model_id: "m", provider: "nope", extras: {} }, messages: [], params: {}, seed: 1,
 *   trialId: "t", candidateId: "c", sampleIndex: 0, item: { id: "i", payload: {} } } },
 *   { registry: createRegistry(), secret: () => undefined, clock: new TaskClock(timeouts) });
 * assert.equal(!out.ok && out.error.code, "PLUGIN_NOT_FOUND");
 * ```
 */
export async function runGenerationWork(
  task: GenerationTask,
  context: WorkContext,
): Promise<GenerationOutcome> {
  const { request } = task;
  const { registry, clock, secret } = context;
  const where = `generation:${request.model.provider}/${request.model.model_id}`;
  try {
    if (task.hooks.length > 0) return await hookedGeneration(task, context, where);
    const engine = registry.engine(request.model.provider);
    const controller = new AbortController();
    const call = { signal: controller.signal, runtime: task.runtime, secret };
    const running = clock.run(
      "generation",
      0,
      where,
      () => engine.generate(request, call),
      () => controller.abort(),
    );
    // Without hooks the latency is the phase's: its start saves reading the clock again.
    const started = clock.started;
    return generated(await running, engine.id, started);
  } catch (error) {
    return { ok: false, error: toWorkError(error, where, "generation") };
  }
}

/** The generation of a task with hooks: `preInference` and `postInference` around the call. */
async function hookedGeneration(
  task: GenerationTask,
  context: WorkContext,
  where: string,
): Promise<GenerationOutcome> {
  const started = epochNow();
  const { request } = task;
  const { registry, clock, secret } = context;
  const hooks = configuredHooks(task.hooks, registry);
  const base = { candidateId: request.candidateId, trialId: request.trialId };
  const hooked = { base, clock, item: 0 };
  const engine = registry.engine(request.model.provider);
  const prepared = await runHooks(hooks, "preInference", request, hooked);
  const controller = new AbortController();
  const raw = await clock.run(
    "generation",
    0,
    where,
    () => engine.generate(prepared, { signal: controller.signal, runtime: task.runtime, secret }),
    () => controller.abort(),
  );
  return generated(await runHooks(hooks, "postInference", raw, hooked), engine.id, started);
}

function generated(output: GenerationOutput, engine: string, started: number): GenerationOutcome {
  if (typeof output?.text !== "string") {
    throw new ThemisError("PROVIDER_MALFORMED", `engine "${engine}" returned no text`);
  }
  return { ok: true, output, latencyMs: Math.round(epochNow() - started) };
}
