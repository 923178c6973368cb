import { parseArgs } from "node:util";
import { formatDescription } from "../../orchestrator/handoffs/mod.ts";
import { openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { resolveRunArg } from "../run_arg.ts";

export const DESCRIBE_HELP = `themis describe <run id> [options]

Print the settings a paper needs to report a run, as Markdown: models with
their settings, prompts, datasets (items selected and content hashes), inference
params, parses, metrics, samples, seeds, tool version and executions. Secrets
are redacted: values under keys naming a key, token, secret, password or
authorization, credentials in URLs; api_key_env shows the variable's name only.

Options:
${STORE_FLAGS_HELP}
  --json           print the description as JSON
  -h, --help       show this help
`;

/** `themis describe <run>`. */
export async function describeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      json: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.out(DESCRIBE_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis describe takes one run id", "describe");
  const orchestrator = await openOrchestrator(values, io);
  try {
    const description = await orchestrator.describe(
      await resolveRunArg(orchestrator.store, positionals[0]),
    );
    io.out(
      values.json ? JSON.stringify(description, null, 1) + "\n" : formatDescription(description),
    );
    return EXIT.OK;
  } finally {
    orchestrator.store.close();
  }
}
