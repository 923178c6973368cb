import { ThemisError } from "../core/errors.ts";
import type { ErrorIssue } from "../core/errors.ts";
import type { JsonObject } from "../core/json.ts";
import type { Registry } from "../plugins/registry.ts";
import type { ExperimentSpec } from "../spec/schemas.ts";

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

/**
 * Check, before any model call, that every plugin the given stages need exists and accepts
 * its config. Lists every problem at once (`PLUGIN_NOT_FOUND` when a name is unknown,
 * `SPEC_INVALID` for a bad config).
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
  if (stages.includes("generation")) {
    experiment.models.forEach((model, i) => {
      collect(issues, `models[${i}].provider`, () => registry.engine(model.provider));
    });
  }
  experiment.tasks.forEach((task, t) => {
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
