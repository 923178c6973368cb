import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { loadBundle } from "../../orchestrator/handoffs/mod.ts";
import type { ExperimentResult } from "../../results/experiment_result.ts";
import {
  displayPath,
  loadSpecArg,
  openOrchestrator,
  STORE_FLAGS_HELP,
  STORE_OPTIONS,
} from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";

export const IMPORT_HELP = `themis import <bundle dir> <results.jsonl> [options]
themis import --candidates <generations.jsonl> [--spec SPEC] [options]

Bring work done elsewhere into the store, as events of the bundle's run. The
bundle is checked first (hashes: a changed line is named), then every record
(known, pending, not repeated); any problem stops the import before anything
is written. Importing the same file twice changes nothing.

Results of a generation bundle, one JSON object per line, either
  an OpenAI Batch API output file, as downloaded:
    {"custom_id", "response": {"status_code", "body": {"choices", "usage"}}, "error"}
  or themis records:
    {"custom_id", "text", "finish_reason"?, "usage"?, "latency_ms"?, "meta"?}
    {"custom_id", "error": {"code"?, "message"}}   (stays pending)
Results of an evaluation bundle:
    {"custom_id", "metrics": [{"metric", "value", "details"?}]}
    {"custom_id", "value"}                         (a score with one metric)
    {"custom_id", "error": {"code"?, "message"}}
Generations made without a bundle (--candidates):
    {"trial_id", "sample"? (default 0) or "candidate_id"?, "text", "usage"?, …}

Options:
  --candidates FILE  import generations without a bundle
  --spec SPEC        with --candidates: the spec they belong to (default: the
                     store's run that plans every trial named)
${STORE_FLAGS_HELP}
  --quiet            print nothing but errors
  -h, --help         show this help
`;

function report(
  result: ExperimentResult,
  { what, io, dir }: { what: string; io: CliIo; dir: string },
): void {
  const s = result.summary!;
  const done = what === "generations" ? s.generated : s.scored;
  const failed = what === "generations" ? s.generationFailed : s.scoreFailed;
  io.out(
    `imported ${done} ${what}` + (failed ? `, ${failed} failed (still pending)` : "") +
      (s.reused ? `, ${s.reused} already in the store (skipped)` : "") +
      ` into run ${result.runId}\nrun directory: ${dir}\n`,
  );
}

/** `themis import`. */
export async function importCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      candidates: { type: "string" },
      spec: { type: "string" },
      ...STORE_OPTIONS,
      quiet: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.out(IMPORT_HELP);
    return EXIT.OK;
  }
  const candidates = values.candidates !== undefined;
  if (candidates ? positionals.length !== 0 : positionals.length !== 2) {
    throw usageError(
      "themis import takes a bundle folder and a results file, or --candidates FILE",
      "import",
    );
  }
  if (values.spec !== undefined && !candidates) {
    throw usageError("--spec goes with --candidates (a bundle carries its spec)", "import");
  }
  const spec = values.spec === undefined ? undefined : await loadSpecArg(values.spec, io);
  const orchestrator = await openOrchestrator(values, io, values.spec);
  try {
    let result: ExperimentResult;
    let what = "generations";
    if (candidates) {
      result = await orchestrator.importCandidates(resolve(io.cwd, values.candidates!), {
        spec: spec?.spec,
        specDir: spec?.baseDir,
      });
    } else {
      const bundle = await loadBundle(resolve(io.cwd, positionals[0]));
      const records = resolve(io.cwd, positionals[1]);
      if (bundle.manifest.kind === "evaluation") what = "scores";
      result = bundle.manifest.kind === "generation"
        ? await orchestrator.importGenerationResults(bundle, records)
        : await orchestrator.importEvaluationResults(bundle, records);
    }
    const dir = displayPath(orchestrator.store.runs.runDir(result.runId), io);
    if (!values.quiet) report(result, { what, io, dir });
    return EXIT.OK;
  } finally {
    orchestrator.store.close();
  }
}
