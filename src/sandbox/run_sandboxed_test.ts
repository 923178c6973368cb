import assert from "node:assert/strict";
import { isThemisError } from "../core/errors.ts";
import { runSandboxed } from "./run_sandboxed.ts";

Deno.test("runSandboxed() throws SANDBOX_FAILED when the sandbox cannot start, instead of scoring", async () => {
  // Booting Pyodide cannot fit in 1 ms: the sandbox gives up before any code runs.
  await assert.rejects(
    runSandboxed(
      { language: "python", code: "x = 1", tests: ["assert x == 1"] },
      { timeoutMs: 60_000, memoryMb: 256, maxOutputBytes: 65_536, startupTimeoutMs: 1 },
    ),
    (error) =>
      isThemisError(error) && error.code === "SANDBOX_FAILED" &&
      /did not start: the sandbox did not start within 0.001s/.test(error.message),
  );
});

Deno.test("runSandboxed() reports each test as it ran, and the code time without start-up", async () => {
  const outcome = await runSandboxed(
    {
      language: "javascript",
      code: "export const wait = (ms) => new Promise((r) => setTimeout(r, ms));",
      tests: ["await wait(300);", "assert.fail('no');", "await wait(300);"],
    },
    { timeoutMs: 60_000, memoryMb: 256, maxOutputBytes: 65_536 },
  );
  assert.deepEqual(outcome.tests, [
    { ok: true },
    { ok: false, kind: "assertion", message: "AssertionError: no" },
    { ok: true },
  ]);
  assert.equal(outcome.kind, "tests_failed");
  assert.equal(outcome.passed, 2);
  assert.ok(outcome.durationMs >= 600, `${outcome.durationMs} ms covers both waits`);
});

Deno.test("runSandboxed() keeps the tests that passed before the time ran out", async () => {
  const outcome = await runSandboxed(
    {
      language: "python",
      code: "def f():\n    return 1",
      tests: ["assert f() == 1", "while True: pass"],
    },
    { timeoutMs: 1_000, memoryMb: 256, maxOutputBytes: 65_536 },
  );
  assert.equal(outcome.kind, "timeout");
  assert.deepEqual(outcome.tests, [{ ok: true }]);
  assert.equal(outcome.passed, 1);
});
