import { parseArgs } from "node:util";
import { openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import { formatTable } from "../format_table.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";

export const CANCEL_HELP = `themis cancel <run id> [options]

Ask the provider to cancel every batch of a run (the batch backend) that has not
ended. Requests that already ran keep their results; "themis resume <run>"
imports them once the batches end, and the others become failed generations
(BATCH_CANCELLED) that "themis submit <run>" sends again. A run executing here
stops with Ctrl-C instead.

Options:
${STORE_FLAGS_HELP}
  -h, --help       show this help
`;

/** `themis cancel <run>`. */
export async function cancelCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...STORE_OPTIONS },
  });
  if (values.help) {
    io.out(CANCEL_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis cancel takes one run id", "cancel");
  const runId = positionals[0];
  const orchestrator = await openOrchestrator(values, io);
  try {
    const batches = await orchestrator.cancel(runId);
    if (batches.length === 0) {
      io.out(
        `run ${runId} has no provider batches: nothing to cancel (a run executing here stops ` +
          `with Ctrl-C)\n`,
      );
      return EXIT.OK;
    }
    io.out(formatTable(
      ["batch", "model", "requests", "state"],
      batches.map((b) => ({ batch: b.id, model: b.model, requests: b.requests, state: b.state })),
    ));
    io.out(`import what ran, once they end: themis resume ${runId}\n`);
    return EXIT.OK;
  } finally {
    orchestrator.store.close();
  }
}
