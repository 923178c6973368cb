import { parseArgs } from "node:util";
import type { RunDiff, SetDiff, StageItem } from "../../plan/diff_specs.ts";
import { loadSpecArg, openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { formatEstimate } from "./estimate.ts";

export const DIFF_HELP = `themis diff <baseline.toml> <treatment.toml> [options]

Compare two specs without running either: the fields that changed (by path),
the trials, parses and scores added, removed and reused, and the work (with its
estimated cost) that running the treatment after the baseline would do, given
what the store already holds.

Options:
${STORE_FLAGS_HELP}
  --json           print the diff as JSON (trial ids included)
  -h, --help       show this help
`;

const show = (v: unknown) => v === undefined ? "" : JSON.stringify(v);

function items(kind: string, d: SetDiff<StageItem>): string {
  const list = (xs: StageItem[]) => xs.map((x) => `${x.task}/${x.name} (${x.hash})`).join(", ");
  return `${kind}: ${d.added.length} added, ${d.removed.length} removed, ${d.reused.length} ` +
    `reused\n` +
    (d.added.length ? `  + ${list(d.added)}\n` : "") +
    (d.removed.length ? `  - ${list(d.removed)}\n` : "");
}

/** A diff as text. */
export function formatDiff(d: RunDiff): string {
  const fields = d.fields.length === 0
    ? "  (none)\n"
    : d.fields.map((f) =>
      f.change === "added"
        ? `  + ${f.path} = ${show(f.after)}\n`
        : f.change === "removed"
        ? `  - ${f.path} (was ${show(f.before)})\n`
        : `  ~ ${f.path}: ${show(f.before)} → ${show(f.after)}\n`
    ).join("");
  const t = d.trials;
  return `baseline  ${d.baseline.kind} ${d.baseline.id} (run ${d.baseline.runId})\n` +
    `treatment ${d.treatment.kind} ${d.treatment.id} (run ${d.treatment.runId})\n\n` +
    `changed fields:\n${fields}\n` +
    `trials: ${t.added.length} added, ${t.removed.length} removed, ${t.reused.length} reused\n` +
    items("parses", d.parses) + items("scores", d.scores) + "\n" +
    formatEstimate(d.work, "work the treatment adds after the baseline:");
}

/** `themis diff <a> <b>`. */
export async function diffCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      json: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.out(DIFF_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 2) throw usageError("themis diff takes two spec files", "diff");
  const [a, b] = [await loadSpecArg(positionals[0], io), await loadSpecArg(positionals[1], io)];
  const orchestrator = await openOrchestrator(values, io, positionals[1]);
  try {
    const diff = await orchestrator.diffSpecs(a.spec, b.spec, {
      baselineDir: a.baseDir,
      treatmentDir: b.baseDir,
    });
    io.out(values.json ? JSON.stringify(diff, null, 1) + "\n" : formatDiff(diff));
    return EXIT.OK;
  } finally {
    orchestrator.store.close();
  }
}
