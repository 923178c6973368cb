import { parseArgs } from "node:util";
import { migrateRun } from "../../orchestrator/migrate_run.ts";
import { packRun } from "../../store/pack_run.ts";
import { openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import { formatTable } from "../format_table.ts";
import type { CliIo } from "../io.ts";
import { resolveRunArgs } from "../run_arg.ts";
import type { ThemisError } from "../../core/errors.ts";

export const PACK_HELP = `themis pack [run id …] [options]

Close the event segments that a crash or an interrupted run left open: each is cut
at its last complete line and compressed, so every run directory holds only
immutable, compressed files (ready to commit). Runs are packed when no live
process writes them; a run being written is reported and left alone. A run ends
packed on its own; pack is for runs that did not end.

Options:
${STORE_FLAGS_HELP}
  --json           print one JSON object per run
  -h, --help       show this help
`;

export const MIGRATE_HELP = `themis migrate [run id …] [options]

Rewrite version 1 run directories (one events.jsonl, the trial list inside
manifest.json) in the current layout: compressed event segments, plan segments
and a compact manifest. Every event is kept with its run, sequence number and
time; the trials its trial.planned events announced become the run's plan. Runs
already in the current layout are left as they are. Safe to run again after an
interruption. Version 1 runs are read without migrating; migrate makes them
small enough to commit.

Options:
${STORE_FLAGS_HELP}
  --json           print one JSON object per run
  -h, --help       show this help
`;

/** `themis pack [run …]`. */
export async function packCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...STORE_OPTIONS, json: { type: "boolean", default: false } },
  });
  if (values.help) {
    io.out(PACK_HELP);
    return EXIT.OK;
  }
  const orchestrator = await openOrchestrator(values, io);
  const rows: Array<Record<string, unknown>> = [];
  for (const runId of await resolveRunArgs(orchestrator.store, positionals)) {
    try {
      const r = packRun(orchestrator.store.root, runId);
      rows.push({
        run: runId,
        closed: r.closed,
        segments: r.segments,
        note: r.legacy ? "version 1 log: run themis migrate" : "",
      });
    } catch (error) {
      if ((error as ThemisError).code !== "STORE_LOCKED") throw error;
      rows.push({ run: runId, closed: 0, segments: "", note: "being written: left alone" });
    }
  }
  io.out(
    values.json ? rows.map((r) => JSON.stringify(r)).join("\n") + "\n" : formatTable(
      ["run", "closed", "segments", "note"],
      rows,
    ),
  );
  return EXIT.OK;
}

/** `themis migrate [run …]`. */
export async function migrateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...STORE_OPTIONS, json: { type: "boolean", default: false } },
  });
  if (values.help) {
    io.out(MIGRATE_HELP);
    return EXIT.OK;
  }
  const orchestrator = await openOrchestrator(values, io);
  const rows: Array<Record<string, unknown>> = [];
  for (const runId of await resolveRunArgs(orchestrator.store, positionals)) {
    const r = await migrateRun(orchestrator.store.runs, runId);
    rows.push({
      run: runId,
      migrated: r.migrated ? "yes" : "already current",
      events: r.events,
      trials: r.trials,
      segments: r.segments,
    });
  }
  io.out(
    values.json ? rows.map((r) => JSON.stringify(r)).join("\n") + "\n" : formatTable(
      ["run", "migrated", "events", "trials", "segments"],
      rows,
    ),
  );
  return EXIT.OK;
}
