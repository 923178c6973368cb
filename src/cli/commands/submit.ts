import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { addSourceLines } from "../../spec/error_lines.ts";
import type { RunManifest } from "../../plan/manifest.ts";
import type { SpecInput } from "../../orchestrator/orchestrator.ts";
import { storedSpecDir } from "../../orchestrator/handoffs/import_results.ts";
import { loadSpecArg, openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT, exitCodeForRun } from "../exit_codes.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { progressRenderer } from "../progress.ts";

export const SUBMIT_HELP = `themis submit <spec.toml|spec.json|run id> [options]

Persist the run's plan and hand it to the project's execution backend
([execution_backend] in the project file, docs/scale_out.md):
  local        runs it now, here
  batch        sends the pending generations to the provider's Batch API (OpenAI
               or Anthropic, half price) and returns at once; "themis resume <run>"
               imports the results as batches end, then parses and scores here
  worker_pool  runs nothing here and prints the commands that run its shards on a
               scheduler (Slurm, Kubernetes)
Given a run id instead of a spec, submits that run's stored spec again: only what
is still missing or failed is sent. Prints the run id.

Options:
${STORE_FLAGS_HELP}
  --quiet          print only the run id
  -h, --help       show this help
`;

async function isFile(path: string, io: CliIo): Promise<boolean> {
  try {
    return (await Deno.stat(resolve(io.cwd, path))).isFile;
  } catch {
    return false;
  }
}

/** `themis submit <spec|run>`. */
export async function submitCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      quiet: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.out(SUBMIT_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) {
    throw usageError("themis submit takes one spec file or run id", "submit");
  }
  const arg = positionals[0];
  const byFile = await isFile(arg, io) || /\.(toml|json)$/i.test(arg);
  const loaded = byFile ? await loadSpecArg(arg, io) : undefined;
  const orchestrator = await openOrchestrator(values, io, byFile ? arg : undefined);
  const progress = progressRenderer(io, values.quiet === true);
  try {
    let spec: SpecInput;
    let specDir: string;
    if (loaded) {
      spec = loaded.spec;
      specDir = loaded.baseDir;
    } else {
      const manifest = await orchestrator.store.runs.readManifest<RunManifest>(arg);
      spec = manifest.source.spec as SpecInput;
      specDir = storedSpecDir(orchestrator.store.root, manifest.source.base_dir);
    }
    const handle = await orchestrator.submit(spec, {
      specDir,
      signal: io.signal,
      progress: { onSnapshot: progress.onSnapshot },
    });
    progress.done();
    io.out(`${handle.runId}\n`);
    if (!values.quiet) {
      io.out(`status: ${handle.status}\n`);
      for (const warning of handle.warnings) io.err(`note: ${warning}\n`);
    }
    // A run handed to a backend (a batch in flight, shards to start) has nothing to report yet;
    // one executed here exits as `themis run` would.
    const summary = handle.result?.summary;
    if (!summary) return EXIT.OK;
    const code = exitCodeForRun(summary, io.signal?.aborted);
    return code === EXIT.OK && handle.warnings.length > 0 ? EXIT.INCOMPLETE : code;
  } catch (error) {
    throw loaded ? addSourceLines(error, loaded.source) : error;
  } finally {
    orchestrator.store.close();
  }
}
