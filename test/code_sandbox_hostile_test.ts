/**
 * Hostile programs against the real sandbox: each runs in its own Deno process and must fail
 * cleanly with its own failure kind, leaving no trace on this machine. Real files, a real
 * local TCP server, real environment variables; nothing is mocked.
 */
import assert from "node:assert/strict";
import { runSandboxed } from "../src/sandbox/run_sandboxed.ts";
import type {
  FailureKind,
  SandboxLanguage,
  SandboxLimits,
  SandboxOutcome,
} from "../src/sandbox/sandbox_types.ts";

/** Generous for healthy work on a loaded machine; the timeout cases shorten it on purpose. */
const LIMITS: SandboxLimits = { timeoutMs: 60_000, memoryMb: 256, maxOutputBytes: 64 * 1024 };
const SHORT = { ...LIMITS, timeoutMs: 1_000 };

function run(
  language: SandboxLanguage,
  code: string,
  limits: SandboxLimits = LIMITS,
  tests: string[] = [language === "python" ? "assert True" : "assert.ok(true);"],
): Promise<SandboxOutcome> {
  return runSandboxed({ language, code, tests }, limits);
}

async function expectKind(
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

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

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

Deno.test("spawning processes is refused and nothing runs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-hostile-" });
  const marker = `${dir}/spawned`;
  try {
    const js = [
      `new Deno.Command("/bin/sh", { args: ["-c", "touch ${marker}"] }).outputSync();`,
      `new Deno.Command("sh", { args: ["-c", "touch ${marker}"] }).spawn();`,
      `import { execSync } from "node:child_process"; execSync("touch ${marker}");`,
      `import { spawn } from "node:child_process"; spawn("/bin/sh", ["-c", "touch ${marker}"]);`,
      `Deno.kill(${Deno.pid}, "SIGKILL");`,
    ];
    for (const code of js) await expectKind("permission", "javascript", code);
    const py = [
      "import os\nos.fork()",
      `import subprocess\nsubprocess.run(["/bin/sh", "-c", "touch ${marker}"])`,
      `import os\nos.system("touch ${marker}")`,
      `import js\njs.Deno.Command.new("/bin/sh", js.JSON.parse('{"args": ["-c", "touch ${marker}"]}')).outputSync()`,
    ];
    for (const code of py) await expectKind("permission", "python", code);
    assert.equal(await exists(marker), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reading files outside the sandbox is refused: /etc/passwd and a secret file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-hostile-" });
  const secret = `${dir}/secret.txt`;
  await Deno.writeTextFile(secret, "TOP-SECRET-42");
  try {
    for (const path of ["/etc/passwd", secret]) {
      const js = [
        `console.log(Deno.readTextFileSync(${JSON.stringify(path)}));`,
        `import { readFileSync } from "node:fs"; console.log(readFileSync(${
          JSON.stringify(path)
        }, "utf8"));`,
        `console.log(await (await fetch("file://${path}")).text());`,
        `await import("file://${path}");`,
      ];
      for (const code of js) {
        const outcome = await expectKind("permission", "javascript", code);
        assert.doesNotMatch(outcome.stdout + outcome.message, /root:|TOP-SECRET/);
      }
      const bridged = await expectKind(
        "permission",
        "python",
        `import js\nprint(js.Deno.readTextFileSync(${JSON.stringify(path)}))`,
      );
      assert.doesNotMatch(bridged.stdout, /root:|TOP-SECRET/);
      // Python's own file system is Pyodide's, in memory: the host's files are not in it.
      const own = await expectKind(
        "runtime_error",
        "python",
        `print(open(${JSON.stringify(path)}).read())`,
      );
      assert.match(own.message!, /FileNotFoundError/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writing files is refused, and nothing appears on disk", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-hostile-" });
  const target = `${dir}/written`;
  try {
    const js = [
      `Deno.writeTextFileSync(${JSON.stringify(target)}, "x");`,
      `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(target)}, "x");`,
      `Deno.mkdirSync(${JSON.stringify(target)});`,
      `Deno.removeSync(${JSON.stringify(dir)}, { recursive: true });`,
    ];
    for (const code of js) await expectKind("permission", "javascript", code);
    const py = [
      `open("/tmp/anything", "w").write("x")`,
      `import os\nos.mkdir("/home/pyodide/new")`,
      `import js\njs.Deno.writeTextFileSync(${JSON.stringify(target)}, "x")`,
    ];
    for (const code of py) await expectKind("permission", "python", code);
    // Python's file system is Pyodide's, in memory: the host's folders are not in it.
    const own = await expectKind("runtime_error", "python", `open(${JSON.stringify(target)}, "w")`);
    assert.match(own.message!, /FileNotFoundError/);
    assert.equal(await exists(target), false);
    assert.equal(await exists(dir), true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A TCP server on 127.0.0.1 that counts every connection it is offered. */
function countingServer(): { port: number; connections: () => number; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let count = 0;
  (async () => {
    for await (const conn of listener) {
      count++;
      conn.close();
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    connections: () => count,
    close: () => listener.close(),
  };
}

Deno.test("the network is refused: a real local server receives nothing", async () => {
  const server = countingServer();
  const url = `http://127.0.0.1:${server.port}/`;
  try {
    // The server works: this test process can reach it.
    (await Deno.connect({ hostname: "127.0.0.1", port: server.port })).close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.connections(), 1);
    const js = [
      `await fetch(${JSON.stringify(url)});`,
      `await Deno.connect({ hostname: "127.0.0.1", port: ${server.port} });`,
      `await import(${JSON.stringify(url + "module.js")});`,
      `const ws = new WebSocket("ws://127.0.0.1:${server.port}/"); await new Promise((r) => ws.onerror = r);`,
      `import net from "node:net"; await new Promise((ok, fail) => net.connect(${server.port}, "127.0.0.1", ok).on("error", fail));`,
    ];
    for (const code of js) await expectKind("permission", "javascript", code);
    const py = [
      `import urllib.request\nurllib.request.urlopen(${JSON.stringify(url)})`,
      `import socket\nsocket.create_connection(("127.0.0.1", ${server.port}))`,
      `from pyodide.code import run_js\nrun_js('Deno.connect({ hostname: "127.0.0.1", port: ${server.port} })')\nimport js\njs.Deno.listen(js.JSON.parse('{"port": 0}'))`,
    ];
    for (const code of py) await expectKind("permission", "python", code);
    // A promise the program never awaits still may not reach the network.
    const floating = await run("python", `import js\njs.fetch(${JSON.stringify(url)})`);
    assert.notEqual(floating.kind, "crash");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(server.connections(), 1, "only the test's own connection");
  } finally {
    server.close();
  }
});

Deno.test("the environment is not there: no variable of this process reaches the program", async () => {
  Deno.env.set("THEMIS_HOSTILE_SECRET", "sk-not-for-the-sandbox");
  try {
    const js = [
      `console.log(Deno.env.get("THEMIS_HOSTILE_SECRET"));`,
      `console.log(JSON.stringify(Deno.env.toObject()));`,
      `console.log(process.env.THEMIS_HOSTILE_SECRET);`,
      `console.log(Deno.readTextFileSync("/proc/self/environ"));`,
      `console.log(Deno.hostname());`,
    ];
    for (const code of js) {
      const outcome = await expectKind("permission", "javascript", code);
      assert.doesNotMatch(outcome.stdout, /sk-not-for-the-sandbox/);
    }
    await expectKind("permission", "python", `import js\nprint(js.Deno.env.toObject())`);
    // Python's os.environ is Pyodide's made-up one.
    const own = await run("python", "import os\nprint(dict(os.environ))");
    assert.equal(own.kind, null);
    assert.doesNotMatch(own.stdout, /sk-not-for-the-sandbox|THEMIS_HOSTILE_SECRET/);
  } finally {
    Deno.env.delete("THEMIS_HOSTILE_SECRET");
  }
});

Deno.test("FFI and native addons are refused", async () => {
  await expectKind(
    "permission",
    "javascript",
    `Deno.dlopen("libc.so.6", { getpid: { parameters: [], result: "i32" } });`,
  );
  await expectKind(
    "permission",
    "javascript",
    `process.dlopen({ exports: {} }, "/lib/x86_64-linux-gnu/libc.so.6");`,
  );
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
