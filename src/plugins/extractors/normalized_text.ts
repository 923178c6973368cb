import type { JsonObject } from "../../core/json.ts";
import { type Extractor, PLUGIN_API_VERSION } from "../types.ts";
import { readConfig } from "./read_config.ts";

const ID = "normalized_text";
// Punctuation (Unicode P), plus the backtick and the quote-like symbols markdown uses.
const PUNCT = String.raw`[\p{P}\x60´^~|]`;
const EDGE_CHAR = new RegExp(String.raw`^(?:${PUNCT}|\s)$`, "u");
// Inner punctuation goes, except between two letters/digits: "3.14", "don't", "e-mail" stay.
const INNER = new RegExp(String.raw`${PUNCT}(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])${PUNCT}`, "gu");
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/** Options of {@linkcode normalizeText}. */
export interface NormalizeTextOptions {
  /** Remove the English articles a, an, the (default false). */
  stripArticles?: boolean;
  /** Remove punctuation inside the text too, except between letters/digits (default true). */
  stripPunctuation?: boolean;
}

/**
 * Unicode NFKC, lowercase, punctuation and quotes stripped from both ends (and, by default,
 * from inside unless between two letters/digits), optional articles removed, whitespace
 * collapsed to one space and trimmed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeText } from "./normalized_text.ts";
 * assert.ok(normalizeText('  "The  Eiffel Tower!" ', { stripArticles: true }) === "eiffel tower");
 * assert.ok(normalizeText("Pi is 3.14.") === "pi is 3.14");
 * ```
 */
export function normalizeText(text: string, options: NormalizeTextOptions = {}): string {
  const { stripArticles = false, stripPunctuation = true } = options;
  let out = text.normalize("NFKC").toLowerCase();
  if (stripPunctuation) out = out.replace(INNER, " ");
  if (stripArticles) out = out.replace(ARTICLES, " ");
  return trimEdges(out.replace(/\s+/gu, " "));
}

/** Strips punctuation and spaces from both ends with two scans (a regex anchored at `$` is
 * quadratic on long inner runs). */
function trimEdges(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && EDGE_CHAR.test(text[start])) start++;
  while (end > start && EDGE_CHAR.test(text[end - 1])) end--;
  return text.slice(start, end);
}

function parseOptions(config: JsonObject): NormalizeTextOptions {
  const read = readConfig(config, ID);
  read.only(["strip_articles", "strip_punctuation"]);
  return {
    stripArticles: read.boolean("strip_articles", false),
    stripPunctuation: read.boolean("strip_punctuation", true),
  };
}

/**
 * `normalized_text`: the text through {@linkcode normalizeText}. Config: `strip_articles`
 * (default false), `strip_punctuation` (default true). Fails when nothing is left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizedText } from "./normalized_text.ts";
 * const result = normalizedText.extract("**Paris.**", {});
 * assert.ok(result.ok && result.answer === "paris");
 * ```
 */
export const normalizedText: Extractor = {
  id: ID,
  doc: {
    summary:
      "The text NFKC-normalised, lowercased, punctuation stripped at the ends (and inside unless between letters/digits), whitespace collapsed; fails when nothing is left.",
    config: {
      strip_articles: "remove a/an/the (default `false`)",
      strip_punctuation: "strip punctuation (default `true`)",
    },
    example: 'extractors = [{ id = "normalized_text", config = { strip_articles = true } }]',
  },
  pluginApi: PLUGIN_API_VERSION,
  validateConfig(config) {
    parseOptions(config);
  },
  extract(text, config) {
    const answer = normalizeText(text, parseOptions(config));
    if (answer === "") {
      return { ok: false, error: "nothing is left of the text after normalisation" };
    }
    return { ok: true, answer };
  },
};
