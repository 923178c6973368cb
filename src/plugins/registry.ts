import { closestMatch } from "../core/closest.ts";
import { errorMessage, ThemisError } from "../core/errors.ts";
import { builtinExtractors } from "./extractors/mod.ts";
import { builtinMetrics } from "./metrics/mod.ts";
import { mockEngine } from "./engines/mock.ts";
import { openaiEngine } from "./engines/openai.ts";
import { anthropicEngine } from "./engines/anthropic.ts";
import { llamaCppEngine } from "./engines/llama_cpp.ts";
import type { DatasetProvider } from "./datasets/dataset_provider.ts";
import {
  type Engine,
  type Extractor,
  type Hook,
  type Metric,
  PLUGIN_API_VERSION,
  type PluginModule,
} from "./types.ts";

/** The kinds of plugin a registry holds. */
export type PluginKind = "engine" | "extractor" | "metric" | "hook" | "dataset_provider";

/** A plugin module that may also provide dataset providers (run at planning time). */
export interface DatasetPluginModule extends PluginModule {
  /** Dataset providers, by the id a dataset's `provider` names. */
  datasetProviders?: DatasetProvider[];
}

/** How each kind is named in messages. */
const LABELS: Record<PluginKind, string> = {
  engine: "engine",
  extractor: "extractor",
  metric: "metric",
  hook: "hook",
  dataset_provider: "dataset provider",
};

function checkApi(kind: PluginKind, plugin: { id: string; pluginApi?: number }): void {
  if (typeof plugin?.id !== "string" || plugin.id === "") {
    throw new ThemisError(
      "PLUGIN_INVALID",
      `A ${LABELS[kind]} plugin needs a non-empty string "id"`,
    );
  }
  const api = plugin.pluginApi ?? PLUGIN_API_VERSION;
  if (api !== PLUGIN_API_VERSION) {
    throw new ThemisError(
      "PLUGIN_INVALID",
      `The ${LABELS[kind]} "${plugin.id}" was written for plugin API ${api}; this themis speaks ` +
        `${PLUGIN_API_VERSION}`,
    );
  }
}

const METHODS: Record<PluginKind, string> = {
  engine: "generate",
  extractor: "extract",
  metric: "score",
  hook: "id",
  dataset_provider: "load",
};

/**
 * Plugins by name: engines (by provider), extractors, metrics, hooks and dataset providers.
 * Built-ins come from `createRegistry()`; custom ones from plugin modules (`loadModule`, which
 * workers can load again by specifier) or from code (`register*`, which only the inline
 * executor can run; dataset providers run at planning time, so code-registered ones do not
 * keep a run out of the worker pool).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRegistry } from "./registry.ts";
 * const registry = createRegistry();
 * assert.ok(registry.metric("exact_match").id === "exact_match");
 * ```
 */
export class Registry {
  readonly #plugins: Record<PluginKind, Shelf> = {
    engine: new Shelf("engine"),
    extractor: new Shelf("extractor"),
    metric: new Shelf("metric"),
    hook: new Shelf("hook"),
    dataset_provider: new Shelf("dataset_provider"),
  };
  readonly #modules: string[] = [];
  #closures = 0;

  /** An engine from code (the run then executes inline: workers cannot rebuild a closure). */
  registerEngine(engine: Engine): this {
    return this.#register("engine", engine, true);
  }

  /** An extractor from code (the run then executes inline). */
  registerExtractor(extractor: Extractor): this {
    return this.#register("extractor", extractor, true);
  }

  /** A metric from code (the run then executes inline). */
  registerMetric(metric: Metric): this {
    return this.#register("metric", metric, true);
  }

  /** A hook from code (the run then executes inline). */
  registerHook(hook: Hook): this {
    return this.#register("hook", hook, true);
  }

  /** A dataset provider from code (runs at planning time, in the main thread). */
  registerDatasetProvider(provider: DatasetProvider): this {
    return this.#register("dataset_provider", provider, false);
  }

  #register(kind: PluginKind, plugin: { id: string }, fromCode: boolean): this {
    checkApi(kind, plugin);
    const method = METHODS[kind];
    if (typeof (plugin as Record<string, unknown>)[method] === "undefined") {
      throw new ThemisError(
        "PLUGIN_INVALID",
        `The ${LABELS[kind]} "${plugin.id}" has no "${method}" function`,
      );
    }
    this.#plugins[kind].set(plugin.id, plugin);
    if (fromCode) this.#closures++;
    return this;
  }

  /** A registry holding the given plugins, counted as portable (workers rebuild them). */
  static withPlugins(plugins: DatasetPluginModule): Registry {
    const registry = new Registry();
    registry.#registerModule(plugins);
    return registry;
  }

  #registerModule(plugins: DatasetPluginModule): void {
    for (const engine of plugins.engines ?? []) this.#register("engine", engine, false);
    for (const extractor of plugins.extractors ?? []) {
      this.#register("extractor", extractor, false);
    }
    for (const metric of plugins.metrics ?? []) this.#register("metric", metric, false);
    for (const hook of plugins.hooks ?? []) this.#register("hook", hook, false);
    for (const provider of plugins.datasetProviders ?? []) {
      this.#register("dataset_provider", provider, false);
    }
  }

  /**
   * Import a plugin module (a file URL or path) and register what it exports. Workers load the
   * same specifiers, so plugins from modules run in the worker pool.
   */
  async loadModule(specifier: string): Promise<this> {
    if (this.#modules.includes(specifier)) return this;
    let mod: Record<string, unknown>;
    try {
      mod = await import(specifier);
    } catch (error) {
      throw new ThemisError(
        "PLUGIN_NOT_FOUND",
        `Cannot load plugin module "${specifier}": ${errorMessage(error)}`,
        { module: specifier },
        error,
      );
    }
    const plugins = (mod.default ?? mod.plugins) as DatasetPluginModule | undefined;
    if (typeof plugins !== "object" || plugins === null) {
      throw new ThemisError(
        "PLUGIN_INVALID",
        `Plugin module "${specifier}" must default-export (or export as "plugins") an object ` +
          `like { metrics: [...], extractors: [...], engines: [...], hooks: [...], ` +
          `datasetProviders: [...] }`,
        { module: specifier },
      );
    }
    this.#registerModule(plugins);
    this.#modules.push(specifier);
    return this;
  }

  /** Plugin modules loaded so far, in order. */
  modules(): string[] {
    return [...this.#modules];
  }

  /** True when every plugin came from a built-in or a module, so workers can rebuild it. */
  isPortable(): boolean {
    return this.#closures === 0;
  }

  /** The engine for a provider name; `PLUGIN_NOT_FOUND` (naming `where`) when unknown. */
  engine(provider: string, where?: string): Engine {
    return this.#plugins.engine.get(provider, where) as Engine;
  }

  /** The extractor with this id; `PLUGIN_NOT_FOUND` (naming `where`) when unknown. */
  extractor(id: string, where?: string): Extractor {
    return this.#plugins.extractor.get(id, where) as Extractor;
  }

  /** The metric with this id; `PLUGIN_NOT_FOUND` (naming `where`) when unknown. */
  metric(id: string, where?: string): Metric {
    return this.#plugins.metric.get(id, where) as Metric;
  }

  /** The hook with this id; `PLUGIN_NOT_FOUND` (naming `where`) when unknown. */
  hook(id: string, where?: string): Hook {
    return this.#plugins.hook.get(id, where) as Hook;
  }

  /** The dataset provider with this id; `PLUGIN_NOT_FOUND` (naming `where`) when unknown. */
  datasetProvider(id: string, where?: string): DatasetProvider {
    return this.#plugins.dataset_provider.get(id, where) as DatasetProvider;
  }

  /** The ids of every plugin of a kind, sorted. */
  names(kind: PluginKind): string[] {
    return this.#plugins[kind].names();
  }
}

/** The plugins of one kind, by id. Every task looks its plugins up: the last hit is kept. */
class Shelf {
  readonly #byId = new Map<string, unknown>();
  #lastId: string | undefined;
  #last: unknown;

  constructor(readonly kind: PluginKind) {}

  set(id: string, plugin: unknown): void {
    this.#byId.set(id, plugin);
    this.#lastId = undefined;
    this.#last = undefined;
  }

  names(): string[] {
    return [...this.#byId.keys()].sort();
  }

  get(id: string, where?: string): unknown {
    if (id === this.#lastId && this.#last !== undefined) return this.#last;
    const found = this.#byId.get(id);
    if (found !== undefined) {
      this.#lastId = id;
      this.#last = found;
      return found;
    }
    const { kind } = this;
    const names = this.names();
    const close = closestMatch(id, names);
    throw new ThemisError(
      "PLUGIN_NOT_FOUND",
      `Unknown ${LABELS[kind]} "${id}"${where ? ` at ${where}` : ""}.` +
        (close ? ` Did you mean "${close}"?` : "") +
        ` Available: ${names.length ? names.join(", ") : "none"}`,
      { path: where, suggestion: close, available: names },
    );
  }
}

/** The built-in plugins. */
export const BUILTIN_PLUGINS: PluginModule = {
  engines: [mockEngine, openaiEngine, anthropicEngine, llamaCppEngine],
  extractors: builtinExtractors,
  metrics: builtinMetrics,
};

/** A registry holding every built-in plugin (and nothing registered from code). */
export function createRegistry(): Registry {
  return Registry.withPlugins(BUILTIN_PLUGINS);
}
