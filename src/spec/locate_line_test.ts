import assert from "node:assert/strict";
import { locateLine } from "./locate_line.ts";
import { parse as parseToml } from "npm:smol-toml@1.9.1";

type Path = ReadonlyArray<string | number>;

/** Locate every path and compare the whole result list, so one failure shows all of them. */
function assertLines(
  source: string,
  format: "toml" | "json",
  expected: [Path, number | undefined][],
) {
  const actual = expected.map(([path]) => [path, locateLine(source, format, path)]);
  assert.deepEqual(actual, expected);
}

const BENCHMARK = `benchmark_id = "demo"
num_samples = 2

[[models]]
model_id = "a"
provider = "mock"

[[models]]
model_id = "b"
provider = "mock"
extras = { mode = "echo" }

[[prompt_variants]]
id = "plain"
[[prompt_variants.messages]]
role = "user"
content = "Q: {item.question}"

[[slices]]
slice_id = "arith"
[slices.dataset]
kind = "inline"
items = [
  { id = "q1", question = "1+1", answer = "2" },
  { id = "q2", question = "2+2", answer = "4" },
]
[[slices.parses]]
name = "num"
extractors = [{ id = "first_number" }]
[[slices.scores]]
name = "acc"
parse = "num"
metrics = [{ id = "exact_match" }]

[[slices]]
slice_id = "words"
[[slices.parses]]
name = "word"
`;

Deno.test("locateLine() finds top-level keys of a TOML benchmark", () => {
  assertLines(BENCHMARK, "toml", [[["benchmark_id"], 1], [["num_samples"], 2]]);
});

Deno.test("locateLine() counts each [[models]] header as the next array element", () => {
  assertLines(BENCHMARK, "toml", [
    [["models"], 4],
    [["models", 0], 4],
    [["models", 0, "provider"], 6],
    [["models", 1], 8],
    [["models", 1, "model_id"], 9],
    [["models", 1, "provider"], 10],
  ]);
});

Deno.test("locateLine() points a path into an inline table at the line of its key", () => {
  assertLines(BENCHMARK, "toml", [
    [["models", 1, "extras"], 11],
    [["models", 1, "extras", "mode"], 11],
  ]);
});

Deno.test("locateLine() falls back to the [[models]] header for a missing key", () => {
  assertLines(BENCHMARK, "toml", [
    [["models", 1, "nope"], 8],
    [["models", 0, "extras"], 4],
    [["models", 1, "extras", "missing"], 11],
  ]);
});

Deno.test("locateLine() falls back to the first header for an index past the end", () => {
  assertLines(BENCHMARK, "toml", [[["models", 7, "model_id"], 4]]);
});

Deno.test("locateLine() returns undefined when nothing on the path exists", () => {
  assertLines(BENCHMARK, "toml", [
    [["judges"], undefined],
    [["judges", 0, "id"], undefined],
    [[], undefined],
  ]);
  assert.equal(locateLine("", "toml", ["a"]), undefined);
  assert.equal(locateLine("", "json", ["a"]), undefined);
});

Deno.test("locateLine() resolves nested [[a.b]] headers against the current parent element", () => {
  assertLines(BENCHMARK, "toml", [
    [["prompt_variants", 0, "messages", 0], 15],
    [["prompt_variants", 0, "messages", 0, "content"], 17],
    [["slices", 0, "parses", 0, "name"], 28],
    [["slices", 0, "scores", 0, "parse"], 32],
    [["slices", 1, "slice_id"], 36],
    [["slices", 1, "parses", 0, "name"], 38],
    [["slices", 1, "parses", 1], 37],
    [["slices", 1, "scores", 0], 35],
  ]);
});

Deno.test("locateLine() resolves a [a.b] sub-table inside the current array element", () => {
  assertLines(BENCHMARK, "toml", [
    [["slices", 0, "dataset"], 21],
    [["slices", 0, "dataset", "kind"], 22],
    [["slices", 0, "dataset", "path"], 21],
  ]);
});

Deno.test("locateLine() finds each element of a multi-line array of inline tables", () => {
  assertLines(BENCHMARK, "toml", [
    [["slices", 0, "dataset", "items"], 23],
    [["slices", 0, "dataset", "items", 0], 24],
    [["slices", 0, "dataset", "items", 1, "answer"], 25],
    [["slices", 0, "dataset", "items", 2, "answer"], 23],
  ]);
});

Deno.test("locateLine() finds keys inside single-line arrays of inline tables", () => {
  assertLines(BENCHMARK, "toml", [
    [["slices", 0, "scores", 0, "metrics", 0, "id"], 33],
    [["slices", 0, "parses", 0, "extractors", 0, "id"], 29],
    [["slices", 0, "parses", 0, "extractors", 0, "args"], 29],
  ]);
});

Deno.test("locateLine() follows dotted keys under the current table", () => {
  const toml = `[run]
limits.max_tokens = 10
limits . "per item" . retries = 2
`;
  assertLines(toml, "toml", [
    [["run", "limits"], 2],
    [["run", "limits", "max_tokens"], 2],
    [["run", "limits", "per item", "retries"], 3],
    [["run", "limits", "per item", "backoff"], 3],
  ]);
});

Deno.test("locateLine() reads quoted keys in key/values and headers", () => {
  const toml = `"a b" = 1
'x' = 2
"a.b" = 3
"esc\\"aped" = 4

[ tables . "x.y" ]
z = 5
[[ 'lit.arr' ]]
w = 6
`;
  assertLines(toml, "toml", [
    [["a b"], 1],
    [["x"], 2],
    [["a.b"], 3],
    [["a"], undefined],
    [['esc"aped'], 4],
    [["tables", "x.y", "z"], 7],
    [["lit.arr", 0, "w"], 9],
  ]);
});

Deno.test("locateLine() ignores comments and brackets, equals and hashes inside strings", () => {
  const toml = `# [[models]]
title = "# not = a [comment] {"  # [[models]]
path = 'C:\\[x]\\{y}#'
[[models]] # [[models]]
model_id = "a" # provider = "x"
quote = "a \\" [[models]] = {"
[[models]]
model_id = "b"
`;
  assertLines(toml, "toml", [
    [["title"], 2],
    [["path"], 3],
    [["models", 0, "model_id"], 5],
    [["models", 0, "provider"], 4],
    [["models", 0, "quote"], 6],
    [["models", 1, "model_id"], 8],
    [["models", 2], 4],
  ]);
});

Deno.test("locateLine() skips multi-line basic and literal strings", () => {
  const toml = `[[prompts]]
text = """
[[prompts]]
id = "fake" \\"""
still = 'inside'"""
after = 1
raw = '''
[[prompts]]
x = "y" ''
'''
[[prompts]]
id = "real"
`;
  assertLines(toml, "toml", [
    [["prompts", 0, "text"], 2],
    [["prompts", 0, "after"], 6],
    [["prompts", 0, "raw"], 7],
    [["prompts", 0, "id"], 1],
    [["prompts", 1, "id"], 12],
  ]);
});

Deno.test("locateLine() handles multi-line strings with trailing quotes and line continuations", () => {
  const toml = `a = """x""""
b = """one \\
    two"""
c = '''y'''''
d = 4
`;
  assertLines(toml, "toml", [[["b"], 2], [["c"], 4], [["d"], 5]]);
});

Deno.test("locateLine() passes over unwanted tables whose arrays have lines starting with [", () => {
  const toml = `[[models]]
matrix = [
  [1, 2],
  [3, "]"], # ]]
]
text = '''
[[models]]
'''
opts = { a = [1, { b = "}" }], c = 2 }
[[models]]
id = "b"
`;
  assertLines(toml, "toml", [
    [["models", 1, "id"], 11],
    [["models", 2, "id"], 1],
    [["models", 0, "matrix", 1, 1], 4],
    [["models", 0, "opts", "c"], 9],
    [["models", 0, "id"], 1],
  ]);
});

Deno.test("locateLine() descends into nested inline tables", () => {
  const toml = `[[models]]
extras = { a = 1, b = { c = 2, "d e" = [3, 4] } }
`;
  assertLines(toml, "toml", [
    [["models", 0, "extras", "a"], 2],
    [["models", 0, "extras", "b", "c"], 2],
    [["models", 0, "extras", "b", "d e", 1], 2],
    [["models", 0, "extras", "b", "zz"], 2],
  ]);
});

Deno.test("locateLine() finds elements of multi-line arrays, nested arrays and multi-line inline tables", () => {
  const toml = `nums = [
  1, # one
  2,
  [3,
   4],
]
opts = {
  x = 1,
  y = "}",
}
next = true
`;
  assertLines(toml, "toml", [
    [["nums", 0], 2],
    [["nums", 1], 3],
    [["nums", 2, 1], 5],
    [["nums", 3], 1],
    [["opts", "y"], 9],
    [["next"], 11],
  ]);
});

Deno.test("locateLine() prefers an explicit [a] header over a table implied by [a.b]", () => {
  const implied = `[a.b]
x = 1
`;
  const explicit = `[a.b]
x = 1
[a]
y = 2
`;
  assertLines(implied, "toml", [[["a"], 1], [["a", "missing"], 1]]);
  assertLines(explicit, "toml", [[["a", "missing"], 3], [["a", "b", "x"], 2]]);
});

Deno.test("locateLine() counts lines the same with CRLF line endings", () => {
  const toml = BENCHMARK.replaceAll("\n", "\r\n");
  assertLines(toml, "toml", [
    [["models", 1, "extras", "mode"], 11],
    [["slices", 0, "dataset", "items", 1, "answer"], 25],
  ]);
});

Deno.test("locateLine() tolerates malformed TOML without throwing", () => {
  const toml = `name = "unterminated
= 5
}}} garbage [
[models
[[models]]
x = { a = 1 ]
y = [1, 2
z = 3
`;
  assertLines(toml, "toml", [
    [["name"], 1],
    [["models", 0, "x", "a"], 6],
    [["models", 0, "y", 1], 7],
  ]);
  assert.equal(typeof locateLine('s = """never closed\n[[a]]', "toml", ["a"]), "undefined");
});

const BENCHMARK_JSON = JSON.stringify(
  {
    benchmark_id: "demo",
    models: [{ model_id: "a", provider: "mock" }, {
      model_id: "b",
      provider: "mock",
      extras: { mode: "echo" },
    }],
    slices: [{
      slice_id: "arith",
      dataset: { kind: "inline", items: [{ id: "q1" }, { id: "q2", answer: "4" }] },
      scores: [{ name: "acc", metrics: [{ id: "exact_match" }] }],
    }],
  },
  null,
  2,
);

Deno.test("locateLine() finds keys and array elements in pretty-printed JSON", () => {
  const lineOf = (needle: string) =>
    BENCHMARK_JSON.split("\n").findIndex((l) => l.includes(needle)) + 1;
  assertLines(BENCHMARK_JSON, "json", [
    [["benchmark_id"], 2],
    [["models"], 3],
    [["models", 0], 4],
    [["models", 1, "provider"], lineOf('"provider": "mock"') + 4],
    [["models", 1, "extras", "mode"], lineOf('"mode"')],
    [["slices", 0, "dataset", "items", 1, "answer"], lineOf('"answer"')],
    [["slices", 0, "scores", 0, "metrics", 0, "id"], lineOf('"exact_match"')],
  ]);
});

Deno.test("locateLine() falls back to the deepest existing JSON ancestor", () => {
  const json = `{
  "models": [
    { "model_id": "a" },
    {
      "model_id": "b"
    }
  ]
}`;
  assertLines(json, "json", [
    [["models", 1], 4],
    [["models", 1, "provider"], 4],
    [["models", 5, "provider"], 2],
    [["slices", 0], undefined],
  ]);
});

Deno.test("locateLine() is not confused by JSON strings holding quotes, braces and colons", () => {
  const json = `{
  "a\\"{[": "x\\\\\\": {[ ]}",
  "b": ":,}",
  "c": { "d": [ "]", "}", 7 ] }
}`;
  assertLines(json, "json", [
    [['a"{['], 2],
    [["b"], 3],
    [["c", "d", 2], 4],
    [["c", "d", 3], 4],
  ]);
});

Deno.test("locateLine() matches JSON keys only at the requested depth", () => {
  const json = `{
  "a": {
    "b": 1
  },
  "b": 2,
  "list": [
    1,
    [2,
     3]
  ]
}`;
  assertLines(json, "json", [
    [["b"], 5],
    [["a", "b"], 3],
    [["list", 1, 1], 9],
    [["list", 1, "1"], 8],
  ]);
});

Deno.test("locateLine() tolerates comments, trailing commas and truncated JSON", () => {
  const json = `{
  // "hidden": 1,
  /* "also": {
     hidden */ "kept": [1, 2,],
  bare: { "x": 1 },
  "cut": { "y": [1,
`;
  assertLines(json, "json", [
    [["hidden"], undefined],
    [["kept", 1], 4],
    [["bare", "x"], 5],
    [["cut", "y", 1], 6],
  ]);
  assert.equal(locateLine("{{{{", "json", ["a"]), undefined);
  assert.equal(locateLine('["a", "b"]', "json", [1]), 1);
});

Deno.test("locateLine() survives absurdly deep nesting", () => {
  const depth = 200_000;
  const json = `{"a": 1,\n"b": ${"[".repeat(depth)}`;
  assertLines(json, "json", [[["b", 0, 0], 2], [["a"], 1]]);
});

Deno.test("locateLine() resolves a path in a 10,000-line spec in time linear in the text (no worse than parsing it a few times)", () => {
  const toml = Array.from(
    { length: 2_600 },
    (_, i) =>
      `[[models]]\nmodel_id = "m${i}" # [x]\nprovider = "mock"\nextras = { a = 1, b = [1, 2] }\n`,
  )
    .join("");
  const json = JSON.stringify(
    { models: Array.from({ length: 2_600 }, (_, i) => ({ i, p: "x" })) },
    null,
    2,
  );
  assert.ok(toml.split("\n").length > 10_000 && json.split("\n").length > 10_000);
  locateLine(toml, "toml", ["models", 0]); // the first call pays for JIT warm-up
  locateLine(json, "json", ["models", 0]);
  // Measured against parsing the same texts in the same rounds, so a busy machine slows both
  // alike: a deadline in milliseconds would measure the machine, not the code. The best of
  // five rounds: a stall can hit any single one.
  let elapsed = Infinity;
  let parsing = Infinity;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const tomlLine = locateLine(toml, "toml", ["models", 2_599, "extras", "b", 1]);
    const jsonLine = locateLine(json, "json", ["models", 2_599, "p"]);
    elapsed = Math.min(elapsed, performance.now() - start);
    assert.deepEqual([tomlLine, jsonLine], [10_400, json.split("\n").length - 3]);
    const parseStart = performance.now();
    parseToml(toml);
    JSON.parse(json);
    parsing = Math.min(parsing, performance.now() - parseStart);
  }
  assert.ok(
    elapsed < 5 * parsing + 1,
    `two lookups took ${elapsed.toFixed(2)} ms; parsing the texts ${parsing.toFixed(2)} ms`,
  );
});
