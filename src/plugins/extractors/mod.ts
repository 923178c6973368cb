/**
 * The built-in extractors, each exported by name, and {@linkcode builtinExtractors}.
 *
 * @module
 */
import type { Extractor } from "../types.ts";
import { boxedText } from "./boxed_text.ts";
import { choiceLetter } from "./choice_letter.ts";
import { codeBlock } from "./code_block.ts";
import { firstNumber } from "./first_number.ts";
import { json } from "./json.ts";
import { jsonField } from "./json_field.ts";
import { lastNumber } from "./last_number.ts";
import { normalizedText } from "./normalized_text.ts";
import { regex } from "./regex.ts";

export { boxedText, choiceLetter, firstNumber, json, jsonField, lastNumber, normalizedText, regex };
export {
  canonicalLanguage,
  type CodeBlock,
  codeBlock,
  type CodePick,
  findCodeBlocks,
  selectCode,
  type SelectCodeOptions,
  type SelectedCode,
} from "./code_block.ts";
export { findJson, type FoundJson } from "./find_json.ts";
export { findNumbers, type NumberMatch, parseNumber } from "./find_numbers.ts";
export { checkJsonSchema, compileJsonSchema, type SchemaCheck } from "./check_json_schema.ts";
export { parseFieldPath, type PathSegment, readFieldPath } from "./json_field.ts";
export { normalizeText, type NormalizeTextOptions } from "./normalized_text.ts";

/**
 * Every built-in extractor, registered by `createRegistry()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { builtinExtractors } from "./mod.ts";
 * assert.ok(builtinExtractors.some((e) => e.id === "first_number"));
 * ```
 */
export const builtinExtractors: Extractor[] = [
  regex,
  firstNumber,
  lastNumber,
  choiceLetter,
  boxedText,
  normalizedText,
  json,
  jsonField,
  codeBlock,
];
