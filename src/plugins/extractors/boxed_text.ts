import { type Extractor, PLUGIN_API_VERSION } from "../types.ts";
import { readConfig } from "./read_config.ts";

const ID = "boxed_text";
const COMMANDS = ["\\boxed", "\\fbox"];

/** Start of the last `\boxed` / `\fbox` command that is not a longer name (`\boxedx`). */
function lastCommand(text: string): { at: number; after: number } | undefined {
  let best: { at: number; after: number } | undefined;
  for (const command of COMMANDS) {
    let at = text.lastIndexOf(command);
    while (at !== -1 && /[A-Za-z]/.test(text[at + command.length] ?? "")) {
      at = at === 0 ? -1 : text.lastIndexOf(command, at - 1);
    }
    if (at !== -1 && (best === undefined || at > best.at)) {
      best = { at, after: at + command.length };
    }
  }
  return best;
}

/** Index of the `}` closing the `{` at `open`, skipping escaped braces; -1 when unclosed. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\") i++;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return i;
  }
  return -1;
}

/**
 * `boxed_text`: the content of the last `\boxed{…}` (or `\fbox{…}`) in the text, trimmed,
 * with nested braces kept (`\boxed{\frac{1}{2}}` → `\frac{1}{2}`); also `\boxed 5` → `5`.
 * An unclosed or empty last box is a failure (earlier boxes are not used). No config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { boxedText } from "./boxed_text.ts";
 * const result = boxedText.extract("so $x = \\boxed{\\frac{1}{2}}$.", {});
 * assert.ok(result.ok && result.answer === "\\frac{1}{2}");
 * ```
 */
export const boxedText: Extractor = {
  id: ID,
  doc: {
    summary:
      "The content of the last `\\\\boxed{…}` (or `\\\\fbox{…}`) in the text, nested braces kept.",
    example: 'extractors = [{ id = "boxed_text" }]',
  },
  pluginApi: PLUGIN_API_VERSION,
  validateConfig(config) {
    readConfig(config, ID).only([]);
  },
  extract(text, config) {
    readConfig(config, ID).only([]);
    const found = lastCommand(text);
    if (found === undefined) return { ok: false, error: "no \\boxed{…} or \\fbox{…} in the text" };
    const name = text.slice(found.at, found.after);
    const rest = text.slice(found.after, found.after + 2);
    let content: string;
    if (/^\s*\{/.test(text.slice(found.after, found.after + 64))) {
      const open = text.indexOf("{", found.after);
      const close = closingBrace(text, open);
      if (close === -1) {
        return { ok: false, error: `the last ${name}{ is never closed (output cut off?)` };
      }
      content = text.slice(open + 1, close).trim();
    } else if (/^\s\S/.test(rest)) {
      content = /^\s(\S[^\s$]*)/.exec(text.slice(found.after, found.after + 1000))?.[1] ?? "";
    } else {
      return { ok: false, error: `the last ${name} has no {…} argument` };
    }
    if (content === "") return { ok: false, error: `the last ${name}{} is empty` };
    return { ok: true, answer: content };
  },
};
