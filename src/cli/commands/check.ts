import { parseArgs } from "node:util";
import { formatTable } from "../format_table.ts";
import { STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import { FAIL_UNDER_HELP, FAIL_UNDER_OPTIONS, gateResult, thresholdsOf } from "../fail_under.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { openRunArg } from "./report.ts";
import { openStore } from "./sql.ts";

export const CHECK_HELP = `themis check <run id> --fail-under S=N [options]

Gate a CI job on a run of the store: exit 0 when every threshold holds, 8 when a
score's mean (or, with --on-lower-bound, the lower bound of its 95% interval)
is below its threshold for some model, with one line per shortfall on stderr.
Nothing runs: the run's stored scores are read. A threshold that names no score
or metric of the run is a usage error (exit 2), so a typo cannot pass.

Options:
${STORE_FLAGS_HELP}
${FAIL_UNDER_HELP}
  --json           print every check as JSON lines
  -h, --help       show this help

Example:
  themis check 6c0b28e4 --fail-under acc=0.8 --fail-under f1.token_f1=0.6
`;

/** `themis check <run> --fail-under …`. */
export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      ...FAIL_UNDER_OPTIONS,
      json: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.out(CHECK_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis check takes one run id", "check");
  const thresholds = thresholdsOf(values, "check");
  if (thresholds.length === 0) throw usageError("themis check needs --fail-under S=N", "check");
  const store = await openStore(values, io);
  try {
    const result = await openRunArg(store, positionals[0]);
    const checks = await gateResult(result, thresholds, values, io).catch((error) => {
      throw error?.code === "USAGE" ? usageError(error.message, "check") : error;
    });
    const rows = checks.map((c) => ({
      ...c.group,
      score: c.score,
      metric: c.metric,
      [c.compared]: c.value === null ? "" : c.value.toFixed(4),
      min: c.min,
      trials: c.count,
      passed: c.passed ? "yes" : "NO",
    }));
    io.out(
      values.json
        ? checks.map((c) => JSON.stringify(c)).join("\n") + "\n"
        : formatTable(Object.keys(rows[0] ?? {}), rows),
    );
    return checks.every((c) => c.passed) ? EXIT.OK : EXIT.BELOW_THRESHOLD;
  } finally {
    store.close();
  }
}
