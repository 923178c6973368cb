import { pythonSplit } from "./python_text.ts";

// mteval-v13a.pl punctuation and symbols: { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /
const SYMBOLS = /([\x7b-\x7e\x5b-\x60\x20-\x26\x28-\x2b\x3a-\x40\x2f])/g;
const PERIOD_COMMA_AFTER_NON_DIGIT = /([^0-9])([.,])/g;
const PERIOD_COMMA_BEFORE_NON_DIGIT = /([.,])([^0-9])/g;
const DASH_AFTER_DIGIT = /([0-9])(-)/g;

/**
 * sacrebleu's `13a` tokenizer (the mteval-v13a.pl rules, sacrebleu 2.x `Tokenizer13a`): drop
 * `<skipped>`, join lines, unescape `&quot; &amp; &lt; &gt;`, split off punctuation and
 * symbols, split `.`/`,` unless between digits and `-` after a digit, then split on Python's
 * whitespace (`str.split()`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenize13a } from "./tokenize_13a.ts";
 * assert.equal(tokenize13a("It costs $3.50, isn't it?").join(" "), "It costs $ 3.50 , isn't it ?");
 * ```
 */
export function tokenize13a(line: string): string[] {
  let text = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  if (text.includes("&")) {
    text = text.replaceAll("&quot;", '"').replaceAll("&amp;", "&")
      .replaceAll("&lt;", "<").replaceAll("&gt;", ">");
  }
  text = ` ${text} `
    .replace(SYMBOLS, " $1 ")
    .replace(PERIOD_COMMA_AFTER_NON_DIGIT, "$1 $2 ")
    .replace(PERIOD_COMMA_BEFORE_NON_DIGIT, " $1 $2")
    .replace(DASH_AFTER_DIGIT, "$1 $2 ");
  return pythonSplit(text);
}
