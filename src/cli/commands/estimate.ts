import { parseArgs } from "node:util";
import type { CostEstimate } from "../../plan/estimate.ts";
import type { Store } from "../../orchestrator/store.ts";
import { type DetectRow, detectWithSd } from "../../results/detect_effect.ts";
import { openRunArg } from "./report.ts";
import { openStore } from "./sql.ts";
import { addSourceLines } from "../../spec/error_lines.ts";
import { loadSpecArg, openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import { formatTable } from "../format_table.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";

export const ESTIMATE_HELP = `themis estimate <spec.toml|spec.json> [options]
themis estimate [spec] --detect DELTA (--sd SD | --from-run RUN) [options]

Estimate what running a spec would take, without running or writing anything:
pending work per stage (what the store holds is reused), prompt tokens counted
with a tokenizer on the rendered prompts, completion tokens from earlier runs of
the same model and slice (else max_tokens, else 256), and cost from the
project's [pricing] table. The notes say how each figure was made; see
docs/estimates.md.

With --detect: how many items a paired comparison needs to detect a true
difference of DELTA (e.g. 0.02) with a two-sided 5% test at 80% power, from a
per-item sd of the differences (--sd) or from the paired comparisons of an
earlier run (--from-run: its standard errors, cluster-robust ones included).
With a spec, also the minimum detectable effect of the size it plans.

Options:
${STORE_FLAGS_HELP}
  --detect DELTA   the difference to detect (a number, e.g. 0.02)
  --sd SD          per-item standard deviation of the paired differences
  --from-run RUN   take the spread from this run's comparisons (first model
                   against each other one; first prompt variant with one model)
  --metric M       the score or metric of --from-run (default: the first)
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

/** The detection rows as text. */
export function formatDetect(rows: DetectRow[], delta: number): string {
  const table = rows.map((r) => ({
    from: r.source,
    score: r.score ?? "",
    metric: r.metric ?? "",
    sd: r.sd,
    n: r.n ?? "",
    clusters: r.clusters ?? "",
    mde: r.mde ?? "",
    items: r.items,
    ...(r.planned_items === null ? {} : { planned: r.planned_items, planned_mde: r.planned_mde }),
  }));
  return `items to detect a difference of ${delta} (two-sided α = 0.05, 80% power; items = ` +
    `pairs of a paired comparison):\n\n` +
    (table.length
      ? formatTable(Object.keys(table[0]), table)
      : "  (no comparison with a spread)\n");
}

function detectFlags(values: { detect?: string; sd?: string; "from-run"?: string }) {
  const { detect, sd, "from-run": fromRun } = values;
  if (detect === undefined) {
    if (sd !== undefined || fromRun !== undefined) {
      throw usageError("--sd and --from-run go with --detect DELTA", "estimate");
    }
    return undefined;
  }
  const delta = Number(detect);
  if (!Number.isFinite(delta) || delta === 0) {
    throw usageError(`--detect takes a non-zero number, e.g. 0.02 (got "${detect}")`, "estimate");
  }
  if ((sd === undefined) === (fromRun === undefined)) {
    throw usageError(
      "--detect needs the spread: --sd SD or --from-run RUN (one of them)",
      "estimate",
    );
  }
  const spread = sd === undefined ? undefined : Number(sd);
  if (spread !== undefined && !(Number.isFinite(spread) && spread > 0)) {
    throw usageError(`--sd takes a positive number, e.g. 0.5 (got "${sd}")`, "estimate");
  }
  return { delta, sd: spread, fromRun };
}

/** `themis estimate <spec>`. */
export async function estimateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      json: { type: "boolean", default: false },
      detect: { type: "string" },
      sd: { type: "string" },
      "from-run": { type: "string" },
      metric: { type: "string" },
    },
  });
  if (values.help) {
    io.out(ESTIMATE_HELP);
    return EXIT.OK;
  }
  const detect = detectFlags(values);
  if (detect !== undefined && positionals.length === 0) {
    return await detectOnly(detect, values, io);
  }
  if (positionals.length !== 1) throw usageError("themis estimate takes one spec file", "estimate");
  const loaded = await loadSpecArg(positionals[0], io);
  const orchestrator = await openOrchestrator(values, io, positionals[0]);
  try {
    const estimate = await orchestrator.estimate(loaded.spec, { specDir: loaded.baseDir });
    let detection: DetectRow[] | undefined;
    if (detect !== undefined) {
      const plan = await orchestrator.plan(loaded.spec, {
        specDir: loaded.baseDir,
        persist: false,
      });
      const plannedItems = plan.counts.trials / plan.experiment.models.length;
      detection = await detectRows(detect, { plannedItems, metric: values.metric }, orchestrator);
    }
    io.out(
      values.json
        ? JSON.stringify(detection ? { ...estimate, detect: detection } : estimate, null, 1) +
          "\n"
        : formatEstimate(estimate, `estimate for ${positionals[0]} (run ${estimate.runId})`) +
          (detection ? "\n" + formatDetect(detection, detect!.delta) : ""),
    );
    return EXIT.OK;
  } catch (error) {
    throw addSourceLines(error, loaded.source);
  } finally {
    orchestrator.store.close();
  }
}

async function detectRows(
  detect: { delta: number; sd?: number; fromRun?: string },
  options: { plannedItems?: number; metric?: string },
  orchestrator: { store: Store },
): Promise<DetectRow[]> {
  if (detect.sd !== undefined) return [detectWithSd(detect.sd, { ...options, ...detect })];
  const result = await openRunArg(orchestrator.store, detect.fromRun!);
  return await result.itemsToDetect({ ...options, delta: detect.delta });
}

/** `themis estimate --detect D --sd S | --from-run R` without a spec. */
async function detectOnly(
  detect: { delta: number; sd?: number; fromRun?: string },
  values: { json?: boolean; metric?: string } & Parameters<typeof openStore>[0],
  io: CliIo,
): Promise<number> {
  const store = detect.fromRun === undefined ? undefined : await openStore(values, io);
  try {
    const rows = detect.sd !== undefined
      ? [detectWithSd(detect.sd, detect)]
      : await detectRows(detect, { metric: values.metric }, { store: store! });
    io.out(values.json ? JSON.stringify(rows, null, 1) + "\n" : formatDetect(rows, detect.delta));
    return EXIT.OK;
  } finally {
    store?.close();
  }
}
