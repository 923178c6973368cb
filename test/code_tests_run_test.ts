/**
 * code_tests inside real runs: hostile answers go through the CLI, the worker pool and the
 * event log like any other candidate, each scored 0 with its own failure kind while the run goes
 * on; bad configs are refused at validation with their spec path and line.
 */
import assert from "node:assert/strict";
import { Store } from "../mod.ts";
import { runCli, tempProject } from "./support/cli.ts";

/** One item per behaviour: language, the model's answer, and the failure kind it must get. */
function cases(port: number): Array<[string, string, string, string | null]> {
  return [
    ["ok_js", "javascript", "export const f = () => 42;", null],
    ["loop_js", "javascript", "export const f = () => 42;\nfor (;;) {}", "timeout"],
    ["memory_js", "javascript", "const a = []; for (;;) a.push(new Array(1e5).fill(1));", "memory"],
    ["spawn_js", "javascript", `new Deno.Command("/bin/sh").outputSync();`, "permission"],
    ["passwd_js", "javascript", `Deno.readTextFileSync("/etc/passwd");`, "permission"],
    ["fetch_js", "javascript", `await fetch("http://127.0.0.1:${port}/");`, "permission"],
    ["env_js", "javascript", `Deno.env.get("HOME");`, "permission"],
    ["exit_js", "javascript", "Deno.exit(0);", "exit"],
    ["write_py", "python", "open('/tmp/x', 'w').write('x')", "permission"],
    ["sysexit_py", "python", "import sys\nsys.exit(0)", "exit"],
    ["huge_py", "python", "while True:\n    print('x' * 1000)", "output_limit"],
    [
      "catch_py",
      "python",
      "while True:\n    try:\n        while True: pass\n    except BaseException: pass",
      "timeout",
    ],
    ["ok_py", "python", "def f():\n    return 42", null],
  ];
}

function benchmark(port: number): string {
  const rows = cases(port);
  const answers = rows.map(([id, language, code]) =>
    `${id} = ${JSON.stringify("```" + language + "\n" + code + "\n```")}`
  );
  const items = rows.map(([id, language]) => {
    const test = language === "python" ? "assert f() == 42" : "assert.equal(f(), 42);";
    return `{ id = "${id}", language = "${language}", tests = [${JSON.stringify(test)}] }`;
  });
  return `benchmark_id = "hostile"
[[models]]
model_id = "hostile"
provider = "mock"
[models.extras.answers]
${answers.join("\n")}
[[prompt_variants]]
id = "p"
messages = [{ role = "user", content = "{item.id}" }]
[[slices]]
slice_id = "s"
dataset = { kind = "inline", items = [${items.join(", ")}] }
[[slices.scores]]
name = "pass"
metrics = [{ id = "code_tests", config = { timeout = 3, memory_mb = 128, max_output_bytes = 65536 } }]
`;
}

Deno.test("hostile answers each score 0 with their own failure kind, in the pool, and the run goes on", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const accepting = (async () => {
    for await (const conn of listener) {
      connections++;
      conn.close();
    }
  })().catch(() => {});
  const port = (listener.addr as Deno.NetAddr).port;
  const dir = await tempProject({
    "themis.toml": `project_name = "hostile"\n`,
    "b.toml": benchmark(port),
  });
  try {
    const result = await runCli(["run", "b.toml", "--json"], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const rows = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].count, 13);
    assert.ok(Math.abs(rows[0].mean - 2 / 13) < 1e-9, `mean ${rows[0].mean}`);
    const store = Store.open(`${dir}/themis-store`);
    const scored = await store.sql(
      `select t.item_id as item, s.value,
              json_extract_string(s.details, '$.failure_kind') as kind
       from scores s join trials t using (trial) order by item`,
    );
    const expected = cases(port)
      .map(([item, , , kind]) => ({ item, value: kind === null ? 1 : 0, kind }))
      .sort((a, b) => a.item.localeCompare(b.item));
    assert.deepEqual(scored, expected);
    const runs = await store.sql(
      `select count(*)::integer as n from runs where finished_at is not null`,
    );
    assert.deepEqual(runs, [{ n: 1 }]);
    assert.equal(connections, 0, "the local server received nothing");
  } finally {
    listener.close();
    await accepting;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("themis validate refuses bad code_tests and code_block configs with SPEC_INVALID, all at once", async () => {
  const text = `benchmark_id = "b"
[[models]]
model_id = "m"
provider = "mock"
[[prompt_variants]]
id = "p"
messages = [{ role = "user", content = "{item.id}" }]
[[slices]]
slice_id = "s"
dataset = { kind = "inline", items = [{ id = "1", tests = "assert True" }] }
[[slices.scores]]
name = "a"
metrics = [{ id = "code_tests", config = { language = "cobol" } }]
[[slices.scores]]
name = "b"
metrics = [{ id = "code_tests", config = { timeout = -5 } }]
[[slices.parses]]
name = "code"
extractors = [{ id = "code_block", config = { pick = "best" } }]
`;
  const dir = await tempProject({ "b.toml": text });
  try {
    const result = await runCli(["validate", "b.toml"], { cwd: dir });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /error \[SPEC_INVALID\]/);
    assert.match(result.stderr, /The benchmark spec in .*b\.toml has 3 problems/);
    // In file order, each with its line (validate lists every problem in one report).
    const issues = result.stderr.split("\n").filter((line) => line.startsWith("  - "))
      .map((line) => line.replace(/ \(\/.*b\.toml:(\d+)\)$/, " (line $1)"));
    assert.deepEqual(issues, [
      '  - slices[0].scores[0].metrics[0]: code_tests: "language" must be one of python, ' +
      'typescript, javascript, got "cobol" (line 13)',
      '  - slices[0].scores[1].metrics[0]: code_tests: "timeout" must be seconds, more than 0 ' +
      "and at most 600, got -5 (line 16)",
      '  - slices[0].parses[0].extractors[0]: code_block: "pick" must be one of "first", "last", ' +
      '"longest", "all", got "best" (did you mean "last"?) (line 19)',
    ]);
    assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
