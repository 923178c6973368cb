import { basename } from "node:path";
import { errorMessage } from "../../core/errors.ts";
import { importInvalid } from "./_errors.ts";

/** Records to import: a path to a JSONL file, or the records themselves. */
export type RecordsInput = string | Iterable<unknown>;

/** A record with where it came from, for error messages. */
export interface SourcedRecord {
  /** `output.jsonl line 3`, or `record 3` for records given as objects. */
  where: string;
  value: unknown;
}

/** Records read, and a name for their source. */
export interface ReadRecords {
  source: string;
  records: SourcedRecord[];
}

/**
 * Read records from a JSONL file (blank lines skipped; a line that is not JSON is an error
 * naming the line) or take them as given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRecords } from "./read_records.ts";
 * const { records } = await readRecords([{ custom_id: "c1", text: "4" }]);
 * assert.equal(records[0].where, "record 1");
 * ```
 */
export async function readRecords(input: RecordsInput): Promise<ReadRecords> {
  if (typeof input !== "string") {
    return {
      source: "the records given",
      records: [...input].map((value, i) => ({ where: `record ${i + 1}`, value })),
    };
  }
  let text: string;
  try {
    text = await Deno.readTextFile(input);
  } catch (error) {
    throw importInvalid(input, [`cannot read the file: ${errorMessage(error)}`]);
  }
  const name = basename(input);
  const records: SourcedRecord[] = [];
  const issues: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${name} line ${i + 1}`;
    try {
      records.push({ where, value: JSON.parse(line) });
    } catch {
      issues.push(`${where}: not valid JSON`);
    }
  });
  if (issues.length > 0) throw importInvalid(input, issues);
  return { source: input, records };
}
