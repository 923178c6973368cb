/**
 * The themis command line: `deno run -A cli.ts <command> …` (see `--help`).
 * @module
 */
import { main } from "./src/cli/main.ts";

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
