import type { JsonObject } from "../../core/json.ts";
import { type Extractor, PLUGIN_API_VERSION } from "../types.ts";
import { readConfig } from "./read_config.ts";

const ID = "choice_letter";
const DEFAULT_CHOICES = ["A", "B", "C", "D"];

const WORD = String.raw`[\p{L}\p{N}_]`;
// What may sit between a marker and the letter: spaces, markdown, quotes, brackets, LaTeX.
// Matching runs on whitespace-collapsed text, and no two adjacent parts of the pattern can
// match the same characters, so a long run of decoration cannot cause quadratic backtracking.
const DECOR = String.raw`(?:[ *_"'\x60“‘(\[{$]|\\(?:boxed|text|textbf|mathrm)\{)*`;
const CONNECTOR = String.raw`(?: (?:is|was|would be|should be|must be|will be)\b| ?[:=：]| [-–—])`;
// "answer is X", "Answer: X", "correct option is (X)", "final answer: **X**" …
const MARKER = new RegExp(
  String.raw`(?<!${WORD})(?:answer|choice|option)${CONNECTOR}${DECOR}(?:the )?` +
    String.raw`(?:(?:option|choice|letter) ${DECOR})?([a-z0-9])(?!${WORD})`,
  "giu",
);
// "X is correct", "(X) is the right one" …
const IS_CORRECT = new RegExp(
  String.raw`(?<!${WORD})([a-z0-9])[)\]*_]* is (?:the )?(?:correct|right|best)\b`,
  "giu",
);
// "(c)", "[c]", "**c**", and a line starting with "c)", "c." or "c:" — any case.
const FORMATTED = new RegExp(
  String.raw`\(([a-z0-9])\)|\[([a-z0-9])\]|\*\*([a-z0-9])\*\*|` +
    String.raw`(?<=^|\n)[ \t>*-]*([a-z0-9])[).:](?=\s|$)`,
  "giu",
);
// A standalone capital letter that is not part of an abbreviation such as "U.S.".
const BARE = new RegExp(
  String.raw`(?<![\p{L}\p{N}_'’]|\p{L}\.)([A-Z])(?![\p{L}\p{N}_'’]|\.\p{L})`,
  "gu",
);
const WHOLE = /^[\s*_"'`()[\]{}.:$]*([a-z0-9])[\s*_"'`()[\]{}.:$]*$/iu;
const ENGLISH_WORD_FOLLOWS = /^\s+\p{L}/u;
const LOWERCASE_WORD_FOLLOWS = /^\s+\p{Ll}/u;
// After a capital "A", these words show that "A" is a choice, not the article.
const CHOICE_A_FOLLOWS =
  /^\s+(?:or|and|nor|vs\.?|versus|is|was|seems|looks|appears|would|could|might|must|should|because|since|but)\b/u;

function parseChoices(config: JsonObject): string[] {
  const read = readConfig(config, ID);
  read.only(["choices"]);
  const raw = read.raw("choices");
  if (raw === undefined) return DEFAULT_CHOICES;
  const valid = Array.isArray(raw) && raw.length > 0 &&
    raw.every((c) => typeof c === "string" && /^[A-Za-z0-9]$/.test(c));
  if (!valid) {
    read.fail("choices", 'must be a non-empty array of single letters or digits, e.g. ["A", "B"]');
  }
  const choices = (raw as string[]).map((c) => c.toUpperCase());
  if (new Set(choices).size !== choices.length) {
    read.fail("choices", `must not repeat a choice (case-insensitive): ${choices.join(", ")}`);
  }
  return choices;
}

/** A lowercase "a"/"i" followed by another word is the English word, not a choice. */
function isEnglishWord(letter: string, after: string): boolean {
  return (letter === "a" || letter === "i") && ENGLISH_WORD_FOLLOWS.test(after);
}

/** A capital "A"/"I" before a lowercase word is the article or pronoun ("A dog", "I think"). */
function isArticleOrPronoun(letter: string, after: string): boolean {
  if (letter === "I") return LOWERCASE_WORD_FOLLOWS.test(after);
  return letter === "A" && LOWERCASE_WORD_FOLLOWS.test(after) && !CHOICE_A_FOLLOWS.test(after);
}

function explicitAnswer(text: string, choices: string[]): string | undefined {
  const found: Array<{ index: number; letter: string }> = [];
  for (const m of text.matchAll(MARKER)) {
    const end = m.index + m[0].length;
    if (isEnglishWord(m[1], text.slice(end, end + 40))) continue;
    found.push({ index: m.index, letter: m[1].toUpperCase() });
  }
  for (const m of text.matchAll(IS_CORRECT)) {
    found.push({ index: m.index, letter: m[1].toUpperCase() });
  }
  const valid = found.filter((f) => choices.includes(f.letter)).sort((a, b) => a.index - b.index);
  return valid[valid.length - 1]?.letter;
}

function mentions(text: string, choices: string[]): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(FORMATTED)) {
    seen.add((m[1] ?? m[2] ?? m[3] ?? m[4]).toUpperCase());
  }
  for (const m of text.matchAll(BARE)) {
    if (isArticleOrPronoun(m[1], text.slice(m.index + 1, m.index + 40))) continue;
    seen.add(m[1]);
  }
  return choices.filter((c) => seen.has(c));
}

/**
 * `choice_letter`: the multiple-choice letter the text picks, uppercased. Config: `choices`
 * (single letters or digits, default `["A", "B", "C", "D"]`). The text is NFKC-normalised first
 * (full-width `Ｂ` is `B`). Rules, in order:
 *
 * 1. the whole text is one choice, up to formatting (`b`, `**C**`, `(D).`) → that choice;
 * 2. explicit answers — `answer/choice/option` + `is`/`:`/`=`/`-` + the letter (`The answer is
 *    c`, `Answer: (B)`, `correct option is **D**`), or `X is correct` — in any case; the
 *    **last** one that names a valid choice wins (one naming a letter outside `choices` is
 *    ignored). A lowercase `a`/`i` followed by another word is English (`the answer is a dog`);
 * 3. otherwise mentions: `(c)`, `[c]`, `**c**`, a line starting `c)`/`c.`/`c:` (any case), or
 *    a standalone capital (`I pick B`) — but not `I` before a lowercase word (`I think`), nor
 *    `A` before a lowercase word other than a connective such as `or`/`and`/`is` (`A dog`
 *    is the article, `A or C` names A), nor letters of abbreviations (`U.S.`). Exactly one
 *    distinct choice → it; none, or several with no explicit answer → failure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { choiceLetter } from "./choice_letter.ts";
 * const result = choiceLetter.extract("A and C look close, but the answer is c.", {});
 * assert.ok(result.ok && result.answer === "C");
 * ```
 */
export const choiceLetter: Extractor = {
  id: ID,
  doc: {
    summary:
      "The multiple-choice letter the text picks (explicit answers first, the last one wins; then unambiguous mentions), uppercased.",
    config: {
      choices: 'the valid choices, single letters or digits (default `["A", "B", "C", "D"]`)',
    },
    example:
      'extractors = [{ id = "choice_letter", config = { choices = ["A", "B", "C", "D", "E"] } }]',
  },
  pluginApi: PLUGIN_API_VERSION,
  validateConfig(config) {
    parseChoices(config);
  },
  extract(rawText, config) {
    const choices = parseChoices(config);
    const text = rawText.normalize("NFKC");
    const whole = WHOLE.exec(text)?.[1].toUpperCase();
    if (whole !== undefined && choices.includes(whole)) return { ok: true, answer: whole };
    const explicit = explicitAnswer(text.replace(/\s+/gu, " "), choices);
    if (explicit !== undefined) return { ok: true, answer: explicit };
    const named = mentions(text, choices);
    if (named.length === 1) return { ok: true, answer: named[0] };
    if (named.length === 0) {
      return { ok: false, error: `no choice letter (${choices.join(", ")}) found in the text` };
    }
    return {
      ok: false,
      error: `the text names several choices (${named.join(", ")}) and gives no explicit ` +
        `answer such as "Answer: ${named[0]}"`,
    };
  },
};
