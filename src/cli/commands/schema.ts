import { parseArgs } from "node:util";
import { specJsonSchema } from "../../spec/json_schema.ts";
import { EXIT } from "../exit_codes.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";

export const SCHEMA_HELP = `themis schema [benchmark|experiment|project]

Print the JSON Schema of a spec kind (default: benchmark), for editors: point
your editor's TOML/JSON schema setting at the saved file.

Options:
  -h, --help       show this help
`;

/** `themis schema [kind]`. */
export function schemaCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h", default: false } },
  });
  if (values.help) {
    io.out(SCHEMA_HELP);
    return EXIT.OK;
  }
  const kind = positionals[0] ?? "benchmark";
  if (positionals.length > 1 || !["benchmark", "experiment", "project"].includes(kind)) {
    throw usageError(`unknown spec kind "${kind}": use benchmark, experiment or project`, "schema");
  }
  io.out(JSON.stringify(specJsonSchema(kind as "benchmark"), null, 2) + "\n");
  return EXIT.OK;
}
