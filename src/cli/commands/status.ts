import { parseArgs } from "node:util";
import { listRunProgress, type RunProgressSnapshot } from "../../orchestrator/run_progress.ts";
import { openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import { formatTable } from "../format_table.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { resolveRunArg } from "../run_arg.ts";
import { rateText } from "../progress.ts";
import { ThemisError } from "../../core/errors.ts";

export const STATUS_HELP = `themis status <run id> [options]

Where a run stands, derived from the store's events (true after a crash too):
per stage total, completed, failed, skipped and pending work items; times,
throughput, ETA and the cost so far.

Options:
${STORE_FLAGS_HELP}
  --json           print the snapshot as JSON
  -h, --help       show this help
`;

export const RUNS_HELP = `themis runs [options]

List the runs of the store with their status and counts of work items.

Options:
${STORE_FLAGS_HELP}
  --json           print JSON lines
  -h, --help       show this help
`;

const STAGES = ["generation", "parse", "score"] as const;

function stageRows(snapshot: RunProgressSnapshot) {
  return STAGES.map((stage) => ({ stage, ...snapshot.stages[stage] }));
}

/** `themis status <run>`. */
export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      json: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.out(STATUS_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis status takes one run id", "status");
  const orchestrator = await openOrchestrator(values, io);
  const runId = await resolveRunArg(orchestrator.store, positionals[0]);
  const snapshot = await orchestrator.getRunProgress(runId);
  if (!snapshot) {
    throw new ThemisError(
      "RUN_NOT_FOUND",
      `Run ${runId} has no manifest in the store at ${orchestrator.store.root}; list runs with ` +
        `"themis runs"`,
    );
  }
  if (values.json) {
    io.out(JSON.stringify(snapshot, null, 2) + "\n");
    return EXIT.OK;
  }
  io.out(
    `run ${snapshot.runId}: ${snapshot.status}` +
      (snapshot.startedAt ? `, started ${snapshot.startedAt}` : "") +
      (snapshot.endedAt ? `, finished ${snapshot.endedAt}` : "") + "\n\n",
  );
  io.out(formatTable(
    ["stage", "total", "completed", "failed", "skipped", "pending"],
    stageRows(snapshot),
  ));
  // Only a running execution has a rate and an end in sight.
  const running = snapshot.status === "running";
  io.out(
    "\n" + (running ? `throughput ${rateText(snapshot)}, ` : "") +
      (running && snapshot.etaSeconds ? `eta ${Math.ceil(snapshot.etaSeconds)}s, ` : "") +
      `cost so far ${snapshot.cost.toFixed(4)}\n`,
  );
  return EXIT.OK;
}

/** `themis runs`. */
export async function runsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      json: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.out(RUNS_HELP);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw usageError("themis runs takes no arguments", "runs");
  const orchestrator = await openOrchestrator(values, io);
  const runs = await listRunProgress(orchestrator.store.runs, orchestrator.project.pricing);
  const rows = runs.map((r) => ({
    run: r.runId,
    status: r.status,
    started: r.startedAt ?? "",
    generations: `${r.stages.generation.completed}/${r.stages.generation.total}`,
    failed: r.stages.generation.failed + r.stages.parse.failed + r.stages.score.failed,
    pending: r.stages.generation.pending + r.stages.parse.pending + r.stages.score.pending,
    scores: `${r.stages.score.completed}/${r.stages.score.total}`,
  }));
  io.out(
    formatTable(
      ["run", "status", "started", "generations", "scores", "failed", "pending"],
      rows,
      values.json ? "json" : "table",
    ),
  );
  return EXIT.OK;
}
