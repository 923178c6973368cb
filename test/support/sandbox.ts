/** Helpers for tests that run programs in the real code sandbox. */
import assert from "node:assert/strict";
import { runSandboxed } from "../../src/sandbox/run_sandboxed.ts";
import type {
  FailureKind,
  SandboxLanguage,
  SandboxLimits,
  SandboxOutcome,
} from "../../src/sandbox/sandbox_types.ts";

/** Generous for healthy work on a loaded machine; the timeout cases shorten it on purpose. */
export const LIMITS: SandboxLimits = {
  timeoutMs: 60_000,
  memoryMb: 256,
  maxOutputBytes: 64 * 1024,
};
export const SHORT = { ...LIMITS, timeoutMs: 1_000 };

export function run(
  language: SandboxLanguage,
  code: string,
  limits: SandboxLimits = LIMITS,
  tests: string[] = [language === "python" ? "assert True" : "assert.ok(true);"],
): Promise<SandboxOutcome> {
  return runSandboxed({ language, code, tests }, limits);
}

export async function expectKind(
  kind: FailureKind,
  language: SandboxLanguage,
  code: string,
  limits: SandboxLimits = LIMITS,
): Promise<SandboxOutcome> {
  const outcome = await run(language, code, limits);
  assert.equal(outcome.kind, kind, `${language}: ${code}\n→ ${JSON.stringify(outcome, null, 1)}`);
  assert.equal(outcome.passed, 0);
  assert.ok(outcome.message !== null && outcome.message.length > 0);
  return outcome;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
