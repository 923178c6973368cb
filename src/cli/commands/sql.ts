import { parseArgs } from "node:util";
import { Store } from "../../orchestrator/store.ts";
import { resolve } from "node:path";
import { openOrchestrator, STORE_FLAGS_HELP } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import { formatTable, type TableFormat } from "../format_table.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";

export const SQL_HELP = `themis sql "<query>" [options]

Answer a read-only SQL query (DuckDB dialect) over the store's projections:
trials, run_trials, candidates, parses, scores, failures, runs, events.
See docs/sql.md for every table and column.

Options:
${STORE_FLAGS_HELP}
  --format FMT     table (default), csv, json or markdown
  -h, --help       show this help

Example:
  themis sql "select model_id, avg(value) from scores join trials using (trial) group by all"
`;

const FORMATS = ["table", "csv", "json", "markdown"];

/** `themis sql "<query>"`. */
export async function sqlCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      project: { type: "string" },
      store: { type: "string" },
      format: { type: "string", default: "table" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.out(SQL_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis sql takes one query, in quotes", "sql");
  if (!FORMATS.includes(values.format!)) {
    throw usageError(`--format must be one of ${FORMATS.join(", ")}`, "sql");
  }
  const store = values.store
    ? Store.open(resolve(io.cwd, values.store))
    : (await openOrchestrator(values, io)).store;
  try {
    const analytics = await store.analytics();
    const { columns, rows } = await analytics.query(positionals[0]);
    io.out(formatTable(columns, rows, values.format as TableFormat));
    return EXIT.OK;
  } finally {
    store.close();
  }
}
