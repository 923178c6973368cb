/**
 * Receives every spec path a scanner meets with the offset where its key or element starts, and
 * says whether anything below `path` is still wanted. `explicit` is false for tables only implied
 * by a header or dotted key; `path` is reused after the call.
 */
export type PathVisitor = (
  path: ReadonlyArray<string | number>,
  offset: number,
  explicit: boolean,
) => boolean;

// Sticky regexes move through the text natively, which keeps a cold call on a large spec fast.
const BLANKS = /[ \t\uFEFF]*/y;
const SPACE = /(?:[ \t\r\n\uFEFF]+|#[^\n]*)*/y;
const REST_OF_LINE = /[^\n]*/y;
const BARE_KEY = /[^ \t\r\n=.[\]"'#,{}]*/y;
const SCALAR = /[^\r\n#,\]}]*/y;
/** Whole lines without brackets, braces or multi-line strings: safe to pass over unread. */
const SIMPLE_LINES =
  /(?:[^\n"'[{#]*(?:(?:"(?:[^"\\\n]|\\.)*"(?!")|'[^'\n]*'(?!'))[^\n"'[{#]*)*(?:#[^\n]*)?\n)*/y;
const PLAIN = /[^\n"'[\]{}#]*/y;
const STRING_BODY: Record<string, RegExp> = {
  '"': /(?:[^"\\\n]+|\\[^\n])*/y,
  "'": /[^'\n]*/y,
  '"""': /(?:[^"\\]+|\\[\s\S]|"(?!""))*/y,
  "'''": /(?:[^']+|'(?!''))*/y,
};
const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2})|([\s\S]))/g;
const ESCAPED_CHARS: Record<string, string> = {
  b: "\b",
  t: "\t",
  n: "\n",
  f: "\f",
  r: "\r",
  e: "\x1b",
};

/** Decode the backslash escapes of a TOML basic string or JSON string body. */
export function decodeEscapes(body: string): string {
  if (!body.includes("\\")) return body;
  return body.replace(ESCAPE, (_, u, bigU, x, other: string | undefined) => {
    const hex = u ?? bigU ?? x;
    if (hex === undefined) return ESCAPED_CHARS[other!] ?? other!;
    const code = parseInt(hex, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : "";
  });
}

/** Advance `re` (sticky) from `pos` in `src` and return where it stopped. */
export function skipPattern(re: RegExp, src: string, pos: number): number {
  re.lastIndex = pos;
  return re.test(src) ? re.lastIndex : pos;
}

/**
 * Walk TOML text and report each key, table and array element with its offset. Tolerant:
 * malformed input is skipped line by line instead of throwing.
 */
export function scanToml(src: string, visit: PathVisitor): void {
  let pos = 0;
  const path: (string | number)[] = [];
  const arrayLengths = new Map<string, number>(); // by resolved path of each array of tables
  let wanted = true; // whether keys of the current table can matter to the visitor
  const skip = (re: RegExp) => {
    pos = skipPattern(re, src, pos);
  };

  /** Skip a string at `pos`; return its decoded text only when asked (keys). */
  const readString = (decode: boolean): string => {
    const quote = src[pos];
    const delimiter = src[pos + 1] === quote && src[pos + 2] === quote ? quote.repeat(3) : quote;
    pos += delimiter.length;
    const start = pos;
    skip(STRING_BODY[delimiter]);
    const body = decode ? src.slice(start, pos) : "";
    if (delimiter.length === 3) {
      // Up to two quotes may sit right before the closing delimiter.
      for (let run = 0; run < 5 && src[pos] === quote; run++) pos++;
    } else if (src[pos] === quote) pos++;
    return quote === '"' ? decodeEscapes(body) : body;
  };

  /** Read `a . "b c" . 'd'`; returns [] when no key starts here. */
  const readKey = (): string[] => {
    const keys: string[] = [];
    for (;;) {
      skip(BLANKS);
      const c = src[pos];
      if (c === '"' || c === "'") keys.push(readString(true));
      else {
        const start = pos;
        skip(BARE_KEY);
        if (pos === start) return keys;
        keys.push(src.slice(start, pos));
      }
      skip(BLANKS);
      if (src[pos] !== ".") return keys;
      pos++;
    }
  };

  /** Visit the segments of a dotted key under the current path, then its value. */
  const keyValue = (): boolean => {
    const start = pos;
    const keys = readKey();
    if (keys.length === 0) return false;
    const depth = path.length;
    let wantValue = false;
    keys.forEach((key, i) => {
      path.push(key);
      wantValue = visit(path, start, i === keys.length - 1);
    });
    skip(BLANKS);
    if (src[pos] === "=") {
      pos++;
      skip(BLANKS);
      if (wantValue) value();
      else skipValue();
    }
    path.length = depth;
    return true;
  };

  const value = (): void => {
    const c = src[pos];
    if (c === '"' || c === "'") readString(false);
    else if (c === "[") inlineArray();
    else if (c === "{") inlineTable();
    else skip(SCALAR);
  };

  const inlineArray = (): void => {
    pos++;
    for (let index = 0;;) {
      skip(SPACE);
      const c = src[pos];
      if (c === undefined || c === "}") return;
      if (c === "]" || c === ",") {
        pos++;
        if (c === "]") return;
        continue;
      }
      const start = pos;
      path.push(index++);
      if (visit(path, start, true)) value();
      else skipValue();
      path.pop();
      if (pos === start) pos++;
    }
  };

  const inlineTable = (): void => {
    pos++;
    for (;;) {
      skip(SPACE);
      const c = src[pos];
      if (c === undefined || c === "]") return;
      if (c === "}" || c === ",") {
        pos++;
        if (c === "}") return;
      } else if (!keyValue()) pos++;
    }
  };

  const skipValue = (): void => {
    const c = src[pos];
    if (c === "[" || c === "{") skipUnwanted(true);
    else value();
  };

  /**
   * Pass over text nobody wants, minding only strings, comments and bracket depth: one bracketed
   * value (`inValue`), or else whole statements up to the next header line.
   */
  const skipUnwanted = (inValue: boolean): void => {
    for (let depth = 0;;) {
      skip(PLAIN);
      const c = src[pos];
      if (c === undefined) return;
      if (c === '"' || c === "'") readString(false);
      else if (c === "#") skip(REST_OF_LINE);
      else if (c === "\n") {
        pos++;
        if (depth > 0) continue;
        skip(SIMPLE_LINES);
        skip(BLANKS);
        if (src[pos] === "[") return;
      } else {
        pos++;
        if (c === "[" || c === "{") depth++;
        else if (depth > 0) depth--;
        if (inValue && depth === 0) return;
      }
    }
  };

  /** Resolve `[a.b]` / `[[a.b]]` against the arrays of tables seen so far; make it the current path. */
  const header = (isArray: boolean): void => {
    const start = pos;
    pos += isArray ? 2 : 1;
    const keys = readKey();
    skip(BLANKS);
    if (keys.length === 0 || src[pos] !== "]") return;
    pos += isArray && src[pos + 1] === "]" ? 2 : 1;
    path.length = 0;
    let id = ""; // the resolved path so far, e.g. "slices\u00003\u0000parses"
    for (let i = 0; i < keys.length; i++) {
      const last = i === keys.length - 1;
      path.push(keys[i]);
      id += (i === 0 ? "" : "\u0000") + keys[i];
      let count = arrayLengths.get(id);
      if (last && isArray) arrayLengths.set(id, count = (count ?? 0) + 1);
      wanted = visit(path, start, last && !isArray);
      if (count === undefined) continue;
      path.push(count - 1);
      id += "\u0000" + (count - 1);
      wanted = visit(path, start, last);
    }
  };

  for (;;) {
    skip(SPACE);
    if (pos >= src.length) return;
    if (src.startsWith("[[", pos)) header(true);
    else if (src[pos] === "[") header(false);
    else if (!wanted) {
      skipUnwanted(false);
      continue;
    } else keyValue();
    // Anything left on the line is a comment or garbage; either way the next statement starts below.
    skip(REST_OF_LINE);
  }
}
