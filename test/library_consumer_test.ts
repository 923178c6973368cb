/**
 * Another Deno project depends on themis (docs/library.md): test/fixtures/consumer runs a
 * benchmark through `Orchestrator` with its own deno.json, as a separate process, once with an
 * import map entry pointing at this repository's mod.ts and once as a workspace whose member
 * themis answers `jsr:@themis/themis` (the specifier a project uses after publishing).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fromFileUrl } from "../src/cli/from_file_url.ts";

const REPO = fromFileUrl(new URL("../", import.meta.url));
const CONSUMER = join(REPO, "test", "fixtures", "consumer");

/** q1 is answered right, q2 wrong; a fresh store generates both. */
const EXPECTED = [{ model: "solver", mean: 0.5, n_trials: 2, n_scored: 2, generated: 2 }];

/** Run deno in `cwd`; it must succeed; each line of its output parsed as JSON. */
async function deno(args: string[], cwd: string): Promise<unknown[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout).trim();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `deno ${args.join(" ")} failed:\n${stdout}\n${stderr}`);
  return stdout.split("\n").map((line) => JSON.parse(line));
}

Deno.test("a project whose import map points at mod.ts runs a benchmark with its own deno.json", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-consumer-" });
  try {
    const config = join(CONSUMER, "deno.json");
    const script = join(CONSUMER, "main.ts");
    const lines = await deno(["run", "-A", "--config", config, script, join(dir, "store")], dir);
    assert.deepEqual(lines, EXPECTED);
    // themis's npm packages were resolved from its npm: specifiers into the consumer's folder.
    const installed = [...Deno.readDirSync(join(CONSUMER, "node_modules", ".deno"))].map((e) =>
      e.name
    );
    for (const name of ["zod@4.6.7", "@duckdb+node-api@1.5.6-r.1", "piscina@5.3.2"]) {
      assert.ok(installed.includes(name), `${name} is not in the consumer's node_modules`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a workspace with themis as a member resolves jsr:@themis/themis to it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-workspace-" });
  try {
    const { name, version } = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json")));
    // The layout docs/library.md describes: themis checked out (here: linked) beside the app.
    await Deno.symlink(REPO, join(dir, "themis"));
    await Deno.mkdir(join(dir, "app"));
    await Deno.writeTextFile(
      join(dir, "deno.json"),
      JSON.stringify({ workspace: ["./themis", "./app"], nodeModulesDir: "auto" }),
    );
    await Deno.writeTextFile(
      join(dir, "app", "deno.json"),
      JSON.stringify({ imports: { themis: `jsr:${name}@${version}` } }),
    );
    await Deno.copyFile(join(CONSUMER, "main.ts"), join(dir, "app", "main.ts"));
    const lines = await deno(["run", "-A", "app/main.ts", join(dir, "store")], dir);
    assert.deepEqual(lines, EXPECTED);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a project without pyodide in its imports is told what to add when Python code is scored", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-consumer-" });
  try {
    // code_tests on Python needs Pyodide on disk; the fixture's deno.json does not list it.
    const script = join(dir, "python.ts");
    await Deno.writeTextFile(script, PYTHON_SCRIPT);
    const config = join(CONSUMER, "deno.json");
    const [failure] = await deno(
      ["run", "-A", "--config", config, script, join(dir, "store")],
      dir,
    );
    assert.deepEqual(failure, {
      type: "score.failed",
      code: "SANDBOX_FAILED",
      message: 'Python code runs in Pyodide, which must be on disk, but "npm:pyodide@0.28.3" ' +
        'resolves to npm:pyodide@0.28.3: in your deno.json, add "pyodide": "npm:pyodide@0.28.3" ' +
        'to "imports" and set "nodeModulesDir": "auto" (docs/library.md)',
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const PYTHON_SCRIPT = `
import { Orchestrator } from "themis";
const orchestrator = Orchestrator.fromProjectSpec({ project_name: "c", storage: { root: Deno.args[0] } });
try {
  const result = await orchestrator.run({
    benchmark_id: "code",
    models: [{ model_id: "m", provider: "mock", extras: { answers: { a: "def f():\\n    return 1" } } }],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "Write f." }] }],
    slices: [{
      slice_id: "s",
      dataset: { kind: "inline", items: [{ id: "a", language: "python", tests: ["assert f() == 1"] }] },
      scores: [{ name: "tests", metrics: [{ id: "code_tests" }] }],
    }],
  }, { progress: { renderer: "none" } });
  for await (const { type, code, message } of result.iterFailures()) {
    console.log(JSON.stringify({ type, code, message }));
  }
} finally {
  orchestrator.store.close();
}
`;

Deno.test("docs/library.md shows the consumer fixture's program and what it prints", async () => {
  const doc = await Deno.readTextFile(join(REPO, "docs", "library.md"));
  const blocks = [...doc.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({
    lang,
    body,
  }));
  const program = blocks.find((b) => b.lang === "ts")!.body;
  const fixture = await Deno.readTextFile(join(CONSUMER, "main.ts"));
  // The fixture's opening comment says where it lives; the doc names the file instead.
  assert.equal(program, "// main.ts\n" + fixture.replace(/^(\/\/.*\n)+/, ""));
  const shell = blocks.find((b) => b.lang === "sh" && b.body.startsWith("$ deno run"))!.body;
  assert.deepEqual(JSON.parse(shell.split("\n")[1]), EXPECTED[0]);
});
