/**
 * SQL over dataset files (DuckDB dialect): one relation per file with a row number, JSON
 * expressions for fields, and metadata filters with JavaScript's strict equality.
 */
import type { DatasetSqlParam } from "./dataset_provider.ts";

/** The file formats read through SQL. */
export type FileFormat = "jsonl" | "csv" | "parquet";

/** One dataset file (or glob) as SQL sees it. */
export interface FileSource {
  format: FileFormat;
  /** Absolute path or glob. */
  path: string;
  /** Column names (csv, parquet); a JSONL row is one JSON document. */
  columns: string[];
  /** CSV field delimiter (default ","). */
  delimiter?: string;
  /** A JSONL file (or one file of the glob) starts with a byte order mark. */
  bom?: boolean;
}

/** A SQL string literal. */
export const sqlLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** A SQL quoted identifier. */
export const sqlIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A JSON Pointer (`/answers/text/0`) for DuckDB's json_extract. */
function pointer(steps: string[]): string {
  return "/" + steps.map((s) => s.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
}

/**
 * The relation of a file: `__rn` (1-based row number in file order) and the row (`__doc`, the
 * JSON text, for JSONL; the typed columns otherwise).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relationSql } from "./file_source_sql.ts";
 * assert.ok(relationSql({ format: "parquet", path: "/d/x.parquet", columns: [] })
 *   .includes("read_parquet('/d/x.parquet')"));
 * ```
 */
export function relationSql(source: FileSource): string {
  const path = sqlLiteral(source.path);
  switch (source.format) {
    case "jsonl":
      if (source.bom) return bomJsonlSql(path);
      return `select row_number() over () as __rn, json as __doc from read_json_objects(${path}, ` +
        `format = 'newline_delimited')`;
    case "csv": {
      // Explicit columns and dialect: no sniffing, so a bad row is reported with its line.
      const columns = source.columns.map((c) => `${sqlLiteral(c)}: 'VARCHAR'`).join(", ");
      return `select row_number() over () as __rn, * from read_csv(${path}, header = true, ` +
        `auto_detect = false, columns = {${columns}}, delim = ${
          sqlLiteral(source.delimiter ?? ",")
        }, ` +
        `quote = '"', escape = '"', strict_mode = true)`;
    }
    case "parquet":
      return `select row_number() over () as __rn, * from read_parquet(${path})`;
  }
}

/**
 * JSONL read as lines, for files with a byte order mark (DuckDB's JSON reader refuses one; its
 * CSV reader skips it). The delimiter is a control character valid JSON never holds raw;
 * blank lines are skipped as the JSON reader does, so row numbers agree. A line may be as long
 * as the JSON reader's largest object (16 MiB); the buffer is set explicitly, as DuckDB's
 * default (16 lines' worth) would not fit the dataset database's memory bound.
 */
function bomJsonlSql(path: string): string {
  return `select row_number() over () as __rn, json(line) as __doc from (select line from ` +
    `read_csv(${path}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false, ` +
    `delim = '\x1f', quote = '', escape = '', strict_mode = false, ` +
    `max_line_size = 16777216, buffer_size = 33554432) where line is not null and trim(line) <> '')`;
}

/**
 * A JSON expression for a field (a top-level key first, else a dotted path; numeric steps index
 * arrays), SQL NULL when the row has no such field.
 */
export function fieldJsonSql(source: FileSource, path: string): string {
  const steps = path.split(".");
  if (source.format === "jsonl") {
    const exact = `json_extract(__doc, ${sqlLiteral(pointer([path]))})`;
    if (steps.length === 1) return exact;
    return `coalesce(${exact}, json_extract(__doc, ${sqlLiteral(pointer(steps))}))`;
  }
  // A column is a key of every row, null or not (as in the row's JSON).
  if (source.columns.includes(path)) return `coalesce(to_json(${sqlIdent(path)}), 'null'::JSON)`;
  if (steps.length > 1 && source.columns.includes(steps[0])) {
    return `json_extract(to_json(${sqlIdent(steps[0])}), ${sqlLiteral(pointer(steps.slice(1)))})`;
  }
  return "null::JSON";
}

/** The whole row as JSON text. */
export function rowJsonSql(source: FileSource): string {
  if (source.format === "jsonl") return "__doc";
  const fields = source.columns.map((c) => `${sqlIdent(c)} := ${sqlIdent(c)}`).join(", ");
  return `to_json(struct_pack(${fields}))`;
}

/**
 * A boolean SQL expression: every `where` field equals its value with JavaScript's `===`
 * (a string matches only a JSON string, a number only a JSON number, a boolean only a JSON
 * boolean). Values go into `params` as `$w0`, `$w1`, ….
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { whereSql } from "./file_source_sql.ts";
 * const params = {};
 * const sql = whereSql({ format: "jsonl", path: "x", columns: [] }, { level: 2 }, params);
 * assert.ok(sql.includes("$w0") && JSON.stringify(params) === '{"w0":2}');
 * ```
 */
export function whereSql(
  source: FileSource,
  where: Record<string, string | number | boolean> | undefined,
  params: Record<string, DatasetSqlParam>,
  resolve: (name: string) => string = (name) => name,
): string {
  const terms = Object.entries(where ?? {}).map(([key, value]) => {
    const name = `w${Object.keys(params).length}`;
    params[name] = value;
    const v = fieldJsonSql(source, resolve(key));
    const text = `json_extract_string(${v}, '$')`;
    if (typeof value === "string") return `(json_type(${v}) = 'VARCHAR' and ${text} = $${name})`;
    if (typeof value === "boolean") {
      return `(json_type(${v}) = 'BOOLEAN' and ${text} = cast($${name} as varchar))`;
    }
    return `(json_type(${v}) in ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT', 'UHUGEINT') and ` +
      `try_cast(${text} as double) = $${name})`;
  });
  return terms.length === 0 ? "true" : `coalesce(${terms.join(" and ")}, false)`;
}
