import { parseArgs } from "node:util";
import type { CostEstimate } from "../../plan/estimate.ts";
import { addSourceLines } from "../../spec/error_lines.ts";
import { loadSpecArg, openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import { formatTable } from "../format_table.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";

export const ESTIMATE_HELP = `themis estimate <spec.toml|spec.json> [options]

Estimate what running a spec would take, without running or writing anything:
pending work per stage (what the store holds is reused), prompt tokens counted
with a tokenizer on the rendered prompts, completion tokens from earlier runs of
the same model and slice (else max_tokens, else 256), and cost from the
project's [pricing] table. The notes say how each figure was made; see
docs/estimates.md.

Options:
${STORE_FLAGS_HELP}
  --json           print the estimate as JSON
  -h, --help       show this help
`;

const money = (n: number | null) => n === null ? "no price" : n.toFixed(4);

/** The estimate as text: stage work, one row per (model, slice), totals and notes. */
export function formatEstimate(e: CostEstimate, title: string): string {
  const stages = Object.entries(e.stages).map(([stage, w]) => ({ stage, ...w }));
  const rows = e.rows.map((r) => ({
    model: r.modelId,
    slice: r.sliceId,
    requests: r.requests,
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    completion_from: r.completionSource,
    encoding: r.encoding + (r.approximate ? " (approx.)" : ""),
    cost: money(r.cost),
  }));
  return `${title}\n\n` +
    formatTable(["stage", "total", "pending", "done"], stages) +
    (rows.length > 0 ? "\n" + formatTable(Object.keys(rows[0]), rows) : "") +
    `\ntotal: ${e.promptTokens} prompt + ${e.completionTokens} completion tokens, cost ` +
    `${money(e.cost)}${e.unpriced.length ? ` (without ${e.unpriced.join(", ")})` : ""}\n\n` +
    `notes:\n${e.notes.map((n) => `  - ${n}\n`).join("")}`;
}

/** `themis estimate <spec>`. */
export async function estimateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      json: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.out(ESTIMATE_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis estimate takes one spec file", "estimate");
  const loaded = await loadSpecArg(positionals[0], io);
  const orchestrator = await openOrchestrator(values, io, positionals[0]);
  try {
    const estimate = await orchestrator.estimate(loaded.spec, { specDir: loaded.baseDir });
    io.out(
      values.json
        ? JSON.stringify(estimate, null, 1) + "\n"
        : formatEstimate(estimate, `estimate for ${positionals[0]} (run ${estimate.runId})`),
    );
    return EXIT.OK;
  } catch (error) {
    throw addSourceLines(error, loaded.source);
  } finally {
    orchestrator.store.close();
  }
}
