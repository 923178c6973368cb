import { ThemisError } from "../core/errors.ts";

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The byte offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1.
 * (Overlong forms, surrogates and code points past U+10FFFF are ill-formed too.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstInvalidUtf8 } from "./decode_utf8.ts";
 * assert.equal(firstInvalidUtf8(new TextEncoder().encode("héllo")), -1);
 * assert.equal(firstInvalidUtf8(new Uint8Array([0x61, 0xff, 0x62])), 1);
 * assert.equal(firstInvalidUtf8(new Uint8Array([0xc0, 0xaf])), 0); // overlong "/"
 * ```
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const [n, lo, hi] = b >= 0xc2 && b <= 0xdf
      ? [1, 0x80, 0xbf]
      : b === 0xe0
      ? [2, 0xa0, 0xbf]
      : b === 0xed
      ? [2, 0x80, 0x9f]
      : b >= 0xe1 && b <= 0xef
      ? [2, 0x80, 0xbf]
      : b === 0xf0
      ? [3, 0x90, 0xbf]
      : b === 0xf4
      ? [3, 0x80, 0x8f]
      : b >= 0xf1 && b <= 0xf3
      ? [3, 0x80, 0xbf]
      : [0, 0, 0];
    if (n === 0 || i + n >= bytes.length) return i;
    if (bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k <= n; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * The text of a spec file: UTF-8 strictly (an invalid byte is `SPEC_PARSE` naming its line and
 * column, never silently replaced by U+FFFD), a leading byte order mark dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSpecText } from "./decode_utf8.ts";
 * assert.equal(decodeSpecText(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]), "a.toml"), "a");
 * assert.throws(() => decodeSpecText(new Uint8Array([0x0a, 0x61, 0xff]), "a.toml"),
 *   /a.toml:2:2: invalid UTF-8/);
 * ```
 */
export function decodeSpecText(bytes: Uint8Array, file: string): string {
  let text: string;
  try {
    text = fatal.decode(bytes);
  } catch {
    const at = Math.max(0, firstInvalidUtf8(bytes));
    const before = bytes.subarray(0, Math.max(0, at));
    const line = before.filter((b) => b === 0x0a).length + 1;
    const lineStart = before.lastIndexOf(0x0a) + 1;
    const column = new TextDecoder().decode(before.subarray(lineStart)).length + 1;
    throw new ThemisError(
      "SPEC_PARSE",
      `${file}:${line}:${column}: invalid UTF-8 (byte 0x${
        bytes[at].toString(16).padStart(2, "0")
      } at offset ${at}); save the file as UTF-8`,
      { file, line, column },
    );
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
