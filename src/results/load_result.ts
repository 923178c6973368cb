/** A stored run as a result object, for reports and comparisons of runs done earlier. */
import { errorMessage, ThemisError } from "../core/errors.ts";
import type { RunManifest } from "../plan/manifest.ts";
import { storePaths } from "../store/paths.ts";
import { BenchmarkResult, ExperimentResult, type ResultSource } from "./experiment_result.ts";

const TRIALS_KEY = '\n "trials": [';

/**
 * Parse a manifest without its trial list (which can hold millions of entries and is read
 * through the `work_items` projection instead).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseManifestHead } from "./load_result.ts";
 * assert.equal(parseManifestHead('{"run_id": "r"}', "m.json").run_id, "r");
 * ```
 */
export function parseManifestHead(text: string, path: string): RunManifest {
  try {
    const at = text.lastIndexOf(TRIALS_KEY);
    // Fast path: the trial list is the last top-level key (as the planner streams it).
    if (at > 0 && text.indexOf('\n "', at + TRIALS_KEY.length) === -1) {
      const head = text.slice(0, at).replace(/,\s*$/, "");
      return JSON.parse(head + "\n}") as RunManifest;
    }
    const manifest = JSON.parse(text) as RunManifest;
    delete manifest.trials;
    return manifest;
  } catch (error) {
    throw new ThemisError(
      "STORE_CORRUPT",
      `${path} is not a valid manifest: ${errorMessage(error)}. Restore it from git, or delete ` +
        `the run directory to plan the run again.`,
      { file: path },
    );
  }
}

/**
 * The result of a stored run (a `BenchmarkResult` when it was planned from a benchmark);
 * `RUN_NOT_FOUND` when the store has no such run. The public form is `openResult` of
 * `src/orchestrator/open_result.ts`, which takes a `Store`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Store } from "../orchestrator/store.ts";
 * import { loadResult } from "./load_result.ts";
 * const store = Store.open(await Deno.makeTempDir());
 * await assert.rejects(() => loadResult(store, "0123456789ab"), { code: "RUN_NOT_FOUND" });
 * await Deno.remove(store.root, { recursive: true });
 * ```
 */
export async function loadResult(
  store: ResultSource & { root: string },
  runId: string,
): Promise<ExperimentResult> {
  const path = storePaths.manifest(store.root, runId);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ThemisError(
        "RUN_NOT_FOUND",
        `No run "${runId}" in the store at ${store.root}; list runs with "themis runs"`,
        { runId, root: store.root },
      );
    }
    throw new ThemisError("STORE_IO", `Cannot read ${path}: ${errorMessage(error)}`, {
      file: path,
    });
  }
  const manifest = parseManifestHead(text, path);
  return manifest.source?.kind === "benchmark"
    ? new BenchmarkResult(manifest, store)
    : new ExperimentResult(manifest, store);
}
