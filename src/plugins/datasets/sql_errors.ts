import { errorMessage, ThemisError } from "../../core/errors.ts";
import type { FileFormat } from "./file_source_sql.ts";

/** Which file a SQL error came from: its format, absolute path and the path as the spec says. */
export interface SqlErrorSource {
  format: FileFormat;
  file: string;
  label: string;
  /** The line the error starts at, when known better than DuckDB's message says. */
  line?: number;
}

const LINE = /\b[Ll]ine:? (\d+)/;

/**
 * A `DATASET_INVALID` error for what DuckDB said about a dataset file: `file:line: why` when
 * the message names a line, the first line of DuckDB's message as the reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeSqlError } from "./sql_errors.ts";
 * const error = describeSqlError(new Error("Invalid Input Error: Malformed JSON in file \"/d/x.jsonl\", at byte 8 in line 4: unexpected character."),
 *   { format: "jsonl", file: "/d/x.jsonl", label: "x.jsonl" });
 * assert.equal(error.message, "x.jsonl:4: row is not valid JSON (unexpected character)");
 * ```
 */
export function describeSqlError(error: unknown, source: SqlErrorSource): ThemisError {
  const message = errorMessage(error);
  const first = message.split("\n")[0].replace(/^[A-Za-z ]+Error: /, "").trim();
  const line = source.line ?? (Number(LINE.exec(message)?.[1]) || undefined);
  const details = { file: source.file, ...(line ? { line } : {}) };
  const at = line ? `${source.label}:${line}` : source.label;
  if (source.format === "jsonl" && /Malformed JSON/i.test(first)) {
    const why = /:\s*([^:]+?)\.?$/.exec(first)?.[1] ?? first;
    return new ThemisError("DATASET_INVALID", `${at}: row is not valid JSON (${why})`, details);
  }
  if (source.format === "csv" && /CSV Error/i.test(first)) {
    const why = message.split("\n").find((l) => /Expected|Value with unterminated|quote/i.test(l));
    return new ThemisError(
      "DATASET_INVALID",
      `${at}: row cannot be read as CSV${why ? ` (${why.trim()})` : ""}`,
      details,
    );
  }
  if (/No files found/i.test(first)) {
    return new ThemisError(
      "DATASET_INVALID",
      `Cannot read dataset "${source.file}": no file matches`,
      { ...details, suggestion: "dataset paths are relative to the spec file" },
    );
  }
  if (source.format === "parquet" && /magic bytes|parquet/i.test(first)) {
    return new ThemisError(
      "DATASET_INVALID",
      `${source.label} is not a readable Parquet file (${first})`,
      details,
    );
  }
  return new ThemisError("DATASET_INVALID", `Cannot read dataset ${at}: ${first}`, details, error);
}

/**
 * The error for a JSONL row that is valid JSON but not an object: finds the line of the
 * `record`-th non-empty line so the message points at it.
 */
export async function jsonlRowError(
  file: string,
  label: string,
  record: number,
): Promise<ThemisError> {
  if (/[*?[]/.test(file)) {
    return new ThemisError("DATASET_INVALID", `${label}: row ${record} is not a JSON object`, {
      file,
      row: record,
    });
  }
  const lines = (await Deno.readTextFile(file)).split("\n");
  let seen = 0;
  let line = record;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "" && ++seen === record) {
      line = i + 1;
      break;
    }
  }
  return new ThemisError("DATASET_INVALID", `${label}:${line}: row is not a JSON object`, {
    file,
    line,
  });
}

/**
 * The 1-based line of the first non-empty line of a JSONL file that is not valid JSON (DuckDB
 * names the line where parsing stopped, which for an unfinished object is a later one).
 */
export async function firstInvalidJsonLine(file: string): Promise<number | undefined> {
  if (/[*?[]/.test(file)) return undefined;
  const lines = (await Deno.readTextFile(file)).replace(/^\uFEFF/, "").split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    try {
      JSON.parse(lines[i]);
    } catch {
      return i + 1;
    }
  }
  return undefined;
}
