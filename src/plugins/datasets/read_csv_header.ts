import { ThemisError } from "../../core/errors.ts";

const MAX_HEADER_BYTES = 1 << 20;

/**
 * Split the first record of CSV text into its fields (RFC 4180 quoting with `""` for a quote).
 * `undefined` when the text ends before the record does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCsvHeader } from "./read_csv_header.ts";
 * assert.equal(JSON.stringify(parseCsvHeader('id,"a ""b""",c\n1,2,3', ",")), '["id","a \\"b\\"","c"]');
 * ```
 */
export function parseCsvHeader(text: string, delimiter: string): string[] | undefined {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') (field += '"', i++);
      else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) (fields.push(field), field = "");
    else if (ch === "\n" || ch === "\r") return [...fields, field];
    else field += ch;
  }
  return undefined;
}

/**
 * The column names of a CSV file's header row. An empty file, an empty or duplicate column
 * name is a `DATASET_INVALID` error naming the file.
 */
export async function readCsvHeader(
  path: string,
  spec: { path: string; delimiter?: string },
): Promise<string[]> {
  const file = await Deno.open(path);
  let text = "";
  try {
    const buffer = new Uint8Array(64 * 1024);
    const decoder = new TextDecoder();
    let header: string[] | undefined;
    while (header === undefined && text.length < MAX_HEADER_BYTES) {
      const n = await file.read(buffer);
      const end = n === null;
      if (!end) text += decoder.decode(buffer.subarray(0, n), { stream: true });
      const body = text.replace(/^\uFEFF/, "") + (end ? "\n" : "");
      header = parseCsvHeader(body, spec.delimiter ?? ",");
      if (end) break;
    }
    return checkHeader(header, spec.path);
  } finally {
    file.close();
  }
}

function checkHeader(header: string[] | undefined, label: string): string[] {
  if (header === undefined || (header.length === 1 && header[0].trim() === "")) {
    throw new ThemisError(
      "DATASET_INVALID",
      `${label}:1: a CSV dataset needs a header row naming its columns`,
      { file: label, line: 1 },
    );
  }
  const seen = new Set<string>();
  header.forEach((name, i) => {
    const why = name.trim() === "" ? "has no name" : seen.has(name) ? `repeats "${name}"` : "";
    if (why) {
      throw new ThemisError(
        "DATASET_INVALID",
        `${label}:1: column ${i + 1} of the header ${why}; every column needs a unique name`,
        { file: label, line: 1 },
      );
    }
    seen.add(name);
  });
  return header;
}
