import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { addSourceLines } from "../../spec/error_lines.ts";
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

export const EXPORT_HELP = `themis export <spec.toml|spec.json> [options]

Write the pending work of a spec as a self-contained bundle folder, to run it
elsewhere and import the results with "themis import". Nothing the store already
holds is exported. See docs/handoffs.md.

  generation bundle: requests.jsonl is OpenAI Batch API input (one chat request
                     per candidate, custom_id = candidate id) + bundle.json
  evaluation bundle: items.jsonl, one (candidate, score) per line with the text,
                     the parse answer and the item + bundle.json with the metrics

Options:
  --stage STAGE    generation (default) or evaluation
  --out DIR        bundle folder (default: <store>/bundles/<stage>-<run>-<bundle id>)
${STORE_FLAGS_HELP}
  --json           print the bundle manifest's summary as JSON
  -h, --help       show this help
`;

/** `themis export <spec>`. */
export async function exportCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      stage: { type: "string", default: "generation" },
      out: { type: "string" },
      ...STORE_OPTIONS,
      json: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.out(EXPORT_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis export takes one spec file", "export");
  if (values.stage !== "generation" && values.stage !== "evaluation") {
    throw usageError(`--stage must be generation or evaluation (got "${values.stage}")`, "export");
  }
  const loaded = await loadSpecArg(positionals[0], io);
  const orchestrator = await openOrchestrator(values, io, positionals[0]);
  try {
    const options = {
      specDir: loaded.baseDir,
      dir: values.out === undefined ? undefined : resolve(io.cwd, values.out),
    };
    const bundle = values.stage === "generation"
      ? await orchestrator.exportGenerationBundle(loaded.spec, options)
      : await orchestrator.exportEvaluationBundle(loaded.spec, options);
    const { manifest } = bundle;
    if (values.json) {
      const { line_hashes: _hashes, source: _source, ...summary } = manifest;
      io.out(JSON.stringify({ dir: bundle.dir, ...summary, notes: bundle.notes }) + "\n");
      return EXIT.OK;
    }
    const what = manifest.kind === "generation" ? "generation requests" : "score items";
    io.out(
      `bundle ${manifest.bundle_id} (run ${manifest.run_id}): ${bundle.items} ${what}\n` +
        `written to ${displayPath(bundle.dir, io)}\n` +
        bundle.notes.map((n) => `  ${n}\n`).join(""),
    );
    return EXIT.OK;
  } catch (error) {
    throw addSourceLines(error, loaded.source);
  } finally {
    orchestrator.store.close();
  }
}
