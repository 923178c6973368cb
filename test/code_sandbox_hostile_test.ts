/**
 * Hostile programs against the real sandbox, trying to get out: processes, files, network,
 * environment, FFI. Each runs in its own Deno process and must fail cleanly as `permission`,
 * leaving no trace on this machine. Real files, a real local TCP server, real environment
 * variables; nothing is mocked. (Limits, exits and failure kinds: code_sandbox_limits_test.ts.)
 */
import assert from "node:assert/strict";
import { exists, expectKind, run } from "./support/sandbox.ts";

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
