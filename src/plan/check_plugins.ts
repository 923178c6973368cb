import { ThemisError } from "../core/errors.ts";
import type { ErrorIssue } from "../core/errors.ts";
import type { JsonObject } from "../core/json.ts";
import type { Registry } from "../plugins/registry.ts";
import type { Engine } from "../plugins/types.ts";
import type { BenchmarkSpec, ExperimentSpec } from "../spec/schemas.ts";
import { expandGrid } from "../spec/compile_benchmark.ts";

/** The stages whose plugins a command needs. */
export type Stage = "generation" | "parse" | "score";

// Also run on specs the schema refused (`themis validate` lists every problem at once): values
// are read defensively and what is missing or mistyped is left to the schema's issues.
type Loose = Record<string, unknown>;
const list = (value: unknown): Loose[] =>
  Array.isArray(value) ? value.map((v) => (typeof v === "object" && v !== null ? v : {})) : [];
const table = (value: unknown): JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? value as JsonObject : {};

/**
 * An error's message with its suggestion (a list of issues has no room for a hint line).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withSuggestion } from "./check_plugins.ts";
 * import { ThemisError } from "../core/errors.ts";
 * const error = new ThemisError("SPEC_INVALID", "x: bad", { suggestion: 'did you mean "y"?' });
 * assert.equal(withSuggestion(error), 'x: bad (did you mean "y"?)');
 * ```
 */
export function withSuggestion(error: ThemisError): string {
  const hint = error.details.suggestion;
  return typeof hint === "string" && !error.message.includes(hint)
    ? `${error.message} (${hint})`
    : error.message;
}

function collect(issues: ErrorIssue[], path: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof ThemisError) {
      issues.push({ path, message: withSuggestion(error), code: error.code });
    } else throw error;
  }
}

/** An inference-params capability an engine must declare, and how to tell it is asked for. */
const CAPABILITIES: Array<{
  key: "jsonOutput" | "logprobs";
  what: string;
  asks: (params: JsonObject) => string | undefined;
}> = [
  {
    key: "jsonOutput",
    what: "JSON output",
    asks: (p) => {
      const format = p.response_format;
      if (format === undefined || format === null || format === "text") return undefined;
      if (typeof format === "object" && !Array.isArray(format) && format.type === "text") {
        return undefined;
      }
      return `response_format = ${JSON.stringify(format)}`;
    },
  },
  {
    key: "logprobs",
    what: "logprobs",
    asks: (p) =>
      p.logprobs === true
        ? "logprobs = true"
        : p.top_logprobs !== undefined
        ? `top_logprobs = ${JSON.stringify(p.top_logprobs)}`
        : undefined,
  },
];

/** Engines that lack a capability the task's inference params ask for. */
function capabilityIssues(
  task: { id: string; inference: JsonObject[] },
  engines: Array<{ engine: Engine; index: number; modelId: string }>,
): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  for (const { engine, index, modelId } of engines) {
    for (const capability of CAPABILITIES) {
      if (engine.capabilities?.[capability.key] === true) continue;
      const asked = task.inference.map((p) => capability.asks(p)).find(Boolean);
      if (asked === undefined) continue;
      issues.push({
        path: `models[${index}].provider`,
        code: "capability",
        message: `the "${engine.id}" engine of model "${modelId}" cannot do ${capability.what}, ` +
          `but the inference params of "${task.id}" ask for it (${asked}); remove the ` +
          `param for this model, or use an engine that declares capabilities.${capability.key}`,
      });
    }
  }
  return issues;
}

/** The engines of the models, each checked: it exists and accepts the model's extras. */
function collectEngines(models: Loose[], registry: Registry, issues: ErrorIssue[]) {
  const engines: Array<{ engine: Engine; index: number; modelId: string }> = [];
  models.forEach((model, i) => {
    if (typeof model.provider !== "string") return;
    let engine: Engine;
    try {
      engine = registry.engine(model.provider);
    } catch (error) {
      if (!(error instanceof ThemisError)) throw error;
      issues.push({ path: `models[${i}].provider`, message: error.message, code: error.code });
      return;
    }
    const modelId = String(model.model_id);
    engines.push({ engine, index: i, modelId });
    try {
      engine.validateModel?.({
        model_id: modelId,
        provider: model.provider,
        extras: table(model.extras),
      });
    } catch (error) {
      if (!(error instanceof ThemisError)) throw error;
      const at = typeof error.details.path === "string" && error.details.path.startsWith("extras")
        ? error.details.path
        : "extras";
      issues.push({ path: `models[${i}].${at}`, message: withSuggestion(error), code: error.code });
    }
  });
  return engines;
}

/** A spec's tasks as the plugin checks see them: path, id, raw task, expanded inference params. */
function tasksOf(
  spec: Loose,
): Array<{ path: string; id: string; raw: Loose; inference: JsonObject[] }> {
  if (!Array.isArray(spec.slices) && Array.isArray(spec.tasks)) {
    const group = spec.benchmark_id === undefined ? "tasks" : "slices";
    return list(spec.tasks).map((task, t) => ({
      path: `${group}[${t}]`,
      id: String(task.task_id),
      raw: task,
      inference: list(task.inference) as JsonObject[],
    }));
  }
  const grid = table(spec.inference_grid);
  const params = Array.isArray(grid.params) ? list(grid.params) : [{}];
  const overrides = Array.isArray(grid.overrides) ? list(grid.overrides) : [{}];
  const base = expandGrid(params as JsonObject[], overrides as JsonObject[]);
  return list(spec.slices).map((slice, t) => {
    const own = table(table(slice.generation).params);
    return {
      path: `slices[${t}]`,
      id: String(slice.slice_id),
      raw: slice,
      inference: base.map((p) => ({ ...p, ...own })),
    };
  });
}

/**
 * Every plugin problem of a spec (a benchmark, an experiment, or a raw object either would be):
 * unknown engines, extractors, metrics and dataset providers (with the name a typo meant),
 * model extras and plugin configs their plugin refuses, and engines lacking a capability the
 * inference params ask for. Only the given stages' plugins are checked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pluginIssues } from "./check_plugins.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * const issues = pluginIssues({
 *   models: [{ model_id: "m", provider: "openai", extras: { base_ulr: "http://127.0.0.1/v1" } }],
 *   slices: [{ parses: [{ name: "n", extractors: [{ id: "first_numbr" }] }] }],
 * }, createRegistry(), ["generation", "parse", "score"]);
 * assert.deepEqual(issues.map((i) => i.path), [
 *   "models[0].extras",
 *   "slices[0].parses[0].extractors[0]",
 * ]);
 * assert.match(issues[0].message, /did you mean "base_url"/);
 * assert.match(issues[1].message, /Did you mean "first_number"/);
 * ```
 */
export function pluginIssues(
  spec: ExperimentSpec | BenchmarkSpec | Loose,
  registry: Registry,
  stages: ReadonlyArray<Stage>,
): ErrorIssue[] {
  const raw = spec as Loose;
  const issues: ErrorIssue[] = [];
  const engines = stages.includes("generation")
    ? collectEngines(list(raw.models), registry, issues)
    : [];
  for (const task of tasksOf(raw)) {
    const dataset = table(task.raw.dataset);
    if (dataset.kind === "provider" && typeof dataset.provider === "string") {
      collect(issues, `${task.path}.dataset.provider`, () => {
        registry.datasetProvider(dataset.provider as string).validateConfig?.(
          table(dataset.config),
        );
      });
    }
    issues.push(...capabilityIssues(task, engines));
    if (stages.includes("parse")) {
      list(task.raw.parses).forEach((parse, p) => {
        list(parse.extractors).forEach((ref, e) => {
          if (typeof ref.id !== "string") return;
          collect(issues, `${task.path}.parses[${p}].extractors[${e}]`, () => {
            registry.extractor(ref.id as string).validateConfig?.(table(ref.config));
          });
        });
      });
    }
    if (stages.includes("score")) {
      list(task.raw.scores).forEach((score, s) => {
        list(score.metrics).forEach((ref, m) => {
          if (typeof ref.id !== "string") return;
          collect(issues, `${task.path}.scores[${s}].metrics[${m}]`, () => {
            registry.metric(ref.id as string).validateConfig?.(table(ref.config));
          });
        });
      });
    }
  }
  return issues;
}

/**
 * Check, before any model call, that every plugin the given stages need exists and accepts
 * its config (engines their model's extras), that dataset providers exist, and that every
 * engine can do what the inference params ask of it (`response_format` needs
 * `capabilities.jsonOutput`, `logprobs` / `top_logprobs` need `capabilities.logprobs`). Lists
 * every problem at once (`PLUGIN_NOT_FOUND` when every problem is an unknown name,
 * `SPEC_INVALID` otherwise).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPlugins } from "./check_plugins.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * const experiment = {
 *   experiment_id: "e", plugins: [], hooks: [], num_samples: 1, tasks: [],
 *   models: [{ model_id: "m", provider: "mokc", extras: {} }],
 * };
 * assert.throws(() => checkPlugins(experiment, createRegistry(), ["generation"]), {
 *   code: "PLUGIN_NOT_FOUND",
 * });
 * ```
 */
export function checkPlugins(
  experiment: ExperimentSpec,
  registry: Registry,
  stages: ReadonlyArray<Stage>,
): void {
  const issues = pluginIssues(experiment, registry, stages);
  if (issues.length === 0) return;
  const notFound = issues.every((i) => i.code === "PLUGIN_NOT_FOUND");
  throw new ThemisError(
    notFound ? "PLUGIN_NOT_FOUND" : "SPEC_INVALID",
    `The spec names plugins that cannot be used:\n` +
      issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n"),
    { issues, path: issues[0].path },
  );
}
