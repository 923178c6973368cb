import { parseArgs } from "node:util";
import type { RunComparison } from "../../results/compare_runs.ts";
import { STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import { formatTable, type TableFormat } from "../format_table.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { correctionFlag, intFlag, onInvalidFlag, openRunArg } from "./report.ts";
import { openStore } from "./sql.ts";

export const COMPARE_HELP = `themis compare <baseline run> <treatment run> [options]

Compare two runs trial by trial: trials are aligned by identity (model, slice,
prompt variant, params, item), so a run with a changed prompt or model setting
pairs item by item with the one before. Per model × slice × score × metric:
both means, the mean delta (treatment − baseline) with a paired bootstrap 95%
interval (cluster-robust t with a score's cluster field) inside the range of a
difference, the minimum detectable effect (mde) at 80% power, McNemar's exact
test for 0/1 scores (Wilcoxon signed-rank otherwise), p-values corrected across
all rows, wins/losses/ties, and each side's trials (b/t): n_trials, n_scored,
n_invalid (no answer: the metric's failing value unless a score says
on_invalid = "exclude"), n_failed (out of the means); then the items whose 0/1
score flipped.

Options:
${STORE_FLAGS_HELP}
  --metric M         only this score or metric
  --group-by KEYS    comma-separated group keys (default model,slice)
  --correction C     holm (default), bh or none
  --flips N          flipped items to list (default 50; 0 lists none)
  --format FMT       table (default), csv, json or markdown
  --seed N           bootstrap seed (default: the baseline's project global_seed)
  --on-invalid P     zero or exclude: how invalid answers count (default: each
                     score's on_invalid, else zero)
  --count-failed     failed generations score the failing value (default: left out)
  -h, --help         show this help

Example:
  themis compare 6c0b28e433f8 91d2aa07c3e4 --metric accuracy
`;

const FORMATS = ["table", "csv", "json", "markdown"];

const fixed = (v: unknown, digits = 4) => (typeof v === "number" ? v.toFixed(digits) : "");
const p = (v: unknown) =>
  typeof v !== "number" ? "" : v !== 0 && v < 1e-4 ? v.toExponential(1) : v.toFixed(4);

const COUNTS = ["n_trials", "n_scored", "n_invalid", "n_failed"];

function deltaRows(comparison: RunComparison): Record<string, unknown>[] {
  return comparison.rows.map((r) => {
    const { score, metric, n, unpaired, delta, ci_low, ci_high, test, p_value, p_adjusted } = r;
    const keys = Object.fromEntries(
      Object.entries(r).filter(([k]) => !(k in PAIRED_FIELDS)),
    );
    return {
      ...keys,
      score,
      metric,
      n,
      unpaired,
      baseline: fixed(r.baseline_mean),
      treatment: fixed(r.treatment_mean),
      delta: fixed(delta),
      ci: typeof ci_low === "number" ? `[${fixed(ci_low)}, ${fixed(ci_high)}]` : "",
      ci_method: r.ci_method ?? "",
      mde: fixed(r.mde),
      test: test ?? "",
      p: p(p_value),
      p_adj: p(p_adjusted),
      "w/l/t": `${r.wins}/${r.losses}/${r.ties}`,
      ...Object.fromEntries(
        COUNTS.map((c) => [`${c} b/t`, `${r[`${c}_baseline`]}/${r[`${c}_treatment`]}`]),
      ),
    };
  });
}

const PAIRED_FIELDS: Record<string, true> = Object.fromEntries(
  [
    "score",
    "metric",
    "n",
    "unpaired",
    "baseline_mean",
    "treatment_mean",
    "delta",
    "se",
    "ci_low",
    "ci_high",
    "ci_method",
    "mde",
    "clusters",
    "test",
    "p_value",
    "p_adjusted",
    "wins",
    "losses",
    "ties",
    ...COUNTS.flatMap((c) => [`${c}_baseline`, `${c}_treatment`]),
  ].map((k) => [k, true]),
);

function printComparison(
  comparison: RunComparison,
  options: { format: string; flips: number },
  io: CliIo,
): void {
  if (options.format === "json") {
    io.out(JSON.stringify(comparison, null, 2) + "\n");
    return;
  }
  const format = options.format as TableFormat;
  const rows = deltaRows(comparison);
  io.out(`baseline ${comparison.baseline} → treatment ${comparison.treatment}\n\n`);
  io.out(formatTable(Object.keys(rows[0] ?? { score: "" }), rows, format));
  if (options.flips === 0) return;
  const shown = comparison.flips.slice(0, options.flips);
  io.out(
    `\nflipped items: ${comparison.flips.length}` +
      (comparison.flips.length > shown.length ? ` (first ${shown.length} listed)` : "") + "\n",
  );
  if (shown.length) {
    io.out(
      formatTable(Object.keys(shown[0]), shown as unknown as Record<string, unknown>[], format),
    );
  }
}

/** `themis compare <runA> <runB>`. */
export async function compareCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      metric: { type: "string" },
      "group-by": { type: "string" },
      correction: { type: "string" },
      flips: { type: "string" },
      format: { type: "string", default: "table" },
      seed: { type: "string" },
      "on-invalid": { type: "string" },
      "count-failed": { type: "boolean" },
    },
  });
  if (values.help) {
    io.out(COMPARE_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 2) throw usageError("themis compare takes two run ids", "compare");
  if (!FORMATS.includes(values.format!)) {
    throw usageError(`--format must be one of ${FORMATS.join(", ")}`, "compare");
  }
  const correction = correctionFlag(values.correction, "compare");
  const flips = intFlag(values.flips, "flips", "compare") ?? 50;
  const seed = intFlag(values.seed, "seed", "compare");
  const store = await openStore(values, io);
  try {
    const baseline = await openRunArg(store, positionals[0]);
    const treatment = await openRunArg(store, positionals[1]);
    const comparison = await baseline.compareWith(treatment, {
      metric: values.metric,
      groupBy: values["group-by"]?.split(",").map((k) => k.trim()).filter(Boolean),
      correction,
      seed,
      onInvalid: onInvalidFlag(values["on-invalid"], "compare"),
      countFailed: values["count-failed"],
    });
    printComparison(comparison, { format: values.format!, flips }, io);
    return EXIT.OK;
  } finally {
    store.close();
  }
}
