import { parseArgs } from "node:util";
import { listRunProgress, type RunProgressSnapshot } from "../../orchestrator/run_progress.ts";
import { openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import { formatTable } from "../format_table.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { ThemisError } from "../../core/errors.ts";
import type { ShardProgress } from "../../orchestrator/shard_status.ts";

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
  const snapshot = await orchestrator.getRunProgress(positionals[0]);
  if (!snapshot) {
    throw new ThemisError(
      "RUN_NOT_FOUND",
      `No run "${positionals[0]}" in the store at ${orchestrator.store.root}; list runs with ` +
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
  const rate = snapshot.throughput === null ? "–" : `${snapshot.throughput.toFixed(1)} items/s`;
  io.out(
    `\nthroughput ${rate}` +
      (snapshot.etaSeconds ? `, eta ${Math.ceil(snapshot.etaSeconds)}s` : "") +
      `, cost so far ${snapshot.cost.toFixed(4)}\n`,
  );
  if (snapshot.shard) {
    const { index, count, of } = snapshot.shard;
    io.out(`\nshard ${index}/${count} of run ${of} (all shards: themis status ${of})\n`);
  }
  for (const group of snapshot.shards ?? []) printShards(group, snapshot.runId, io);
  return EXIT.OK;
}

function printShards(group: ShardProgress, runId: string, io: CliIo): void {
  const list = (xs: number[]) => xs.length ? xs.join(", ") : "none";
  io.out(
    `\nshards (${group.count}): ${group.done.length} done; unfinished: ` +
      `${list(group.unfinished)}; not started: ${list(group.missing)}\n`,
  );
  io.out(formatTable(
    ["shard", "run", "status", "pending", "failed"],
    group.runs.map((r) => ({
      shard: `${r.index}/${r.count}`,
      run: r.runId,
      status: r.status,
      pending: r.pending,
      failed: r.failed,
    })),
  ));
  for (const index of group.missing) {
    io.out(`  missing: themis run <spec> --shard ${index}/${group.count}\n`);
  }
  for (const r of group.runs.filter((r) => group.unfinished.includes(r.index))) {
    io.out(`  unfinished: themis resume ${r.runId}\n`);
  }
  if (group.missing.length + group.unfinished.length === 0) {
    io.out(`  all ${group.count} shards done: themis report ${runId}\n`);
  }
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
