import { parseArgs } from "node:util";
import { extname, resolve } from "node:path";
import type { Store } from "../../orchestrator/store.ts";
import { loadResult } from "../../results/load_result.ts";
import type { ExperimentResult } from "../../results/experiment_result.ts";
import type { Correction } from "../../results/paired_groups.ts";
import {
  CSV_TABLES,
  REPORT_FORMATS,
  type ReportFormat,
} from "../../results/report/render_report.ts";
import type { TextTable } from "../../results/report/report_tables.ts";
import { displayPath, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { resolveRunArg } from "../run_arg.ts";
import { openStore } from "./sql.ts";

export const REPORT_HELP = `themis report <run id> [options]

Report a run: leaderboard with confidence intervals, model × slice means, paired
deltas against a baseline model (with the minimum detectable effect), failures
and extraction-failure rates, and the per-item table. Every table of means shows
n_trials, n_scored, n_invalid and n_failed; intervals stay inside the metric's
range. HTML is one self-contained file (charts, search, timelines) that
works offline. See docs/reports.md.

Options:
${STORE_FLAGS_HELP}
  --format FMT       md (default), csv, json, latex or html
  --out FILE         write to FILE (the format follows its extension: .md, .csv,
                     .json, .tex, .html, unless --format says otherwise)
  --metric M         score or metric to rank and plot (default: the first score)
  --baseline MODEL   the model the others are compared with (default: the first)
  --correction C     holm (default), bh or none, across all paired comparisons
  --table T          the table of a CSV report: ${CSV_TABLES.join(", ")}
  --max-items N      rows of the per-item table (default 500)
  --seed N           bootstrap seed (default: the project's global_seed)
  --on-invalid P     zero or exclude: how answers that could not be parsed count
                     (default: each score's on_invalid, else zero)
  --count-failed     failed generations score the failing value (default: left
                     out of means, always counted in n_failed)
  --ci METHOD        wilson, clopper_pearson, t or bootstrap (default: each
                     score's ci, else Wilson for 0/1 metrics and t otherwise)
  -h, --help         show this help

Example:
  themis report 6c0b28e433f8 --out report.html
`;

const BY_EXTENSION: Record<string, ReportFormat> = {
  ".md": "md",
  ".csv": "csv",
  ".json": "json",
  ".tex": "latex",
  ".html": "html",
  ".htm": "html",
};

/** The result of a run named on the command line. */
export async function openRunArg(store: Store, wanted: string): Promise<ExperimentResult> {
  return await loadResult(store, await resolveRunArg(store, wanted));
}

/** A non-negative integer flag, or a usage error. */
export function intFlag(
  value: string | undefined,
  name: string,
  command: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw usageError(`--${name} must be a whole number ≥ 0`, command);
  }
  return n;
}

/** A `--correction` flag. */
export function correctionFlag(value: string | undefined, command: string): Correction | undefined {
  if (value === undefined) return undefined;
  if (value !== "holm" && value !== "bh" && value !== "none") {
    throw usageError(`--correction must be holm, bh or none`, command);
  }
  return value;
}

/** An `--on-invalid` flag: `zero` or `exclude`. */
export function onInvalidFlag(
  value: string | undefined,
  command: string,
): "zero" | "exclude" | undefined {
  if (value === undefined) return undefined;
  if (value !== "zero" && value !== "exclude") {
    throw usageError(
      `--on-invalid must be zero (an invalid answer scores the failing value) or exclude`,
      command,
    );
  }
  return value;
}

const CI_METHODS = ["wilson", "clopper_pearson", "t", "bootstrap"] as const;

/** A `--ci` flag: an interval method. */
export function ciFlag(
  value: string | undefined,
  command: string,
): typeof CI_METHODS[number] | undefined {
  if (value === undefined) return undefined;
  if (!(CI_METHODS as readonly string[]).includes(value)) {
    throw usageError(`--ci must be one of ${CI_METHODS.join(", ")}`, command);
  }
  return value as typeof CI_METHODS[number];
}

function formatOf(values: { format?: string; out?: string }): ReportFormat {
  const format = values.format ??
    (values.out ? BY_EXTENSION[extname(values.out).toLowerCase()] : "md");
  if (format === undefined || !REPORT_FORMATS.includes(format as ReportFormat)) {
    throw usageError(
      values.format === undefined
        ? `cannot tell the format of "${values.out}": add --format (${REPORT_FORMATS.join(", ")})`
        : `--format must be one of ${REPORT_FORMATS.join(", ")}`,
      "report",
    );
  }
  return format as ReportFormat;
}

/** `themis report <run>`. */
export async function reportCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      format: { type: "string" },
      out: { type: "string" },
      metric: { type: "string" },
      baseline: { type: "string" },
      correction: { type: "string" },
      table: { type: "string" },
      "max-items": { type: "string" },
      seed: { type: "string" },
      "on-invalid": { type: "string" },
      "count-failed": { type: "boolean" },
      ci: { type: "string" },
    },
  });
  if (values.help) {
    io.out(REPORT_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("themis report takes one run id", "report");
  const format = formatOf(values);
  if (values.table !== undefined && !CSV_TABLES.includes(values.table)) {
    throw usageError(`--table must be one of ${CSV_TABLES.join(", ")}`, "report");
  }
  const store = await openStore(values, io);
  try {
    const result = await openRunArg(store, positionals[0]);
    const text = await result.report({
      format,
      metric: values.metric,
      baseline: values.baseline,
      correction: correctionFlag(values.correction, "report"),
      table: values.table as TextTable["id"] | undefined,
      maxItems: intFlag(values["max-items"], "max-items", "report"),
      seed: intFlag(values.seed, "seed", "report"),
      onInvalid: onInvalidFlag(values["on-invalid"], "report"),
      countFailed: values["count-failed"],
      ci: ciFlag(values.ci, "report"),
    });
    if (values.out === undefined) {
      io.out(text);
      return EXIT.OK;
    }
    const path = resolve(io.cwd, values.out);
    await Deno.writeTextFile(path, text);
    io.out(`wrote the ${format} report of run ${result.runId} to ${displayPath(path, io)}\n`);
    return EXIT.OK;
  } finally {
    store.close();
  }
}
