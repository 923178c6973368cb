import { type Extractor, PLUGIN_API_VERSION } from "../types.ts";
import { findNumbers } from "./find_numbers.ts";
import { readConfig } from "./read_config.ts";

/**
 * `last_number`: the last number in the text as a JS number, with the grammar of
 * `first_number` (signs, decimals, `1,234`, `6.02e23`; `is 42.` → 42). No config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastNumber } from "./last_number.ts";
 * const result = lastNumber.extract("3 + 4 = 7. So the answer is 7.", {});
 * assert.ok(result.ok && result.answer === 7);
 * ```
 */
export const lastNumber: Extractor = {
  id: "last_number",
  doc: {
    summary: "The last number in the text, with the grammar of `first_number`.",
    example: 'extractors = [{ id = "last_number" }]',
  },
  pluginApi: PLUGIN_API_VERSION,
  validateConfig(config) {
    readConfig(config, "last_number").only([]);
  },
  extract(text, config) {
    readConfig(config, "last_number").only([]);
    const found = findNumbers(text);
    const match = found[found.length - 1];
    if (match === undefined) return { ok: false, error: "no number found in the text" };
    return { ok: true, answer: match.value };
  },
};
