import { parseArgs } from "node:util";
import { openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { resolveRunArg } from "../run_arg.ts";
import { printRunResult } from "./run.ts";
import { progressRenderer } from "../progress.ts";
import type { ExperimentResult } from "../../results/experiment_result.ts";

export const RESUME_HELP = `themis resume <run id> [options]

Continue a run: re-plan it from the spec stored in its manifest and run what is
missing or failed (failed generations included). Nothing that succeeded is
redone; results from any run in the store are reused.

Options:
${STORE_FLAGS_HELP}
  --quiet          print nothing but errors
  --json           print the aggregate as JSON lines instead of a table
  -h, --help       show this help
`;

/** `themis resume <run>`. */
export async function resumeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      quiet: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.out(RESUME_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis resume takes one run id", "resume");
  const orchestrator = await openOrchestrator(values, io);
  try {
    const progress = progressRenderer(io, values.quiet === true);
    const runId = await resolveRunArg(orchestrator.store, positionals[0]);
    const outcome = await orchestrator.resume(runId, {
      signal: io.signal,
      progress: { onSnapshot: progress.onSnapshot },
    });
    progress.done();
    const result = "runId" in outcome && !("aggregate" in outcome) ? outcome.result! : outcome;
    return await printRunResult(result as ExperimentResult, orchestrator, true, values, io);
  } finally {
    orchestrator.store.close();
  }
}
