import { parse as parseToml, TomlError } from "npm:smol-toml@1.9.1";
import { dirname, extname, join, resolve } from "node:path";
import { errorMessage, ThemisError } from "../core/errors.ts";
import type { BenchmarkSpec, ExperimentSpec, ProjectSpec } from "./schemas.ts";
import {
  specKind,
  validateBenchmark,
  validateExperiment,
  validateProject,
} from "./validate_spec.ts";
import type { SpecSource } from "./validate_spec.ts";
import { jsonErrorOffset } from "./json_error_offset.ts";
import { decodeSpecText } from "./decode_utf8.ts";

/** A spec file read and parsed, not yet validated. */
export interface RawSpecFile {
  /** The parsed value. */
  raw: unknown;
  /** The file, its text and format (validation errors point at lines in it). */
  source: Required<Pick<SpecSource, "file" | "text" | "format">>;
}

/**
 * A benchmark or experiment with the file it came from: `kind` and `spec`, the `file`, the
 * folder (`baseDir`) its relative paths resolve from, and its `source` text.
 */
export type LoadedSpec =
  & ({ kind: "benchmark"; spec: BenchmarkSpec } | { kind: "experiment"; spec: ExperimentSpec })
  & { file: string; baseDir: string; source: RawSpecFile["source"] };

/**
 * Parse the text of a `.toml` or `.json` spec; `SPEC_PARSE` with file and line on failure. A
 * leading byte order mark is ignored in both formats.
 */
export function parseSpecText(source: string, format: "toml" | "json", file: string): unknown {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  if (format === "toml") {
    try {
      return parseToml(text);
    } catch (error) {
      if (error instanceof TomlError) {
        const first = error.message.split("\n")[0];
        throw new ThemisError(
          "SPEC_PARSE",
          `${file}:${error.line}:${error.column}: invalid TOML: ${first}`,
          { file, line: error.line, column: error.column },
        );
      }
      throw error;
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const at = jsonErrorOffset(text);
    const line = at === undefined ? undefined : text.slice(0, at.offset).split("\n").length;
    const why = at?.reason ?? errorMessage(error);
    throw new ThemisError(
      "SPEC_PARSE",
      `${file}${line ? `:${line}` : ""}: invalid JSON: ${why}`,
      { file, line },
    );
  }
}

/**
 * Read and parse a spec file. Only `.toml` and `.json` are accepted.
 *
 * @example
 * ```ts
 * import { readSpecFile } from "./load_spec.ts";
 * const { raw } = await readSpecFile("examples/demo/benchmark.toml");
 * ```
 */
export async function readSpecFile(path: string): Promise<RawSpecFile> {
  const ext = extname(path).toLowerCase();
  if (ext !== ".toml" && ext !== ".json") {
    throw new ThemisError(
      "SPEC_INVALID",
      `Cannot read spec "${path}": only .toml and .json files are accepted (got "${
        ext || "no extension"
      }")`,
      { file: path, suggestion: "rename the file to .toml or .json" },
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "no such file" : errorMessage(error);
    throw new ThemisError("SPEC_INVALID", `Cannot read spec "${path}": ${why}`, { file: path });
  }
  const text = decodeSpecText(bytes, path);
  const format = ext === ".toml" ? "toml" : "json";
  return { raw: parseSpecText(text, format, path), source: { file: path, text, format } };
}

/** Load and validate a benchmark or experiment file (decided by `benchmark_id`/`experiment_id`). */
export async function loadSpecFile(path: string): Promise<LoadedSpec> {
  const { raw, source } = await readSpecFile(path);
  const baseDir = dirname(resolve(path));
  const kind = specKind(raw);
  if (kind === "benchmark") {
    return { kind, spec: validateBenchmark(raw, source), file: path, baseDir, source };
  }
  if (kind === "experiment") {
    return { kind, spec: validateExperiment(raw, source), file: path, baseDir, source };
  }
  throw new ThemisError(
    "SPEC_INVALID",
    `${path}:1: not a benchmark or experiment spec: it needs a top-level "benchmark_id" ` +
      `(benchmark) or "experiment_id" (experiment)` +
      (kind === "project" ? "; this looks like a project file (pass it with --project)" : ""),
    { file: path, line: 1, path: "(root)" },
  );
}

/** A project spec with the folder its relative paths resolve against. */
export interface LoadedProject {
  spec: ProjectSpec;
  file?: string;
  baseDir: string;
}

/** Load and validate a project file (`themis.toml` or `.json`). */
export async function loadProjectFile(path: string): Promise<LoadedProject> {
  const { raw, source } = await readSpecFile(path);
  if (specKind(raw) !== "project") {
    throw new ThemisError(
      "SPEC_INVALID",
      `${path}:1: not a project file: it needs a top-level "project_name"`,
      { file: path, line: 1, path: "project_name" },
    );
  }
  return { spec: validateProject(raw, source), file: path, baseDir: dirname(resolve(path)) };
}

/** The nearest `themis.toml` or `themis.json` in `startDir` or one of its parents. */
export async function findProjectFile(startDir: string): Promise<string | undefined> {
  let dir = resolve(startDir);
  while (true) {
    for (const name of ["themis.toml", "themis.json"]) {
      const candidate = join(dir, name);
      try {
        const info = await Deno.stat(candidate);
        if (info.isFile) return candidate;
      } catch {
        // not here; keep looking upward
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
