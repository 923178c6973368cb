import { ThemisError } from "../core/errors.ts";

/** Matches listed in an ambiguous-prefix error before "and N more". */
const LISTED = 10;

/**
 * The run a command-line argument names: a whole run id of the store, or a prefix of exactly
 * one. An unknown id is `RUN_NOT_FOUND`; a prefix of several runs is `RUN_AMBIGUOUS`, listing
 * them (`details.matches`) so the user can pick one. Every command that takes a run id uses
 * this, so a prefix that works for one works for all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveRunId } from "./resolve_run_id.ts";
 * const ids = ["6c0b28e433f8", "6c0b91d2aa07", "91d2aa07c3e4"];
 * assert.equal(resolveRunId(ids, "91d", "themis-store"), "91d2aa07c3e4");
 * assert.throws(() => resolveRunId(ids, "6c0b", "themis-store"), {
 *   code: "RUN_AMBIGUOUS",
 *   message: '"6c0b" matches 2 runs: 6c0b28e433f8, 6c0b91d2aa07; give more of the id',
 * });
 * assert.throws(() => resolveRunId(ids, "ff", "themis-store"), { code: "RUN_NOT_FOUND" });
 * ```
 */
export function resolveRunId(ids: ReadonlyArray<string>, wanted: string, root: string): string {
  if (ids.includes(wanted)) return wanted;
  const matches = wanted === "" ? [] : ids.filter((id) => id.startsWith(wanted));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    throw new ThemisError(
      "RUN_NOT_FOUND",
      `No run "${wanted}" in the store at ${root}; list runs with "themis runs"`,
      { runId: wanted, root },
    );
  }
  const listed = matches.slice(0, LISTED).join(", ") +
    (matches.length > LISTED ? ` and ${matches.length - LISTED} more` : "");
  throw new ThemisError(
    "RUN_AMBIGUOUS",
    `"${wanted}" matches ${matches.length} runs: ${listed}; give more of the id`,
    { runId: wanted, root, matches },
  );
}
