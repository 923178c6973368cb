import { parseArgs } from "node:util";
import type { RunManifest } from "../../plan/manifest.ts";
import { type WorkStatus, workStatus } from "../../plan/work_status.ts";
import { addSourceLines } from "../../spec/error_lines.ts";
import {
  displayPath,
  loadSpecArg,
  openOrchestrator,
  STORE_FLAGS_HELP,
  STORE_OPTIONS,
} from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import { formatTable } from "../format_table.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";

export const PLAN_HELP = `themis plan <spec.toml|spec.json> [options]

Plan without running: write the run's manifest, then print per stage how many
work items the plan has, how many the store already holds (and from which
runs they are reused), how many failed before and will run again, and how
many will run.

Options:
${STORE_FLAGS_HELP}
  --json           print the counts as JSON
  -h, --help       show this help
`;

/**
 * What the parse and score counts mean while generations are still to run: work behind a
 * generation not done yet will run after it; work behind a failed generation is skipped
 * unless the generation succeeds when it runs again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { waitingNote } from "./plan.ts";
 * const stage = (pending: number, failed = 0, skipped = 0) =>
 *   ({ total: pending + failed + skipped, pending, completed: 0, failed, skipped, reusedFrom: {} });
 * assert.equal(
 *   waitingNote({ generation: stage(4), parse: stage(4), score: stage(8) }),
 *   "\nparse and score work that reads the 4 generations still to run will run after them.\n",
 * );
 * assert.equal(
 *   waitingNote({ generation: stage(0, 1), parse: stage(0, 0, 1), score: stage(0, 0, 2) }),
 *   "\nskipped: parse and score work that reads the 1 failed generation; it runs if the " +
 *     "generation succeeds when it runs again.\n",
 * );
 * assert.equal(waitingNote({ generation: stage(0), parse: stage(4), score: stage(8) }), "");
 * ```
 */
export function waitingNote(status: WorkStatus): string {
  const { pending, failed } = status.generation;
  const plural = (n: number) => `${n} generation${n === 1 ? "" : "s"}`;
  const waiting = pending > 0 && status.parse.pending + status.score.pending > 0
    ? `parse and score work that reads the ${plural(pending)} still to run will run after them.\n`
    : "";
  const skipped = failed > 0 && status.parse.skipped + status.score.skipped > 0
    ? `skipped: parse and score work that reads the ${failed} failed generation` +
      `${failed === 1 ? "" : "s"}; it runs if the generation succeeds when it runs again.\n`
    : "";
  return waiting + skipped === "" ? "" : `\n${waiting}${skipped}`;
}

/** `themis plan <spec>`. */
export async function planCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      json: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.out(PLAN_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis plan takes one spec file", "plan");
  const loaded = await loadSpecArg(positionals[0], io);
  const orchestrator = await openOrchestrator(values, io, positionals[0]);
  let plan;
  try {
    plan = await orchestrator.planSpec(loaded.spec, { specDir: loaded.baseDir });
  } catch (error) {
    throw addSourceLines(error, loaded.source);
  }
  const runs = orchestrator.store.runs;
  const runId = plan.manifest.run_id;
  const manifest = await runs.readManifest<RunManifest>(runId);
  const state = await runs.loadState();
  const status = await workStatus(manifest, runs.iterPlan(runId, manifest), state);
  if (values.json) {
    io.out(JSON.stringify({ run: runId, counts: manifest.counts, status }, null, 2) + "\n");
    return EXIT.OK;
  }
  const rows = (["generation", "parse", "score"] as const).map((stage) => {
    const s = status[stage];
    const reused = Object.values(s.reusedFrom).reduce((a, b) => a + b, 0);
    return {
      stage,
      total: s.total,
      done: s.completed,
      reused,
      "will rerun (failed)": s.failed,
      "will run": s.pending,
      skipped: s.skipped,
    };
  });
  io.out(
    `run ${runId} — ${manifest.counts.trials} trials, ${manifest.counts.candidates} candidates\n` +
      `manifest: ${displayPath(`${runs.runDir(runId)}/manifest.json`, io)}\n\n`,
  );
  io.out(formatTable(Object.keys(rows[0]), rows));
  io.out(waitingNote(status));
  const sources = new Map<string, number>();
  for (const stage of Object.values(status)) {
    for (const [run, n] of Object.entries(stage.reusedFrom)) {
      sources.set(run, (sources.get(run) ?? 0) + n);
    }
  }
  if (sources.size > 0) {
    io.out(`\nreused from runs: ${[...sources].map(([run, n]) => `${run} (${n})`).join(", ")}\n`);
  }
  return EXIT.OK;
}
