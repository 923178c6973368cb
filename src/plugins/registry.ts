import { closestMatch } from "../core/closest.ts";
import { ThemisError } from "../core/errors.ts";
import { builtinExtractors } from "./extractors/mod.ts";
import { builtinMetrics } from "./metrics/mod.ts";
import { mockEngine } from "./engines/mock.ts";
import { type Engine, type Extractor, type Metric, PLUGIN_API_VERSION } from "./types.ts";

type Kind = "engine" | "extractor" | "metric";

function checkApi(kind: Kind, plugin: { id: string; pluginApi?: number }): void {
  if (typeof plugin.id !== "string" || plugin.id === "") {
    throw new ThemisError("PLUGIN_INVALID", `A ${kind} plugin needs a non-empty string "id"`);
  }
  const api = plugin.pluginApi ?? PLUGIN_API_VERSION;
  if (api !== PLUGIN_API_VERSION) {
    throw new ThemisError(
      "PLUGIN_INVALID",
      `The ${kind} "${plugin.id}" was written for plugin API ${api}; this themis speaks ` +
        `${PLUGIN_API_VERSION}`,
    );
  }
}

/**
 * Plugins by name: engines (by provider), extractors and metrics. Built-ins are registered by
 * `createRegistry()`; custom ones with `register*`.
 *
 * @example
 * ```ts
 * import { createRegistry } from "./registry.ts";
 * const registry = createRegistry();
 * console.assert(registry.metric("exact_match").id === "exact_match");
 * ```
 */
export class Registry {
  readonly #engines = new Map<string, Engine>();
  readonly #extractors = new Map<string, Extractor>();
  readonly #metrics = new Map<string, Metric>();

  registerEngine(engine: Engine): this {
    checkApi("engine", engine);
    this.#engines.set(engine.id, engine);
    return this;
  }

  registerExtractor(extractor: Extractor): this {
    checkApi("extractor", extractor);
    this.#extractors.set(extractor.id, extractor);
    return this;
  }

  registerMetric(metric: Metric): this {
    checkApi("metric", metric);
    this.#metrics.set(metric.id, metric);
    return this;
  }

  engine(provider: string, where?: string): Engine {
    return this.#get("engine", this.#engines, provider, where);
  }

  extractor(id: string, where?: string): Extractor {
    return this.#get("extractor", this.#extractors, id, where);
  }

  metric(id: string, where?: string): Metric {
    return this.#get("metric", this.#metrics, id, where);
  }

  names(kind: Kind): string[] {
    const map = kind === "engine"
      ? this.#engines
      : kind === "extractor"
      ? this.#extractors
      : this.#metrics;
    return [...map.keys()].sort();
  }

  #get<T>(kind: Kind, map: Map<string, T>, id: string, where?: string): T {
    const found = map.get(id);
    if (found !== undefined) return found;
    const names = [...map.keys()].sort();
    const close = closestMatch(id, names);
    throw new ThemisError(
      "PLUGIN_NOT_FOUND",
      `Unknown ${kind} "${id}"${where ? ` at ${where}` : ""}.` +
        (close ? ` Did you mean "${close}"?` : "") + ` Available: ${names.join(", ")}`,
      { path: where, suggestion: close, available: names },
    );
  }
}

/** A registry holding every built-in plugin. */
export function createRegistry(): Registry {
  const registry = new Registry();
  registry.registerEngine(mockEngine);
  for (const extractor of builtinExtractors) registry.registerExtractor(extractor);
  for (const metric of builtinMetrics) registry.registerMetric(metric);
  return registry;
}
