import { parseArgs } from "node:util";
import { addSourceLines } from "../../spec/error_lines.ts";
import { loadSpecArg, openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { progressRenderer } from "../progress.ts";

export const SUBMIT_HELP = `themis submit <spec.toml|spec.json> [options]

Persist the run's plan and hand it to the project's execution backend: on the
local backend it runs now; on worker_pool or batch nothing runs here and the
command says what must finish the work. Prints the run id.

Options:
${STORE_FLAGS_HELP}
  --quiet          print only the run id
  -h, --help       show this help
`;

/** `themis submit <spec>`. */
export async function submitCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      quiet: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.out(SUBMIT_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis submit takes one spec file", "submit");
  const loaded = await loadSpecArg(positionals[0], io);
  const orchestrator = await openOrchestrator(values, io, positionals[0]);
  const progress = progressRenderer(io, values.quiet === true);
  try {
    const handle = await orchestrator.submit(loaded.spec, {
      specDir: loaded.baseDir,
      signal: io.signal,
      progress: { onSnapshot: progress.onSnapshot },
    });
    progress.done();
    io.out(`${handle.runId}\n`);
    if (!values.quiet) {
      io.out(`status: ${handle.status}\n`);
      for (const warning of handle.warnings) io.err(`warning: ${warning}\n`);
    }
    return handle.status === "finished" && handle.warnings.length === 0
      ? EXIT.OK
      : handle.status === "planned"
      ? EXIT.OK
      : EXIT.INCOMPLETE;
  } catch (error) {
    throw addSourceLines(error, loaded.source);
  } finally {
    orchestrator.store.close();
  }
}
