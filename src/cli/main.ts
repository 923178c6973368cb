import chalk from "npm:chalk@6.0.1";
import { isThemisError } from "../core/errors.ts";
import { TOOL_VERSION } from "../orchestrator/version.ts";
import { schemaCommand } from "./commands/schema.ts";
import { sqlCommand } from "./commands/sql.ts";
import { reportCommand } from "./commands/report.ts";
import { compareCommand } from "./commands/compare.ts";
import { type StageCommand, stageCommand } from "./commands/run.ts";
import { validateCommand } from "./commands/validate.ts";
import { resumeCommand } from "./commands/resume.ts";
import { planCommand } from "./commands/plan.ts";
import { runsCommand, statusCommand } from "./commands/status.ts";
import { submitCommand } from "./commands/submit.ts";
import { cancelCommand } from "./commands/cancel.ts";
import { exportCommand } from "./commands/export.ts";
import { importCommand } from "./commands/import.ts";
import { estimateCommand } from "./commands/estimate.ts";
import { diffCommand } from "./commands/diff.ts";
import { describeCommand } from "./commands/describe.ts";
import { migrateCommand, packCommand } from "./commands/store.ts";
import { viewCommand } from "./commands/view.ts";
import { checkCommand } from "./commands/check.ts";
import { EXIT, exitCodeFor } from "./exit_codes.ts";
import { type CliIo, denoIo } from "./io.ts";

export const MAIN_HELP = `themis ${TOOL_VERSION} — evaluate language models, locally, reproducibly

Usage: themis <command> [options]      (from a checkout: deno run -A cli.ts …)

Commands:
  run <spec>        plan and run generation → parses → scores, reusing the store
  generate <spec>   the generation stage only
  transform <spec>  parses over existing generations
  evaluate <spec>   parses and scores over existing generations
  resume <run>      continue a run: missing and failed work only
  plan <spec>       plan only: what will run, what is reused and from which runs
  submit <spec>     persist the plan and hand it to the execution backend
                    (batch: a provider's Batch API; worker_pool: shards on a scheduler)
  cancel <run>      cancel a run's provider batches
  status <run>      where a run stands (from the events; true after a crash)
  runs              list the store's runs with status and counts
  estimate <spec>   pending work, tokens and cost, without running anything
  diff <a> <b>      what changes from spec a to spec b, and the work b adds
  export <spec>     pending work as a bundle (OpenAI Batch API input) to run elsewhere
  import <bundle>   import the results of a bundle's work (or a Batch API output file)
  describe <run>    a run's settings for a paper (Markdown), secrets redacted
  sql "<query>"     read-only SQL over the store's projections
  report <run>      a run's report: Markdown, CSV, JSON, LaTeX or offline HTML
  compare <a> <b>   paired deltas between two runs, with CIs, p-values and flips
  check <run>       exit 8 when a score is below a --fail-under threshold (CI)
  pack [run …]      close the segments an interrupted run left open (ready to commit)
  migrate [run …]   rewrite version 1 run directories in the current layout
  view              browse the store in a browser, live: runs, results, items, SQL
  validate <file>   check a spec or project file without running it
  schema [kind]     print the JSON Schema of benchmark, experiment or project specs

Run "themis <command> --help" for a command's options.

Exit codes: 0 ok · 1 internal error · 2 usage · 3 spec, plugin or dataset error ·
4 store error · 5 run finished but some work failed · 6 query error ·
7 work left pending (a provider's circuit opened) · 8 a score below --fail-under ·
130 interrupted
`;

type Handler = (args: string[], io: CliIo) => number | Promise<number>;

const stage = (name: StageCommand): Handler => (args, io) => stageCommand(name, args, io);

const COMMANDS: Record<string, Handler> = {
  run: stage("run"),
  generate: stage("generate"),
  transform: stage("transform"),
  evaluate: stage("evaluate"),
  resume: resumeCommand,
  plan: planCommand,
  submit: submitCommand,
  cancel: cancelCommand,
  status: statusCommand,
  runs: runsCommand,
  estimate: estimateCommand,
  diff: diffCommand,
  export: exportCommand,
  import: importCommand,
  describe: describeCommand,
  sql: sqlCommand,
  report: reportCommand,
  compare: compareCommand,
  check: checkCommand,
  pack: packCommand,
  migrate: migrateCommand,
  view: viewCommand,
  validate: validateCommand,
  schema: schemaCommand,
};

/** The names of every CLI command. */
export const COMMAND_NAMES: ReadonlyArray<string> = Object.keys(COMMANDS);

function printError(error: unknown, io: CliIo): void {
  const red = io.errIsTerminal ? chalk.red : (t: string) => t;
  if (isThemisError(error)) {
    io.err(`${red(`error [${error.code}]`)} ${error.message}\n`);
    const suggestion = error.details?.suggestion;
    if (typeof suggestion === "string" && !error.message.includes(suggestion)) {
      io.err(`hint: ${suggestion}\n`);
    }
    return;
  }
  // Node's parseArgs errors are usage errors.
  const code = (error as { code?: string })?.code;
  if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
    io.err(`${red("error [USAGE]")} ${(error as Error).message} (see "themis --help")\n`);
    return;
  }
  io.err(`${red("internal error")} ${(error as Error)?.stack ?? String(error)}\n`);
  io.err("This is a bug in themis: please report it with the command you ran.\n");
}

/**
 * Run the CLI with `args`; returns the exit code (the caller exits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./main.ts";
 * const code = await main(["--help"]);
 * assert.equal(code, 0);
 * ```
 */
export async function main(args: string[], io: CliIo = denoIo()): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(MAIN_HELP);
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (command === "--version" || command === "-V") {
    io.out(`themis ${TOOL_VERSION}\n`);
    return EXIT.OK;
  }
  const handler = COMMANDS[command];
  if (handler === undefined) {
    io.err(`error [USAGE] unknown command "${command}" (see "themis --help")\n`);
    return EXIT.USAGE;
  }
  try {
    return await handler(rest, io);
  } catch (error) {
    printError(error, io);
    const code = (error as { code?: string })?.code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) return EXIT.USAGE;
    return exitCodeFor(error);
  }
}
