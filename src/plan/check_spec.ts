/**
 * `themis validate` in one pass: every problem of a spec file in one report — schema and
 * cross-field issues, plugin modules, plugin names and configs (model extras included), the
 * datasets and prompt variables of every slice that is valid enough to load.
 */
import { checkPlanSize } from "./plan_size.ts";
import { isThemisError, type ThemisError } from "../core/errors.ts";
import type { Registry } from "../plugins/registry.ts";
import type { ReferenceIssue } from "../spec/check_references.ts";
import { compileBenchmark } from "../spec/compile_benchmark.ts";
import { parsePath } from "../spec/error_lines.ts";
import {
  type BenchmarkSpec,
  type ExperimentSpec,
  PromptVariantSchema,
  SliceSpecSchema,
  TaskSpecSchema,
} from "../spec/schemas.ts";
import { specIssues, validateBenchmark, validateExperiment } from "../spec/validate_spec.ts";
import { pluginIssues, withSuggestion } from "./check_plugins.ts";
import type { RunManifest } from "./manifest.ts";
import { loadPlanItems, moduleUrls, type PlanItems } from "./plan_run.ts";
import { messagesRenderer } from "./render_prompt.ts";

/** One problem; `cause` keeps the error of a problem found by loading or rendering. */
export type SpecProblem = ReferenceIssue & { cause?: ThemisError };

/** What checking a spec found: every issue, and the work it plans when there is none. */
export interface SpecCheck {
  issues: SpecProblem[];
  counts?: RunManifest["counts"];
}

/** Options of {@linkcode checkSpec}. */
export interface CheckSpecOptions {
  /** Where relative dataset paths and plugin modules resolve from: the spec's folder. */
  specDir: string;
  /** Plugins; the spec's plugin modules are loaded into it. */
  registry: Registry;
}

type Loose = Record<string, unknown>;
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const issueOf = (error: unknown, fallback: string): SpecProblem => {
  if (!isThemisError(error)) throw error;
  const path = typeof error.details.path === "string" ? error.details.path : fallback;
  return { path: parsePath(path), message: withSuggestion(error), code: error.code, cause: error };
};

/** Load the spec's plugin modules; a module that cannot be loaded is an issue at its entry. */
async function loadModules(raw: Loose, options: CheckSpecOptions): Promise<ReferenceIssue[]> {
  const issues: ReferenceIssue[] = [];
  for (const [i, module] of list(raw.plugins).entries()) {
    if (typeof module !== "string" || module === "") continue;
    try {
      await options.registry.loadModule(moduleUrls([module], options.specDir)[0]);
    } catch (error) {
      issues.push({ ...issueOf(error, ""), path: ["plugins", i] });
    }
  }
  return issues;
}

/**
 * The part of a spec that can be loaded: the whole compiled experiment when the spec is valid,
 * else its valid slices (or tasks) with its valid prompt variants, and the spec path of each.
 */
function loadablePart(
  kind: "benchmark" | "experiment",
  raw: Loose,
  valid: boolean,
): { experiment: ExperimentSpec; paths: string[] } {
  const group = kind === "benchmark" ? "slices" : "tasks";
  const schema = kind === "benchmark" ? SliceSpecSchema : TaskSpecSchema;
  const entries = list(raw[group]).flatMap((entry, i) => {
    const parsed = schema.safeParse(entry);
    return parsed.success ? [{ value: parsed.data, path: `${group}[${i}]` }] : [];
  });
  const paths = valid
    ? list(raw[group]).map((_, i) => `${group}[${i}]`)
    : entries.map((e) => e.path);
  if (valid && kind === "experiment") return { experiment: validateExperiment(raw), paths };
  const base = {
    plugins: list(raw.plugins).filter((m): m is string => typeof m === "string"),
    hooks: [],
    models: [{ model_id: "validate", provider: "mock", extras: {} }],
    num_samples: 1,
  };
  if (kind === "experiment") {
    const tasks = entries.map((e) => e.value as ExperimentSpec["tasks"][number]);
    return { experiment: { ...base, experiment_id: "validate", tasks }, paths };
  }
  const benchmark: BenchmarkSpec = valid ? validateBenchmark(raw) : {
    ...base,
    benchmark_id: "validate",
    slices: entries.map((e) => e.value as BenchmarkSpec["slices"][number]),
    prompt_variants: list(raw.prompt_variants).flatMap((p) => {
      const parsed = PromptVariantSchema.safeParse(p);
      return parsed.success ? [parsed.data] : [];
    }),
    inference_grid: { params: [{}], overrides: [{}] },
  };
  return { experiment: compileBenchmark(benchmark), paths };
}

/** Render every prompt of every task for every item; the first failure per template. */
function promptIssues(
  kind: "benchmark" | "experiment",
  raw: Loose,
  planned: PlanItems,
  paths: string[],
): SpecProblem[] {
  const variantIndex = new Map(list(raw.prompt_variants).map((p, i) => [(p as Loose)?.id, i]));
  const issues = new Map<string, SpecProblem>();
  planned.experiment.tasks.forEach((task, t) => {
    const items = planned.items.get(task.task_id)!;
    task.prompts.forEach((prompt, p) => {
      const path = kind === "benchmark"
        ? `prompt_variants[${variantIndex.get(prompt.id)}]`
        : `${paths[planned.origins[t]]}.prompts[${p}]`;
      if (issues.has(path)) return;
      const render = messagesRenderer(prompt.messages);
      for (let i = 0; i < items.length; i++) {
        try {
          render({
            itemJson: items.canonical(i),
            slice: { slice_id: task.task_id, dimensions: task.dimensions },
            prompt: { id: prompt.id, variables: prompt.variables },
          }, { variantId: prompt.id, itemId: items.id(i), sliceId: task.task_id, path });
        } catch (error) {
          const issue = issueOf(error, path);
          issues.set(path, issue);
          break;
        }
      }
    });
  });
  return [...issues.values()];
}

/** The work a spec plans, as the manifest counts it. */
function countWork(planned: PlanItems): RunManifest["counts"] {
  const counts = { trials: 0, candidates: 0, parses: 0, scores: 0 };
  const { models, num_samples: samples } = planned.experiment;
  for (const task of planned.experiment.tasks) {
    const trials = planned.items.get(task.task_id)!.length * task.prompts.length *
      task.inference.length * models.length;
    counts.trials += trials;
    counts.candidates += trials * samples;
    counts.parses += trials * samples * task.parses.length;
    counts.scores += trials * samples * task.scores.length;
  }
  return counts;
}

/**
 * Check a raw benchmark or experiment (as read from its file) in one pass and list every
 * problem: the schema and cross-field checks, plugin modules that do not load, unknown or
 * misconfigured plugins (model extras such as `base_ulr`, extractor and metric configs), and —
 * for every slice valid enough to load — its dataset (bad rows, `slice_by`) and the variables
 * of every prompt it renders. Issues after the first layers skip paths already reported. With
 * no issue, also the work it plans (trials, candidates, parse and score work items).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSpec } from "./check_spec.ts";
 * import { createRegistry } from "../plugins/registry.ts";
 * const { issues } = await checkSpec("benchmark", {
 *   benchmark_id: "b", num_sample: 2,
 *   models: [{ model_id: "m", provider: "openai", extras: { base_ulr: "http://127.0.0.1/v1" } }],
 *   prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.question}" }] }],
 *   slices: [{ slice_id: "s", dataset: { kind: "inline", items: [{ id: "1", q: "x" }] } }],
 * }, { specDir: ".", registry: createRegistry() });
 * assert.deepEqual(issues.map((i) => i.path.join(".")), [
 *   "num_sample",
 *   "models.0.extras",
 *   "prompt_variants.0.messages.0.content",
 * ]);
 * ```
 */
export async function checkSpec(
  kind: "benchmark" | "experiment",
  raw: unknown,
  options: CheckSpecOptions,
): Promise<SpecCheck> {
  const spec = (typeof raw === "object" && raw !== null ? raw : {}) as Loose;
  const issues: SpecProblem[] = specIssues(kind, raw);
  const valid = issues.length === 0;
  issues.push(...await loadModules(spec, options));
  for (const issue of pluginIssues(spec, options.registry, ["generation", "parse", "score"])) {
    issues.push({ path: parsePath(issue.path), message: issue.message, code: issue.code ?? "" });
  }
  const { experiment, paths } = loadablePart(kind, spec, valid);
  const later: SpecProblem[] = [];
  const planned = await loadPlanItems(experiment, options.specDir, {
    registry: options.registry,
    group: kind === "benchmark" ? "slices" : "tasks",
    paths,
    onError: (error, path) => later.push(issueOf(error, `${path}.dataset`)),
  });
  later.push(...promptIssues(kind, spec, planned, paths));
  if (valid) {
    // Too large a plan is refused before any work: say so here too, not only at `run`.
    const sizes = new Map([...planned.items].map(([task, items]) => [task, items.length]));
    try {
      checkPlanSize(planned.experiment, sizes);
    } catch (error) {
      later.push(issueOf(error, "num_samples"));
    }
  }
  const reported = new Set(issues.map((i) => i.path.join(".")));
  issues.push(...later.filter((i) => !reported.has(i.path.join("."))));
  return issues.length === 0 && valid ? { issues, counts: countWork(planned) } : { issues };
}
