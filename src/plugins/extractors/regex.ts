import type { Json, JsonObject } from "../../core/json.ts";
import { type Extractor, PLUGIN_API_VERSION } from "../types.ts";
import { readConfig } from "./read_config.ts";

const ID = "regex";

interface RegexOptions {
  pattern: string;
  flags: string;
  group: number | string;
  all: boolean;
}

function show(pattern: string, flags: string): string {
  const body = pattern.length > 80 ? pattern.slice(0, 80) + "…" : pattern;
  return `/${body}/${flags}`;
}

function parseOptions(config: JsonObject): RegexOptions {
  const read = readConfig(config, ID);
  read.only(["pattern", "group", "flags", "all"]);
  const pattern = read.requiredString("pattern");
  const flags = read.string("flags") ?? "";
  try {
    new RegExp("", flags);
  } catch {
    read.fail(
      "flags",
      `must be JavaScript regular expression flags (e.g. "i", "ms"), got "${flags}"`,
    );
  }
  let probe: RegExpExecArray;
  try {
    // Matching "" against `(?:pattern)|` always succeeds and reveals the capture groups.
    new RegExp(pattern, flags);
    probe = new RegExp(`(?:${pattern})|`, flags.replace(/[gy]/g, "")).exec("")!;
  } catch (error) {
    return read.fail("pattern", `is not a valid JavaScript regular expression: ${error}`);
  }
  const groupCount = probe.length - 1;
  const names = Object.keys(probe.groups ?? {});
  const group = read.raw("group") ?? (groupCount > 0 ? 1 : 0);
  if (typeof group === "number") {
    if (!Number.isInteger(group) || group < 0 || group > groupCount) {
      read.fail("group", `must be a group number from 0 to ${groupCount}, got ${group}`);
    }
  } else if (typeof group === "string") {
    if (!names.includes(group)) {
      read.fail(
        "group",
        `names no group of the pattern (named groups: ${names.join(", ") || "none"})`,
      );
    }
  } else read.fail("group", "must be a group number or a group name");
  return { pattern, flags, group: group as number | string, all: read.boolean("all", false) };
}

function groupOf(match: RegExpExecArray, group: number | string): string | undefined {
  return typeof group === "number" ? match[group] : match.groups?.[group];
}

/**
 * `regex`: the first match of `pattern` (JavaScript syntax) in the text, or every match with
 * `all = true` (an array). Config: `pattern` (required), `flags` (default ""), `group` (a
 * number or a name; default 1 when the pattern has a capture group, else 0 = whole match).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { regex } from "./regex.ts";
 * const result = regex.extract("Final: 42 apples", { pattern: "Final: (\\d+)" });
 * assert.ok(result.ok && result.answer === "42");
 * ```
 */
export const regex: Extractor = {
  id: ID,
  doc: {
    summary:
      "The first match of `pattern` (JavaScript syntax) in the text, or every match with `all = true` (an array).",
    config: {
      pattern: "the regular expression (required)",
      flags: 'regex flags (default `""`)',
      group:
        "a group number or name (default 1 when the pattern has a group, else 0 = the whole match)",
      all: "every match as an array (default `false`)",
    },
    example: 'extractors = [{ id = "regex", config = { pattern = "Final: (\\\\d+)" } }]',
  },
  pluginApi: PLUGIN_API_VERSION,
  validateConfig(config) {
    parseOptions(config);
  },
  extract(text, config) {
    const { pattern, flags, group, all } = parseOptions(config);
    const label = `group ${typeof group === "number" ? group : `"${group}"`}`;
    if (all) {
      const global = new RegExp(pattern, flags.includes("g") ? flags : flags + "g");
      const answers: Json[] = [];
      for (const match of text.matchAll(global)) {
        const value = groupOf(match, group);
        if (value !== undefined) answers.push(value);
      }
      if (answers.length === 0) return { ok: false, error: `no match for ${show(pattern, flags)}` };
      return { ok: true, answer: answers };
    }
    const match = new RegExp(pattern, flags.replace("g", "")).exec(text);
    if (match === null) return { ok: false, error: `no match for ${show(pattern, flags)}` };
    const value = groupOf(match, group);
    if (value === undefined) {
      return {
        ok: false,
        error: `${show(pattern, flags)} matched but ${label} took no part in the match`,
      };
    }
    return { ok: true, answer: value };
  },
};
