import { parseArgs } from "node:util";
import type { RunManifest } from "../../plan/manifest.ts";
import { workStatus } from "../../plan/work_status.ts";
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
