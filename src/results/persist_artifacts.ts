/** Write a result's artifacts to a folder: JSON, CSV tables, JSONL trials, Markdown, HTML. */
import { join } from "node:path";
import { aggregateResult } from "./aggregate.ts";
import type { ResultScope } from "./_scope.ts";
import type { ExecutionSummary } from "./experiment_result.ts";
import { exportResult } from "./export_result.ts";
import { iterFailureRecords } from "./failures.ts";
import { leaderboardRows } from "./leaderboard.ts";
import { renderReport } from "./report/render_report.ts";
import { toCsv } from "./report/render_text.ts";
import { iterTrialRecords } from "./trial_records.ts";

/** What `persistArtifacts()` wrote. */
export interface PersistedArtifacts {
  /** The folder written. */
  dir: string;
  /** File names inside `dir`. */
  files: string[];
}

function rowsCsv(rows: Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return toCsv(columns, rows.map((r) => columns.map((c) => r[c])));
}

async function writeJsonl(path: string, items: AsyncIterable<unknown>): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  try {
    let buffer = "";
    for await (const item of items) {
      buffer += JSON.stringify(item) + "\n";
      if (buffer.length > 1 << 20) {
        await file.write(encoder.encode(buffer));
        buffer = "";
      }
    }
    await file.write(encoder.encode(buffer));
  } finally {
    file.close();
  }
}

/**
 * Write `result.json`, `aggregate.csv`, `leaderboard.csv`, `trials.jsonl` (full records,
 * streamed), `failures.jsonl`, `report.md` and a self-contained `report.html` into `dir`
 * (created when missing). Returns the folder and file names.
 */
export async function persistResult(
  scope: ResultScope,
  dir: string,
  options: { summary?: ExecutionSummary } = {},
): Promise<PersistedArtifacts> {
  await Deno.mkdir(dir, { recursive: true });
  const write = (name: string, text: string) => Deno.writeTextFile(join(dir, name), text);
  const exported = await exportResult(scope, { trials: "none", summary: options.summary });
  await write("result.json", JSON.stringify(exported, null, 2) + "\n");
  await write("aggregate.csv", rowsCsv(await aggregateResult(scope, {})));
  await write("leaderboard.csv", rowsCsv(await leaderboardRows(scope, {})));
  await writeJsonl(join(dir, "trials.jsonl"), iterTrialRecords(scope));
  await writeJsonl(
    join(dir, "failures.jsonl"),
    iterFailureRecords(scope, { includeResolved: true }),
  );
  await write("report.md", await renderReport(scope, { format: "md" }));
  await write("report.html", await renderReport(scope, { format: "html" }));
  return {
    dir,
    files: [
      "result.json",
      "aggregate.csv",
      "leaderboard.csv",
      "trials.jsonl",
      "failures.jsonl",
      "report.md",
      "report.html",
    ],
  };
}
