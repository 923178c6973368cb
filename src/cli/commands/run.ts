import { parseArgs } from "node:util";
import type { ExperimentResult } from "../../results/experiment_result.ts";
import type { Stage } from "../../plan/check_plugins.ts";
import {
  displayPath,
  loadSpecArg,
  openOrchestrator,
  STORE_FLAGS_HELP,
  STORE_OPTIONS,
} from "../context.ts";
import { EXIT, exitCodeForRun } from "../exit_codes.ts";
import { formatTable } from "../format_table.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { addSourceLines } from "../../spec/error_lines.ts";
import type { LoadedSpec } from "../../spec/load_spec.ts";
import type { Orchestrator } from "../../orchestrator/orchestrator.ts";
import { selfCommand } from "../self.ts";
import { progressRenderer } from "../progress.ts";
import { parseShard } from "../../plan/shard_plan.ts";
import {
  checkThresholdTargets,
  FAIL_UNDER_HELP,
  FAIL_UNDER_OPTIONS,
  gateExitCode,
  thresholdsOf,
} from "../fail_under.ts";

/** The stage commands share one implementation. */
export type StageCommand = "run" | "generate" | "transform" | "evaluate";

const WHAT: Record<StageCommand, string> = {
  run: "Plan a benchmark or experiment and run generation → parses → scores for all pending\n" +
    "work, reusing everything the store already holds.",
  generate: "Run the generation stage only.",
  transform: "Run the parses over generations the store already holds.",
  evaluate: "Run the parses the scores need, then the scores, over existing generations.",
};

/** Help text of a stage command. */
export function stageHelp(command: StageCommand): string {
  return `themis ${command} <spec.toml|spec.json> [options]

${WHAT[command]}

Options:
${STORE_FLAGS_HELP}
  --max-cost N     stop starting generations before the cost (from the project's
                   pricing table) would pass N; the run stays resumable
  --shard i/N      run only shard i (0 ≤ i < N) of the plan, chosen by trial id, into
                   the shard's own run directory; run every shard into one store
                   (a Slurm array, a Kubernetes Indexed Job: docs/scale_out.md)
  --quiet          print nothing but errors (no progress)
  --json           print the aggregate as JSON lines instead of a table
${command === "run" || command === "evaluate" ? FAIL_UNDER_HELP + "\n" : ""}\
  -h, --help       show this help
`;
}

const STAGES: Record<StageCommand, Stage[]> = {
  run: ["generation", "parse", "score"],
  generate: ["generation"],
  transform: ["parse"],
  evaluate: ["parse", "score"],
};

/** `themis run|generate|transform|evaluate <spec>`. */
export async function stageCommand(
  command: StageCommand,
  args: string[],
  io: CliIo,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      quiet: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      "max-cost": { type: "string" },
      shard: { type: "string" },
      ...FAIL_UNDER_OPTIONS,
    },
  });
  if (values.help) {
    io.out(stageHelp(command));
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError(`themis ${command} takes one spec file`, command);
  const thresholds = thresholdsOf(values, command);
  if (thresholds.length > 0 && !STAGES[command].includes("score")) {
    throw usageError(`--fail-under needs scores: use it with themis run or evaluate`, command);
  }
  if (thresholds.length > 0 && values.shard !== undefined) {
    throw usageError(
      "--fail-under gates a whole run, not a shard: once every shard ended, run " +
        "themis check <run> --fail-under S=N",
      command,
    );
  }
  const loaded = await loadSpecArg(positionals[0], io);
  const orchestrator = await openOrchestrator(values, io, positionals[0]);
  try {
    checkThresholdTargets(thresholds, orchestrator.normalize(loaded.spec).experiment, command);
    const { code, result } = await runStage(command, loaded, orchestrator, values, io);
    return await gateExitCode(code, result, { thresholds, values, io });
  } catch (error) {
    throw addSourceLines(error, loaded.source);
  } finally {
    orchestrator.store.close();
  }
}

async function runStage(
  command: StageCommand,
  loaded: LoadedSpec,
  orchestrator: Orchestrator,
  values: { quiet?: boolean; json?: boolean; "max-cost"?: string; shard?: string },
  io: CliIo,
): Promise<{ code: number; result: ExperimentResult }> {
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const maxCost = values["max-cost"] === undefined ? undefined : Number(values["max-cost"]);
  if (maxCost !== undefined && !(maxCost >= 0)) {
    throw usageError(`--max-cost takes a number ≥ 0 (got "${values["max-cost"]}")`, command);
  }
  const progress = progressRenderer(io, values.quiet === true);
  const options = {
    specDir: loaded.baseDir,
    signal: io.signal,
    maxCost,
    shard,
    progress: { onSnapshot: progress.onSnapshot },
  };
  const result: ExperimentResult = command === "run"
    ? await orchestrator.run(loaded.spec, options)
    : command === "generate"
    ? await orchestrator.generate(loaded.spec, options)
    : command === "transform"
    ? await orchestrator.transform(loaded.spec, options)
    : await orchestrator.evaluate(loaded.spec, options);
  progress.done();
  const scored = STAGES[command].includes("score");
  return { code: await printRunResult(result, orchestrator, scored, values, io), result };
}

/**
 * Scores recorded without an answer, by reason: the parse found none (each metric holds its
 * failing value) or the judge gave no verdict on its scale. Final, not failed, but never hidden.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { invalidScores } from "./run.ts";
 * assert.equal(invalidScores({ scoreNoAnswer: 0, scoreInvalid: 0 }), "0 invalid");
 * assert.equal(
 *   invalidScores({ scoreNoAnswer: 2, scoreInvalid: 1 }),
 *   "3 invalid (2 without an answer, 1 judge verdict unreadable or off the scale)",
 * );
 * ```
 */
export function invalidScores(s: { scoreNoAnswer: number; scoreInvalid: number }): string {
  const reasons = [
    s.scoreNoAnswer ? `${s.scoreNoAnswer} without an answer` : "",
    s.scoreInvalid
      ? `${s.scoreInvalid} judge verdict${s.scoreInvalid === 1 ? "" : "s"} unreadable or off ` +
        `the scale`
      : "",
  ].filter((r) => r !== "");
  const total = s.scoreNoAnswer + s.scoreInvalid;
  return `${total} invalid` + (reasons.length ? ` (${reasons.join(", ")})` : "");
}

/** Print what a run did: the aggregate table, counts, the run directory and a query hint. */
export async function printRunResult(
  result: ExperimentResult,
  orchestrator: Orchestrator,
  scored: boolean,
  values: { quiet?: boolean; json?: boolean },
  io: CliIo,
): Promise<number> {
  const s = result.summary!;
  const failed = s.generationFailed + s.parseFailed + s.scoreFailed;
  const code = exitCodeForRun(s, io.signal?.aborted);
  // A shard's aggregate is a part of its run's: say where the whole is, and leave the
  // analytics cache alone (the other shards may be writing the same store at this moment).
  if (result.manifest.shard) return printShardResult(result, code, values, io);
  // The run leaves the cache current, so the first query after it reads nothing old.
  if (values.quiet || !scored) await orchestrator.store.warmAnalytics({ collect: true });
  if (values.quiet) return code;
  const rows = scored ? await result.aggregate() : [];
  if (values.json) {
    io.out(formatTable([], rows, "json"));
    return code;
  }
  if (rows.length > 0) {
    const columns = [
      "model",
      "slice",
      "prompt_variant",
      "score",
      "metric",
      "mean",
      "n_trials",
      "n_scored",
      "n_invalid",
      "n_failed",
    ];
    io.out(formatTable(columns, rows));
  }
  const runDir = displayPath(orchestrator.store.runs.runDir(result.runId), io);
  const storeDir = displayPath(orchestrator.store.root, io);
  io.out(
    `\nrun ${result.runId}: ${s.candidates} candidates — ${s.generated} generated, ` +
      `${s.reused} reused, ${s.parsed} parsed (${s.parseInvalid} without an answer` +
      (s.parsed + s.parseInvalid > 0
        ? `, ${(100 * s.parseInvalid / (s.parsed + s.parseInvalid)).toFixed(1)}%`
        : "") +
      `), ` +
      `${s.scored} scored, ${invalidScores(s)}, ${failed} failed` +
      (s.retries ? `, ${s.retries} retries` : "") +
      (s.skipped
        ? `, ${s.skipped} left pending (resume with: themis resume ${result.runId})`
        : "") +
      "\n" +
      (s.stopped === "max_cost" ? `stopped: the next generations would pass --max-cost\n` : "") +
      ((s.circuitsOpened ?? 0) > 0
        ? `stopped: ${s.circuitsOpened} endpoint circuit(s) opened after repeated identical ` +
          `failures; their work is pending (see: themis sql "select * from events where type ` +
          `= 'circuit.opened'")\n`
        : "") +
      (s.cost > 0 ? `cost: ${s.cost.toFixed(4)}\n` : "") +
      `run directory: ${runDir}\n` +
      `query it:      ${selfCommand(io)} sql --store ${storeDir} ` +
      `"select model_id, count(*) as trials from trials group by all"\n`,
  );
  return code;
}

function printShardResult(
  result: ExperimentResult,
  code: number,
  values: { quiet?: boolean; json?: boolean },
  io: CliIo,
): number {
  if (values.quiet) return code;
  const s = result.summary!;
  const { index, count, of } = result.manifest.shard!;
  const failed = s.generationFailed + s.parseFailed + s.scoreFailed;
  if (values.json) {
    io.out(JSON.stringify({ run: result.runId, shard: { index, count, of }, ...s }) + "\n");
    return code;
  }
  io.out(
    `shard ${index}/${count} of run ${of} (run ${result.runId}): ${s.candidates} candidates — ` +
      `${s.generated} generated, ${s.reused} reused, ${s.parsed} parsed, ${s.scored} scored, ` +
      `${failed} failed\n` +
      (s.skipped
        ? `${s.skipped} left pending (resume with: themis resume ${result.runId})\n`
        : "") +
      `every shard done? themis status ${of}\n` +
      `then the whole run's report: themis report ${of}\n`,
  );
  return code;
}
