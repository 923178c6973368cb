import { parseArgs } from "node:util";
import { dirname, resolve } from "node:path";
import { checkSpec } from "../../plan/check_spec.ts";
import { loadProjectFile, loadSpecFile, readSpecFile } from "../../spec/load_spec.ts";
import { specInvalid, specKind, toErrorIssues } from "../../spec/validate_spec.ts";
import { openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { addSourceLines } from "../../spec/error_lines.ts";

export const VALIDATE_HELP = `themis validate <file.toml|file.json> [options]

Check a benchmark, experiment or project file without running or writing
anything, in one pass: the schema (unknown keys say which key was meant),
references between ids, plugin modules, plugin names and configs (model extras,
extractor and metric configs), the datasets and slice_by of every slice, and
every prompt's variables. Lists every problem at once with its path and line.

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
  const file = resolve(io.cwd, path);
  const { raw, source } = await readSpecFile(file);
  const kind = specKind(raw);
  if (kind === "project") {
    const project = await loadProjectFile(file);
    io.out(`${path}: valid project "${project.spec.project_name}"\n`);
    return EXIT.OK;
  }
  if (kind === undefined) await loadSpecFile(file); // throws: neither benchmark nor experiment
  const orchestrator = await openOrchestrator(values, io, path);
  try {
    const check = await checkSpec(kind!, raw, {
      specDir: dirname(file),
      registry: orchestrator.registry,
    });
    const [first, ...more] = check.issues;
    // A lone dataset or prompt problem reads as it would from run: its own error, located.
    if (first?.cause && more.length === 0) throw addSourceLines(first.cause, source);
    if (first) throw specInvalid(kind!, toErrorIssues(check.issues, source), source);
    const c = check.counts!;
    io.out(
      `${path}: valid ${kind} — ${c.trials} trials, ${c.candidates} candidates, ` +
        `${c.parses} parse and ${c.scores} score work items\n`,
    );
    return EXIT.OK;
  } finally {
    orchestrator.store.close();
  }
}
