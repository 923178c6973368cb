import { type Extractor, PLUGIN_API_VERSION } from "../types.ts";
import { findNumbers } from "./find_numbers.ts";
import { readConfig } from "./read_config.ts";

/**
 * `first_number`: the first number in the text as a JS number. Reads integers, decimals,
 * signs (a dash between two terms, as in `3-5`, is not a sign), thousands separators (`1,234`),
 * scientific notation (`1.5e-3`) and ignores a sentence's final full stop (`is 42.` → 42).
 * Integers above 2^53 lose precision. No config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstNumber } from "./first_number.ts";
 * const result = firstNumber.extract("The answer is -1,234.5, not 7.", {});
 * assert.ok(result.ok && result.answer === -1234.5);
 * ```
 */
export const firstNumber: Extractor = {
  id: "first_number",
  doc: {
    summary:
      "The first number in the text as a JSON number: signs, decimals, thousands separators (`1,234`), scientific notation; a sentence's final full stop is not a decimal point.",
    example: 'extractors = [{ id = "first_number" }]',
  },
  pluginApi: PLUGIN_API_VERSION,
  validateConfig(config) {
    readConfig(config, "first_number").only([]);
  },
  extract(text, config) {
    readConfig(config, "first_number").only([]);
    const match = findNumbers(text, { limit: 1 })[0];
    if (match === undefined) return { ok: false, error: "no number found in the text" };
    return { ok: true, answer: match.value };
  },
};
