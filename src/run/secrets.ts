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

/** A secret reader that remembers every value it handed out. */
export interface RecordingSecrets {
  read: (name: string) => string | undefined;
  /** The values read so far (only those long enough to be keys, 4 characters or more). */
  values: Set<string>;
}

/**
 * Wrap a secret reader so the values plugins read for a task are known afterwards: the task's
 * result is redacted of exactly those before it leaves the worker.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingSecrets } from "./secrets.ts";
 * const secrets = recordingSecrets((name) => (name === "KEY" ? "sk-live-123" : undefined));
 * secrets.read("KEY");
 * assert.deepEqual([...secrets.values], ["sk-live-123"]);
 * ```
 */
export function recordingSecrets(
  secret: (name: string) => string | undefined,
): RecordingSecrets {
  const values = new Set<string>();
  return {
    values,
    read(name) {
      const value = secret(name);
      if (value !== undefined && value.length >= 4) values.add(value);
      return value;
    },
  };
}

/** What a redacted secret reads as. */
export const REDACTED = "[redacted]";

/**
 * A copy of a JSON-like value with every occurrence of the given secrets, in any string or
 * key, replaced by `[redacted]`. Only the exact values: a completion that talks about
 * "Bearer tokens" stays as it was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactValues } from "./secrets.ts";
 * const out = redactValues({ text: "your key is sk-live-123", n: 1 }, new Set(["sk-live-123"]));
 * assert.deepEqual(out, { text: "your key is [redacted]", n: 1 });
 * ```
 */
export function redactValues<T>(value: T, secrets: ReadonlySet<string>): T {
  const scrub = (text: string) => {
    let out = text;
    for (const secret of secrets) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return scrub(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [scrub(k), walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}
