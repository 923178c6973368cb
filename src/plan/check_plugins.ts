import { ThemisError } from "../core/errors.ts";
import type { ErrorIssue } from "../core/errors.ts";
import type { JsonObject } from "../core/json.ts";
import type { Registry } from "../plugins/registry.ts";
import type { Engine } from "../plugins/types.ts";
import type { ExperimentSpec, TaskSpec } from "../spec/schemas.ts";

/** The stages whose plugins a command needs. */
export type Stage = "generation" | "parse" | "score";

function collect(issues: ErrorIssue[], path: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof ThemisError) {
      issues.push({ path, message: error.message, code: error.code });
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
  task: TaskSpec,
  engines: Array<{ engine: Engine; index: number; modelId: string }>,
): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  for (const { engine, index, modelId } of engines) {
    for (const capability of CAPABILITIES) {
      if (engine.capabilities?.[capability.key] === true) continue;
      const asked = task.inference.map((p) => capability.asks(p as JsonObject)).find(Boolean);
      if (asked === undefined) continue;
      issues.push({
        path: `models[${index}].provider`,
        code: "capability",
        message: `the "${engine.id}" engine of model "${modelId}" cannot do ${capability.what}, ` +
          `but the inference params of "${task.task_id}" ask for it (${asked}); remove the ` +
          `param for this model, or use an engine that declares capabilities.${capability.key}`,
      });
    }
  }
  return issues;
}

function collectEngines(experiment: ExperimentSpec, registry: Registry, issues: ErrorIssue[]) {
  const engines: Array<{ engine: Engine; index: number; modelId: string }> = [];
  experiment.models.forEach((model, i) => {
    collect(issues, `models[${i}].provider`, () => {
      engines.push({ engine: registry.engine(model.provider), index: i, modelId: model.model_id });
    });
  });
  return engines;
}

/**
 * Check, before any model call, that every plugin the given stages need exists and accepts
 * its config, that dataset providers exist, and that every engine can do what the inference
 * params ask of it (`response_format` needs `capabilities.jsonOutput`, `logprobs` /
 * `top_logprobs` need `capabilities.logprobs`). Lists every problem at once
 * (`PLUGIN_NOT_FOUND` when every problem is an unknown name, `SPEC_INVALID` otherwise).
 *
 * @example
 * ```ts
 * import { checkPlugins } from "./check_plugins.ts";
 * // checkPlugins(experiment, createRegistry(), ["generation", "parse", "score"]);
 * ```
 */
export function checkPlugins(
  experiment: ExperimentSpec,
  registry: Registry,
  stages: ReadonlyArray<Stage>,
): void {
  const issues: ErrorIssue[] = [];
  const group = experiment.benchmark_id === undefined ? "tasks" : "slices";
  const engines = stages.includes("generation") ? collectEngines(experiment, registry, issues) : [];
  experiment.tasks.forEach((task, t) => {
    if (task.dataset.kind === "provider") {
      const { provider, config } = task.dataset;
      collect(issues, `${group}[${t}].dataset.provider`, () => {
        registry.datasetProvider(provider).validateConfig?.((config ?? {}) as JsonObject);
      });
    }
    issues.push(...capabilityIssues(task, engines));
    if (stages.includes("parse")) {
      task.parses.forEach((parse, p) => {
        parse.extractors.forEach((ref, e) => {
          const path = `${group}[${t}].parses[${p}].extractors[${e}]`;
          collect(issues, path, () => {
            registry.extractor(ref.id).validateConfig?.(ref.config as JsonObject);
          });
        });
      });
    }
    if (stages.includes("score")) {
      task.scores.forEach((score, s) => {
        score.metrics.forEach((ref, m) => {
          const path = `${group}[${t}].scores[${s}].metrics[${m}]`;
          collect(issues, path, () => {
            registry.metric(ref.id).validateConfig?.(ref.config as JsonObject);
          });
        });
      });
    }
  });
  if (issues.length === 0) return;
  const notFound = issues.every((i) => i.code === "PLUGIN_NOT_FOUND");
  throw new ThemisError(
    notFound ? "PLUGIN_NOT_FOUND" : "SPEC_INVALID",
    `The spec names plugins that cannot be used:\n` +
      issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n"),
    { issues, path: issues[0].path },
  );
}
