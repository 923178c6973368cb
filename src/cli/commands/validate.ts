import { parseArgs } from "node:util";
import { loadProjectFile, readSpecFile } from "../../spec/load_spec.ts";
import { specKind } from "../../spec/validate_spec.ts";
import { loadSpecArg, openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { resolve } from "node:path";
import { addSourceLines } from "../../spec/error_lines.ts";

export const VALIDATE_HELP = `themis validate <file.toml|file.json> [options]

Check a benchmark, experiment or project file without running anything: the
schema, references between ids, plugin names and configs, datasets and every
prompt's variables. Lists every problem at once with its path and line.

Options:
${STORE_FLAGS_HELP}
  -h, --help       show this help
`;

/** `themis validate <file>`. */
export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
    },
  });
  if (values.help) {
    io.out(VALIDATE_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis validate takes one file", "validate");
  const path = positionals[0];
  const { raw } = await readSpecFile(resolve(io.cwd, path));
  if (specKind(raw) === "project") {
    const project = await loadProjectFile(resolve(io.cwd, path));
    io.out(`${path}: valid project "${project.spec.project_name}"\n`);
    return EXIT.OK;
  }
  const loaded = await loadSpecArg(path, io);
  const orchestrator = await openOrchestrator(values, io, path);
  let manifest;
  try {
    manifest = await orchestrator.plan(loaded.spec, { specDir: loaded.baseDir, persist: false });
  } catch (error) {
    throw addSourceLines(error, loaded.source);
  } finally {
    orchestrator.store.close();
  }
  const c = manifest.counts;
  io.out(
    `${path}: valid ${loaded.kind} — ${c.trials} trials, ${c.candidates} candidates, ` +
      `${c.parses} parse and ${c.scores} score work items\n`,
  );
  return EXIT.OK;
}
