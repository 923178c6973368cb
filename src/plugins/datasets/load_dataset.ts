import { isAbsolute, resolve } from "node:path";
import { errorMessage, ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import type { DatasetSpec } from "../../spec/schemas.ts";
import { assignItemIds, type DatasetItem } from "./select_items.ts";

/** Where relative dataset paths resolve from: the folder of the spec file. */
export interface LoadDatasetOptions {
  baseDir: string;
}

function parseJsonl(text: string, source: string): JsonObject[] {
  const rows: JsonObject[] = [];
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new ThemisError(
        "DATASET_INVALID",
        `${source}:${index + 1}: row is not valid JSON (${errorMessage(error)})`,
        { file: source, line: index + 1 },
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new ThemisError(
        "DATASET_INVALID",
        `${source}:${index + 1}: row is not a JSON object`,
        { file: source, line: index + 1 },
      );
    }
    rows.push(value as JsonObject);
  });
  return rows;
}

/**
 * Load a slice's dataset into items with stable ids.
 *
 * @example
 * ```ts
 * import { loadDataset } from "./load_dataset.ts";
 * const items = await loadDataset({ kind: "inline", items: [{ id: "1" }], id_field: "id" }, {
 *   baseDir: ".",
 * });
 * console.assert(items[0].id === "1");
 * ```
 */
export async function loadDataset(
  spec: DatasetSpec,
  options: LoadDatasetOptions,
): Promise<DatasetItem[]> {
  switch (spec.kind) {
    case "inline":
      return assignItemIds(spec.items as JsonObject[], {
        idField: spec.id_field,
        source: "inline dataset",
      });
    case "jsonl": {
      const path = isAbsolute(spec.path) ? spec.path : resolve(options.baseDir, spec.path);
      let text: string;
      try {
        text = await Deno.readTextFile(path);
      } catch (error) {
        const why = error instanceof Deno.errors.NotFound ? "no such file" : errorMessage(error);
        throw new ThemisError("DATASET_INVALID", `Cannot read dataset "${path}": ${why}`, {
          file: path,
        });
      }
      return assignItemIds(parseJsonl(text, spec.path), {
        idField: spec.id_field,
        source: spec.path,
      });
    }
  }
}

/** The part of a dataset spec that identifies it (not its content, which items carry). */
export function datasetSource(spec: DatasetSpec): Json {
  return spec.kind === "inline" ? { kind: "inline" } : { kind: spec.kind, path: spec.path };
}

export type { DatasetItem };
