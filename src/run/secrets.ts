import process from "node:process";

/**
 * A secret by variable name, read at call time: the run's `runtime` values first, then the
 * process environment. The one place below the CLI that reads the environment, because keys
 * must be read where the call is made (a worker, or the main thread for inline runs) and
 * never travel through specs, events or task data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { secretReader } from "./secrets.ts";
 * const secret = secretReader({ MY_KEY: "sk-test" });
 * assert.equal(secret("MY_KEY"), "sk-test");
 * ```
 */
export function secretReader(
  runtime: Record<string, string> = {},
): (name: string) => string | undefined {
  return (name) => runtime[name] ?? process.env[name];
}
