/**
 * A custom metric plugin: the share of an item's keywords that the answer mentions. Referenced
 * from benchmark.toml (`plugins = ["./plugins/keyword_coverage.ts"]`), so every worker of the
 * pool imports this module and runs the metric there; the details record which thread ran it.
 */
import { isMainThread, threadId } from "node:worker_threads";
import type { DatasetPluginModule, JsonObject, Metric } from "../../../mod.ts";
import { ThemisError } from "../../../mod.ts";

function keywordsOf(item: JsonObject, field: string): string[] {
  const value = item[field];
  if (!Array.isArray(value) || value.some((k) => typeof k !== "string")) {
    throw new ThemisError(
      "DATASET_INVALID",
      `keyword_coverage needs "${field}" to be a list of strings on every item`,
    );
  }
  return value as string[];
}

/**
 * `keyword_coverage`: found / total keywords, case-insensitive, whole words. Config: `field`
 * (default "keywords"). Details: `found`, `missing`, `main_thread`, `thread_id`.
 */
export const keywordCoverage: Metric = {
  id: "keyword_coverage",
  validateConfig(config) {
    if (config.field !== undefined && typeof config.field !== "string") {
      throw new ThemisError("SPEC_INVALID", `keyword_coverage: "field" must be a string`);
    }
  },
  score(input, config) {
    const keywords = keywordsOf(input.item, String(config.field ?? "keywords"));
    const words = new Set(input.text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
    const found = keywords.filter((k) => words.has(k.toLowerCase()));
    const missing = keywords.filter((k) => !words.has(k.toLowerCase()));
    return {
      value: keywords.length === 0 ? 1 : found.length / keywords.length,
      details: { found, missing, main_thread: isMainThread, thread_id: threadId },
    };
  },
};

const plugins: DatasetPluginModule = { metrics: [keywordCoverage] };
export default plugins;
