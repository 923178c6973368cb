import { parseArgs } from "node:util";
import { resolve } from "node:path";
import type { Store } from "../../orchestrator/store.ts";
import {
  displayPath,
  openOrchestrator,
  STORE_FLAGS_HELP,
  STORE_OPTIONS,
  type StoreFlags,
} from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import { formatTable, type TableFormat } from "../format_table.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";

export const SQL_HELP = `themis sql "<query>" [options]

Answer a read-only SQL query (DuckDB dialect) over the store's projections:
runs, trials, run_trials, candidates, parses, scores, judge_calls, outcomes,
failures, timeline, work_items, events (and the manifest_* tables).
See docs/sql.md for every table and column. Write statements are refused.

Options:
${STORE_FLAGS_HELP}
  --format FMT     table (default), csv, json (one object per line) or markdown
  --out FILE       write the rows to FILE instead: .csv, .parquet, .json (an array)
                   or .jsonl (DuckDB COPY)
  -h, --help       show this help

Examples:
  themis sql "select model_id, avg(value) from scores join trials using (trial) group by all"
  themis sql "select * from work_items where status = 'failed'" --out failed.parquet
`;

const FORMATS = ["table", "csv", "json", "markdown"];

/** The store a read-only command reads: `--store`, else the project's. */
export async function openStore(values: StoreFlags, io: CliIo): Promise<Store> {
  return (await openOrchestrator(values, io)).store;
}

/** `themis sql "<query>"`. */
export async function sqlCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      format: { type: "string", default: "table" },
      out: { type: "string" },
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
  const store = await openStore(values, io);
  try {
    const analytics = await store.analytics();
    if (values.out !== undefined) {
      const path = resolve(io.cwd, values.out);
      const rows = await analytics.exportQuery(positionals[0], path);
      io.out(`wrote ${rows} row${rows === 1 ? "" : "s"} to ${displayPath(path, io)}\n`);
      return EXIT.OK;
    }
    const { columns, rows } = await analytics.query(positionals[0]);
    io.out(formatTable(columns, rows, values.format as TableFormat));
    return EXIT.OK;
  } finally {
    store.close();
  }
}
