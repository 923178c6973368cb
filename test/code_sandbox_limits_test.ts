/**
 * Programs against the real sandbox's limits and exits: endless loops, memory bombs, floods of
 * output, exits, forged results, stdin, an orphaned sandbox — and the failure kinds of ordinary
 * broken code. Each runs in its own Deno process. (Escape attempts: code_sandbox_hostile_test.ts.)
 */
import assert from "node:assert/strict";
import { expectKind, LIMITS, run, SHORT } from "./support/sandbox.ts";
import type { SandboxLanguage } from "../src/sandbox/sandbox_types.ts";

Deno.test("a healthy program passes in both languages, with its output kept", async () => {
  const js = await run(
    "typescript",
    "export const add = (a: number, b: number): number => a + b;\nconsole.log('js out');",
    LIMITS,
    ["assert.equal(add(2, 3), 5);", "assert.equal(add(-1, 1), 0);"],
  );
  assert.deepEqual({ ...js, durationMs: 0 }, {
    kind: null,
    passed: 2,
    total: 2,
    message: null,
    tests: [{ ok: true }, { ok: true }],
    stdout: "js out\n",
    stderr: "",
    durationMs: 0,
  });
  const py = await run("python", "def add(a, b):\n    return a + b\nprint('py out')", LIMITS, [
    "assert add(2, 3) == 5",
    "assert add(2, 2) == 5",
  ]);
  assert.deepEqual({ ...py, durationMs: 0 }, {
    kind: "tests_failed",
    passed: 1,
    total: 2,
    message: "test 2: AssertionError: assert add(2, 2) == 5",
    tests: [{ ok: true }, {
      ok: false,
      kind: "assertion",
      message: "AssertionError: assert add(2, 2) == 5",
    }],
    stdout: "py out\n",
    stderr: "",
    durationMs: 0,
  });
});

Deno.test("an infinite loop is stopped at the timeout, even one that catches everything", async () => {
  const cases: Array<[SandboxLanguage, string]> = [
    ["javascript", "for (;;) {}"],
    [
      "javascript",
      "for (;;) { try { for (;;) {} } catch { /* the timeout? */ } finally { continue; } }",
    ],
    ["python", "while True:\n    pass"],
    [
      "python",
      "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass",
    ],
  ];
  for (const [language, code] of cases) {
    const started = performance.now();
    const outcome = await expectKind("timeout", language, code, SHORT);
    assert.match(outcome.message!, /1s time limit/);
    assert.ok(outcome.durationMs >= 1_000);
    assert.ok(performance.now() - started < 30_000, "killed, not left running");
  }
});

Deno.test("a memory bomb hits the memory limit: V8 heap, array buffers, Python objects, workers", async () => {
  const limits = { ...LIMITS, memoryMb: 128 };
  await expectKind(
    "memory",
    "javascript",
    "const a = []; for (;;) a.push(new Array(1e5).fill(Math.random()));",
    limits,
  );
  await expectKind(
    "memory",
    "javascript",
    "const a = []; for (;;) a.push(new Uint8Array(5e7).fill(1));",
    limits,
  );
  await expectKind(
    "memory",
    "python",
    "x = []\nwhile True:\n    x.append(bytearray(10**7))",
    limits,
  );
  await expectKind("memory", "python", "s = 'x'\nwhile True:\n    s = s + s", limits);
  const workers = `
    const source = "const a = []; for (;;) a.push(new Array(1e5).fill(Math.random()));";
    for (let i = 0; i < 16; i++) new Worker("data:application/javascript," + encodeURIComponent(source), { type: "module" });
    await new Promise(() => {});`;
  await expectKind("memory", "javascript", workers, limits);
});

Deno.test("a program that ends its own run fails as exit, and the tests do not count", async () => {
  const cases: Array<[SandboxLanguage, string]> = [
    ["javascript", "Deno.exit(0);"],
    ["javascript", "process.exit(1);"],
    ["javascript", "self.close();"],
    ["typescript", "setTimeout(() => Deno.exit(0), 0); await new Promise(() => {});"],
    ["python", "import sys\nsys.exit(0)"],
    ["python", "raise SystemExit(3)"],
    ["python", "import os\nos._exit(0)"],
  ];
  for (const [language, code] of cases) await expectKind("exit", language, code);
  // Exiting from inside a test stops the run there.
  const inTest = await run("python", "def f():\n    return 1", LIMITS, [
    "assert f() == 1",
    "import sys; sys.exit(0)",
    "assert f() == 1",
  ]);
  assert.equal(inTest.kind, "exit");
  assert.equal(inTest.passed, 1);
});

Deno.test("huge output is cut at the cap and the sandbox stopped", async () => {
  const cases: Array<[SandboxLanguage, string]> = [
    ["javascript", `for (;;) console.log("x".repeat(1000));`],
    [
      "javascript",
      `const b = new Uint8Array(1 << 20).fill(65); for (;;) Deno.stdout.writeSync(b);`,
    ],
    ["javascript", `for (;;) console.error("e".repeat(1000));`],
    ["javascript", `console.log("y".repeat(10_000_000));`],
    ["python", `while True:\n    print("x" * 1000)`],
    ["python", `import sys\nsys.stderr.write("e" * 10_000_000)`],
  ];
  for (const [language, code] of cases) {
    const outcome = await expectKind("output_limit", language, code);
    assert.match(outcome.message!, /more than 65536 bytes/);
    assert.ok(outcome.stdout.length + outcome.stderr.length < 10_000, "only excerpts are kept");
  }
});

Deno.test("printing a fake result line does not pass the tests", async () => {
  const fake = JSON.stringify({ type: "done", kind: null, message: null, ms: 0 });
  const code = [
    `const fake = ${JSON.stringify(fake)};`,
    `for (const nonce of ["", "0", "x".repeat(32)]) console.log("\\n" + nonce + " " + fake);`,
    `export const answer = 41;`,
  ].join("\n");
  const outcome = await run("javascript", code, LIMITS, ["assert.equal(answer, 42);"]);
  assert.equal(outcome.kind, "tests_failed");
  assert.equal(outcome.passed, 0);
});

Deno.test("syntax errors, load-time errors and failing tests each have their kind", async () => {
  await expectKind("syntax", "python", "def f(:\n    pass");
  await expectKind("syntax", "typescript", "export function f(a: number { return a }");
  await expectKind("syntax", "javascript", "const = 1;");
  await expectKind("runtime_error", "python", "import numpy");
  await expectKind("runtime_error", "javascript", "throw new Error('boom');");
  await expectKind("runtime_error", "javascript", "JSON.parse('{');");
  await expectKind("runtime_error", "typescript", "throw new Error('Expected a positive number');");
  await expectKind("runtime_error", "javascript", "import _ from 'npm:lodash';");
  const shebang = await run(
    "javascript",
    "#!/usr/bin/env node\nexport const f = () => 1;",
    LIMITS,
    [
      "assert.equal(f(), 1);",
    ],
  );
  assert.equal(shebang.kind, null);
  await expectKind(
    "runtime_error",
    "javascript",
    "setTimeout(() => { throw new Error('later'); }, 0); await new Promise((r) => setTimeout(r, 1000));",
  );
  const failed = await run("javascript", "export const f = () => 1;", LIMITS, [
    "assert.equal(f(), 1);",
    "assert.equal(f(), 2);",
    "missing();",
  ]);
  assert.deepEqual(failed.tests.map((t) => [t.ok, t.kind]), [
    [true, undefined],
    [false, "assertion"],
    [false, "error"],
  ]);
  assert.equal(failed.kind, "tests_failed");
  assert.equal(failed.passed, 1);
  assert.deepEqual(await run("python", "   \n"), {
    kind: "no_code",
    passed: 0,
    total: 1,
    message: "there is no code to run",
    tests: [],
    stdout: "",
    stderr: "",
    durationMs: 0,
  });
});

Deno.test("stdin is empty: reading it ends at once instead of hanging", async () => {
  await expectKind("runtime_error", "python", "input()");
  const js = await run(
    "javascript",
    `import { readFileSync } from "node:fs";
export const all = readFileSync(0, "utf8");
export const read = Deno.stdin.readSync(new Uint8Array(16));`,
    LIMITS,
    ['assert.equal(all, "");', "assert.equal(read, null);"],
  );
  assert.equal(js.kind, null, JSON.stringify(js));
});

/** Pids of the live children of `pid` (Linux: from /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  const found: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      // Fields after the command (in parentheses): state, then ppid.
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) === pid && state !== "Z") found.push(Number(entry.name));
    } catch { /* gone meanwhile */ }
  }
  return found;
}

Deno.test({
  name: "a sandbox whose parent dies stops itself instead of running on",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const script = `
      import { runSandboxed } from ${
      JSON.stringify(new URL("../src/sandbox/run_sandboxed.ts", import.meta.url).href)
    };
      console.log("started");
      await runSandboxed({ language: "javascript", code: "for (;;) {}", tests: [] },
        { timeoutMs: 600_000, memoryMb: 128, maxOutputBytes: 1024 });`;
    const file = await Deno.makeTempFile({ prefix: "themis-orphan-", suffix: ".ts" });
    await Deno.writeTextFile(file, script);
    const parent = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", file],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    try {
      const reader = parent.stdout.getReader();
      await reader.read(); // "started"
      let sandboxes: number[] = [];
      for (let i = 0; i < 300 && sandboxes.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        sandboxes = await childrenOf(parent.pid);
      }
      assert.equal(sandboxes.length, 1, "the sandbox process is running");
      parent.kill("SIGKILL");
      await parent.status;
      reader.releaseLock();
      const alive = () => Deno.stat(`/proc/${sandboxes[0]}`).then(() => true, () => false);
      for (let i = 0; i < 100 && await alive(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(await alive(), false, "the orphaned sandbox exited by itself");
    } finally {
      await parent.stdout.cancel().catch(() => {});
      await Deno.remove(file);
    }
  },
});
