import { decodeEscapes, type PathVisitor, scanToml, skipPattern } from "./_toml_scan.ts";

type Path = ReadonlyArray<string | number>;

/**
 * 1-based line of the spec value at `path` in TOML or JSON source text, or undefined.
 *
 * Points at the line where the key or array element starts; for a path that is absent (a missing
 * key, an index past the end) it falls back to the deepest ancestor that exists, and returns
 * undefined only when not even the first segment is found. Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { locateLine } from "./locate_line.ts";
 *
 * const toml = '[[models]]\nmodel_id = "a"\n\n[[models]]\nmodel_id = "b"\n';
 * assert.equal(locateLine(toml, "toml", ["models", 1, "model_id"]), 5);
 * assert.equal(locateLine(toml, "toml", ["models", 1, "provider"]), 4);
 * assert.equal(locateLine('{\n  "models": []\n}', "json", ["models", 0]), 2);
 * ```
 */
export function locateLine(
  source: string,
  format: "toml" | "json",
  path: Path,
): number | undefined {
  if (path.length === 0) return undefined;
  // offsets[d] is where the length-d prefix of `path` was first seen; explicit definitions win.
  const offsets: (number | undefined)[] = [];
  const explicit: boolean[] = [];
  const visit: PathVisitor = (seen, offset, isExplicit) => {
    const depth = seen.length;
    if (depth === 0 || depth > path.length) return false;
    for (let i = depth - 1; i >= 0; i--) if (seen[i] !== path[i]) return false;
    if (offsets[depth] === undefined || (isExplicit && !explicit[depth])) {
      offsets[depth] = offset;
      explicit[depth] = isExplicit;
    }
    return depth < path.length;
  };
  try {
    if (format === "toml") scanToml(source, visit);
    else scanJson(source, visit);
  } catch (error) {
    // Absurdly deep nesting overflows the recursive scanners; report what was found so far.
    if (!(error instanceof RangeError)) throw error;
  }
  for (let depth = path.length; depth > 0; depth--) {
    const offset = offsets[depth];
    if (offset !== undefined) return lineAt(source, offset);
  }
  return undefined;
}

function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = source.indexOf("\n"); i !== -1 && i < offset; i = source.indexOf("\n", i + 1)) {
    line++;
  }
  return line;
}

const JSON_SPACE = /(?:[ \t\r\n\uFEFF]+|\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$))*/y;
const JSON_SCALAR = /[^\s,:[\]{}"']*/y;
const JSON_STRING_BODY: Record<string, RegExp> = {
  '"': /(?:[^"\\\n]+|\\[^\n])*/y,
  "'": /(?:[^'\\\n]+|\\[^\n])*/y,
};

/** Walk JSON text (comments, bare keys and trailing commas tolerated) and report each key and element. */
function scanJson(src: string, visit: PathVisitor): void {
  let pos = 0;
  const path: (string | number)[] = [];
  const skip = (re: RegExp) => {
    pos = skipPattern(re, src, pos);
  };

  /** Read a string at `pos`; a raw newline ends it so that bad input resyncs on the next line. */
  const readString = (): string => {
    const quote = src[pos++];
    const start = pos;
    skip(JSON_STRING_BODY[quote]);
    const body = src.slice(start, pos);
    if (src[pos] === quote) pos++;
    return decodeEscapes(body);
  };

  const value = (): void => {
    const c = src[pos];
    if (c === "{") object();
    else if (c === "[") array();
    else if (c === '"' || c === "'") readString();
    else {
      const start = pos;
      skip(JSON_SCALAR);
      if (pos === start) pos++;
    }
  };

  const object = (): void => {
    pos++;
    for (;;) {
      skip(JSON_SPACE);
      const c = src[pos];
      if (c === undefined) return;
      if (c === "}" || c === "]" || c === ",") {
        pos++;
        if (c === ",") continue;
        return;
      }
      const start = pos;
      let key: string | undefined;
      if (c === '"' || c === "'") key = readString();
      else {
        skip(JSON_SCALAR);
        if (pos === start) pos++; // a stray ':' or similar
        else key = src.slice(start, pos);
      }
      if (key === undefined) continue;
      skip(JSON_SPACE);
      if (src[pos] === ":") pos++;
      skip(JSON_SPACE);
      path.push(key);
      visit(path, start, true);
      if (pos < src.length && !",}]".includes(src[pos])) value();
      path.pop();
    }
  };

  const array = (): void => {
    pos++;
    for (let index = 0;;) {
      skip(JSON_SPACE);
      const c = src[pos];
      if (c === undefined) return;
      if (c === "]" || c === "}" || c === ",") {
        pos++;
        if (c === ",") continue;
        return;
      }
      path.push(index++);
      visit(path, pos, true);
      value();
      path.pop();
    }
  };

  skip(JSON_SPACE);
  if (pos < src.length) value();
}
