import { parseArgs } from "node:util";
import { openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { resolveRunArg } from "../run_arg.ts";
import { printRunResult } from "./run.ts";
import { progressRenderer } from "../progress.ts";
import type { ExperimentResult } from "../../results/experiment_result.ts";
import { isRunHandle, type RunHandle } from "../../orchestrator/run_handle.ts";
import { parseShard } from "../../plan/shard_plan.ts";
import type { Orchestrator } from "../../orchestrator/orchestrator.ts";
import { backendKind, batchBackend } from "../../orchestrator/batch/batch_backend.ts";
import type { RunManifest } from "../../plan/manifest.ts";

export const RESUME_HELP = `themis resume <run id> [options]

Continue a run: re-plan it from the spec stored in its manifest and run what is
missing or failed (failed generations included). Nothing that succeeded is
redone; results from any run in the store are reused.

A run of the batch backend: ask the provider about its batches, import the
results of those that ended (idempotent: run it as often as you like) and, once
none is in flight, parse and score here.

Options:
${STORE_FLAGS_HELP}
  --shard i/N      run only shard i of N of the run (0 ≤ i < N), into the shard's own
                   run directory: one scheduler task each (docs/scale_out.md)
  --wait           batch backend: poll until every batch has ended, then finish
  --poll-interval S  seconds between polls with --wait (default: the backend's
                   poll_interval, 60)
  --quiet          print nothing but errors
  --json           print the aggregate as JSON lines instead of a table
  -h, --help       show this help
`;

/** `themis resume <run>`. */
export async function resumeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      quiet: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      shard: { type: "string" },
      wait: { type: "boolean", default: false },
      "poll-interval": { type: "string" },
    },
  });
  if (values.help) {
    io.out(RESUME_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis resume takes one run id", "resume");
  const interval = values["poll-interval"] === undefined
    ? undefined
    : Number(values["poll-interval"]);
  if (interval !== undefined && !(interval >= 0)) {
    throw usageError(
      `--poll-interval takes seconds ≥ 0 (got "${values["poll-interval"]}")`,
      "resume",
    );
  }
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const orchestrator = await openOrchestrator(values, io);
  try {
    const progress = progressRenderer(io, values.quiet === true);
    const runId = await resolveRunArg(orchestrator.store, positionals[0]);
    const options = { signal: io.signal, shard, progress: { onSnapshot: progress.onSnapshot } };
    let outcome = await orchestrator.resume(runId, options);
    while (
      values.wait && isRunHandle(outcome) && outcome.result === undefined && !io.signal?.aborted
    ) {
      const seconds = interval ?? await pollInterval(orchestrator, runId);
      if (!values.quiet) io.err(`waiting: ${outcome.warnings.join("; ")}\n`);
      await sleep(seconds * 1000, io.signal);
      outcome = await orchestrator.resume(runId, options);
    }
    progress.done();
    return await printOutcome(outcome, orchestrator, values, io);
  } finally {
    orchestrator.store.close();
  }
}

async function pollInterval(orchestrator: Orchestrator, runId: string): Promise<number> {
  if (backendKind(orchestrator.project) !== "batch") return 60;
  const manifest = await orchestrator.store.runs.readManifest<RunManifest>(runId);
  return batchBackend(orchestrator.project, manifest.experiment).poll_interval;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

async function printOutcome(
  outcome: ExperimentResult | RunHandle,
  orchestrator: Orchestrator,
  values: { quiet?: boolean; json?: boolean },
  io: CliIo,
): Promise<number> {
  if (!isRunHandle(outcome)) return await printRunResult(outcome, orchestrator, true, values, io);
  if (outcome.result === undefined) {
    if (!values.quiet) {
      io.out(`run ${outcome.runId}: ${outcome.status}\n`);
      for (const warning of outcome.warnings) io.err(`note: ${warning}\n`);
    }
    return EXIT.INCOMPLETE;
  }
  const code = await printRunResult(outcome.result, orchestrator, true, values, io);
  if (!values.quiet) { for (const warning of outcome.warnings) io.err(`warning: ${warning}\n`); }
  return code === EXIT.OK && outcome.warnings.length > 0 ? EXIT.INCOMPLETE : code;
}
