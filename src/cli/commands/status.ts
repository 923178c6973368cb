import { parseArgs } from "node:util";
import { listRunProgress, type RunProgressSnapshot } from "../../orchestrator/run_progress.ts";
import { openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import { formatTable } from "../format_table.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { isThemisError, ThemisError } from "../../core/errors.ts";
import type { Orchestrator } from "../../orchestrator/orchestrator.ts";
import type { ShardProgress } from "../../orchestrator/shard_status.ts";
import { resolveRunArg } from "../run_arg.ts";
import { rateText } from "../progress.ts";

export const STATUS_HELP = `themis status <run id> [options]

Where a run stands, derived from the store's events (true after a crash too):
per stage total, completed, failed, skipped and pending work items; times,
throughput, ETA and the cost so far. A sharded run lists its shards (done,
unfinished, not started); a run of the batch backend lists its batches, after
asking the provider for their states (recorded as events; nothing imported:
"themis resume <run>" imports).

Options:
${STORE_FLAGS_HELP}
  --json           print the snapshot as JSON
  --no-poll        batch backend: show the states last recorded, without asking
                   the provider
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
      "no-poll": { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.out(STATUS_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis status takes one run id", "status");
  const orchestrator = await openOrchestrator(values, io);
  const runId = await resolveRunArg(orchestrator.store, positionals[0]);
  let snapshot = await orchestrator.getRunProgress(runId);
  const note = snapshot && !values["no-poll"]
    ? await pollStates(orchestrator, snapshot)
    : undefined;
  if (note === undefined && snapshot?.batches?.some((b) => !b.imported) && !values["no-poll"]) {
    snapshot = await orchestrator.getRunProgress(runId);
  }
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
  if (snapshot.shard) {
    const { index, count, of } = snapshot.shard;
    io.out(`\nshard ${index}/${count} of run ${of} (all shards: themis status ${of})\n`);
  }
  for (const group of snapshot.shards ?? []) printShards(group, snapshot.runId, io);
  if (snapshot.batches?.length) printBatches(snapshot, io, note);
  return EXIT.OK;
}

/** Ask the provider about the batches in flight; a note when their states could not be read. */
async function pollStates(
  orchestrator: Orchestrator,
  snapshot: RunProgressSnapshot,
): Promise<string | undefined> {
  if (!snapshot.batches?.some((b) => !b.imported)) return undefined;
  try {
    await orchestrator.refreshBatches(snapshot.runId);
    return undefined;
  } catch (error) {
    if (!isThemisError(error)) throw error;
    return `states as last recorded (${error.code}: ${error.message})`;
  }
}

function printBatches(snapshot: RunProgressSnapshot, io: CliIo, note?: string): void {
  const batches = snapshot.batches!;
  const open = batches.filter((b) => !b.imported).length;
  io.out(`\nbatches: ${batches.length} (${open} not imported yet)${note ? `; ${note}` : ""}\n`);
  io.out(formatTable(
    ["batch", "provider", "model", "requests", "state", "completed", "failed", "imported"],
    batches.map((b) => ({
      batch: b.id,
      provider: b.provider,
      model: b.model,
      requests: b.requests,
      state: b.state,
      completed: b.completed,
      failed: b.failed,
      imported: b.imported ? "yes" : "no",
    })),
  ));
  if (open > 0) io.out(`  import what ended: themis resume ${snapshot.runId}\n`);
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
