import type { BenchmarkSpec, ExperimentSpec, PromptVariant, SliceSpec } from "./schemas.ts";
import type { JsonObject } from "../core/json.ts";

/** params × overrides: every override merged over every base parameter set. */
export function expandGrid(params: JsonObject[], overrides: JsonObject[]): JsonObject[] {
  const out: JsonObject[] = [];
  for (const base of params) {
    for (const override of overrides) out.push({ ...base, ...override });
  }
  return out;
}

function promptsForSlice(slice: SliceSpec, variants: PromptVariant[]): PromptVariant[] {
  const ids = slice.prompt_variant_ids;
  const families = slice.prompt_families;
  if (ids === undefined && families === undefined) return variants;
  return variants.filter((v) =>
    (ids?.includes(v.id) ?? false) ||
    (v.family !== undefined && (families?.includes(v.family) ?? false))
  );
}

/**
 * Compile the public benchmark form into the explicit experiment form: one task per slice
 * with its prompt templates resolved and its inference grid expanded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileBenchmark } from "./compile_benchmark.ts";
 * import { validateBenchmark } from "./validate_spec.ts";
 * const exp = compileBenchmark(validateBenchmark({
 *   benchmark_id: "b",
 *   models: [{ model_id: "m", provider: "mock" }],
 *   prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.q}" }] }],
 *   slices: [{ slice_id: "s", dataset: { kind: "inline", items: [{ id: "1", q: "hi" }] } }],
 * }));
 * assert.equal(exp.tasks[0].task_id, "s");
 * ```
 */
export function compileBenchmark(benchmark: BenchmarkSpec): ExperimentSpec {
  const grid = expandGrid(benchmark.inference_grid.params, benchmark.inference_grid.overrides);
  return {
    experiment_id: benchmark.benchmark_id,
    description: benchmark.description,
    benchmark_id: benchmark.benchmark_id,
    plugins: benchmark.plugins,
    hooks: benchmark.hooks,
    models: benchmark.models,
    num_samples: benchmark.num_samples,
    ...(benchmark.cluster === undefined ? {} : { cluster: benchmark.cluster }),
    tasks: benchmark.slices.map((slice) => ({
      task_id: slice.slice_id,
      dataset: slice.dataset,
      dataset_query: slice.dataset_query,
      ...(slice.slice_by === undefined ? {} : { slice_by: slice.slice_by }),
      ...(slice.max_slices === undefined ? {} : { max_slices: slice.max_slices }),
      dimensions: slice.dimensions,
      prompts: promptsForSlice(slice, benchmark.prompt_variants),
      inference: grid.map((params) => ({ ...params, ...(slice.generation?.params ?? {}) })),
      parses: slice.parses,
      scores: slice.scores,
    })),
  };
}
