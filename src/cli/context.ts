import { dirname, relative, resolve } from "node:path";
import { Orchestrator } from "../orchestrator/orchestrator.ts";
import { findProjectFile, type LoadedSpec, loadSpecFile } from "../spec/load_spec.ts";
import type { CliIo } from "./io.ts";

/** Options every command that touches a store understands. */
export interface StoreFlags {
  project?: string;
  store?: string;
}

/** The `parseArgs` options of the store flags and `--help`, shared by every store command. */
export const STORE_OPTIONS = {
  project: { type: "string" },
  store: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** The help lines of the store flags. */
export const STORE_FLAGS_HELP =
  `  --project FILE   project file (default: themis.toml in the spec's folder or a parent,
                   then in the current folder or a parent; project defaults without one)
  --store DIR      store root, overriding the project's storage.root`;

/**
 * The orchestrator for a command: the project file given, or found near the spec or the
 * current folder, or project defaults; `--store` overrides the store root.
 */
export async function openOrchestrator(
  flags: StoreFlags,
  io: CliIo,
  specFile?: string,
): Promise<Orchestrator> {
  const storeRoot = flags.store ? resolve(io.cwd, flags.store) : undefined;
  let projectFile = flags.project ? resolve(io.cwd, flags.project) : undefined;
  if (projectFile === undefined && specFile !== undefined) {
    projectFile = await findProjectFile(dirname(resolve(io.cwd, specFile)));
  }
  projectFile ??= await findProjectFile(io.cwd);
  if (projectFile !== undefined) {
    return await Orchestrator.fromProjectFile(projectFile, { storeRoot });
  }
  return Orchestrator.fromProjectSpec({ project_name: "default" }, { baseDir: io.cwd, storeRoot });
}

/** Load a spec file given on the command line. */
export function loadSpecArg(path: string, io: CliIo): Promise<LoadedSpec> {
  return loadSpecFile(resolve(io.cwd, path));
}

/** A path as the user would type it from the current folder. */
export function displayPath(path: string, io: CliIo): string {
  const rel = relative(io.cwd, path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}
