import type { JsonObject } from "../../core/json.ts";
import { type Extractor, PLUGIN_API_VERSION } from "../types.ts";
import { readConfig } from "./read_config.ts";

const ID = "code_block";

/** One fenced code block of a Markdown text. */
export interface CodeBlock {
  /** The info string's first word, lower-cased ("" when the fence has none). */
  language: string;
  code: string;
  /** False when the text ended before the closing fence (a truncated answer). */
  closed: boolean;
}

/** Which block {@linkcode selectCode} returns when several match. */
export type CodePick = "first" | "last" | "longest" | "all";

/** Options of {@linkcode selectCode}. */
export interface SelectCodeOptions {
  /** Wanted language (aliases count: `py` is `python`); any block when absent. */
  language?: string;
  pick?: CodePick;
  /** Use the whole text when it holds no fence at all (a bare code answer). */
  unfenced?: boolean;
}

/** What {@linkcode selectCode} found. */
export type SelectedCode = { ok: true; code: string } | { ok: false; error: string };

const ALIASES: Record<string, string[]> = {
  python: ["python", "py", "python3", "py3"],
  typescript: ["typescript", "ts", "tsx"],
  javascript: ["javascript", "js", "mjs", "node", "jsx"],
};

/** The language a fence tag names, with aliases folded (`py` → `python`). */
export function canonicalLanguage(tag: string): string {
  const lower = tag.toLowerCase();
  for (const [name, aliases] of Object.entries(ALIASES)) {
    if (aliases.includes(lower)) return name;
  }
  return lower;
}

const OPEN = /^( {0,3})(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n`]*$/;

/**
 * Every fenced code block (``` or ~~~, CommonMark style) of a Markdown text, in order. A fence
 * left open runs to the end of the text (`closed = false`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findCodeBlocks } from "./code_block.ts";
 * const text = "Here:\n~~~py\nprint(1)\n~~~\nand\n~~~\nx\n~~~";
 * assert.deepEqual(findCodeBlocks(text), [
 *   { language: "py", code: "print(1)", closed: true },
 *   { language: "", code: "x", closed: true },
 * ]);
 * ```
 */
export function findCodeBlocks(text: string): CodeBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]);
    if (open === null) continue;
    const [, indent, fence, tag] = open;
    const close = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}[ \\t]*$`);
    // CommonMark: content lines lose up to the opening fence's indentation.
    const dedent = new RegExp(`^ {0,${indent.length}}`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j]); j++) body.push(lines[j].replace(dedent, ""));
    blocks.push({ language: tag.toLowerCase(), code: body.join("\n"), closed: j < lines.length });
    i = j;
  }
  return blocks;
}

/**
 * The code of a model's answer: the fenced block(s) in `language` (blocks without a tag count
 * when no block has the tag; blocks tagged with another language never do), chosen by `pick`
 * (`all` joins them with a blank line). With `unfenced`, a text without any fence is itself
 * the code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectCode } from "./code_block.ts";
 * const text = "~~~js\nno()\n~~~\n~~~python\ndef f(): return 1\n~~~";
 * assert.deepEqual(selectCode(text, { language: "py" }), { ok: true, code: "def f(): return 1" });
 * assert.deepEqual(selectCode("x = 1", { unfenced: true }), { ok: true, code: "x = 1" });
 * ```
 */
export function selectCode(text: string, options: SelectCodeOptions = {}): SelectedCode {
  const blocks = findCodeBlocks(text);
  if (blocks.length === 0) {
    if (options.unfenced && text.trim() !== "") return { ok: true, code: text.trim() };
    return { ok: false, error: "no fenced code block (```) in the text" };
  }
  let chosen = blocks;
  if (options.language !== undefined) {
    const wanted = canonicalLanguage(options.language);
    const tagged = blocks.filter((b) => canonicalLanguage(b.language) === wanted);
    chosen = tagged.length > 0 ? tagged : blocks.filter((b) => b.language === "");
  }
  chosen = chosen.filter((b) => b.code.trim() !== "");
  if (chosen.length === 0) {
    const tags = [...new Set(blocks.map((b) => b.language || "untagged"))].join(", ");
    return {
      ok: false,
      error: options.language === undefined
        ? "every fenced code block is empty"
        : `no ${options.language} code block (the text has: ${tags})`,
    };
  }
  switch (options.pick ?? "first") {
    case "last":
      return { ok: true, code: chosen[chosen.length - 1].code };
    case "longest":
      return {
        ok: true,
        code: chosen.reduce((a, b) => (b.code.length > a.code.length ? b : a)).code,
      };
    case "all":
      return { ok: true, code: chosen.map((b) => b.code).join("\n\n") };
    default:
      return { ok: true, code: chosen[0].code };
  }
}

function parseOptions(config: JsonObject): SelectCodeOptions {
  const read = readConfig(config, ID);
  read.only(["language", "pick", "unfenced"]);
  const language = read.string("language");
  if (language !== undefined && !/^[A-Za-z0-9_+#.-]+$/.test(language)) {
    read.fail("language", `must be a fence tag such as "python" or "ts", got "${language}"`);
  }
  return {
    language,
    pick: read.oneOf("pick", ["first", "last", "longest", "all"] as const, "first"),
    unfenced: read.boolean("unfenced", false),
  };
}

/**
 * `code_block`: the code of a fenced Markdown block. Config: `language` (e.g. "python"; aliases
 * such as "py" match; untagged blocks count when none has the tag), `pick` ("first" — the
 * default —, "last", "longest" or "all", joined), `unfenced` (default false: true takes a text
 * without any fence as the code itself).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codeBlock } from "./code_block.ts";
 * const text = "Sure:\n~~~ts\nexport const add = (a: number, b: number) => a + b;\n~~~";
 * assert.deepEqual(codeBlock.extract(text, { language: "typescript" }), {
 *   ok: true,
 *   answer: "export const add = (a: number, b: number) => a + b;",
 * });
 * ```
 */
export const codeBlock: Extractor = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  doc: {
    summary: "The code of a fenced Markdown block (```` ``` ```` or `~~~`), by language.",
    config: {
      language: "fence tag to take (`python`; aliases such as `py` match; untagged blocks " +
        "count when none has the tag)",
      pick: "`first` (default), `last`, `longest` or `all` (joined)",
      unfenced: "take a text without any fence as the code itself (default `false`)",
    },
    example: 'extractors = [{ id = "code_block", config = { language = "python" } }]',
  },
  validateConfig(config) {
    parseOptions(config);
  },
  extract(text, config) {
    const found = selectCode(text, parseOptions(config));
    return found.ok ? { ok: true, answer: found.code } : found;
  },
};
