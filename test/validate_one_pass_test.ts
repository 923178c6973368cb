/**
 * `themis validate` lists every problem of a file in one report — schema, references, plugin
 * configs (model extras included), datasets and prompt variables — with "did you mean" for
 * unknown keys; a typo in model extras fails validate (and a run) before any call.
 */
import assert from "node:assert/strict";
import { runCli, tempProject } from "./support/cli.ts";
import { startOpenAIServer } from "./support/openai_server.ts";

const BROKEN = `benchmark_id = "b"
num_sample = 2

[[models]]
model_id = "gpt"
provider = "openai"
extras = { base_ulr = "http://127.0.0.1:9/v1" }

[[models]]
model_id = "gpt"
provider = "mock"

[[prompt_variants]]
id = "p"
messages = [{ role = "user", content = "{item.question}" }]

[[slices]]
slice_id = "inline"
dataset = { kind = "inline", items = [{ id = "1", q = "2+2", answer = "4" }] }
parses = [{ name = "num", extractors = [{ id = "first_numbr" }] }]
scores = [{ name = "acc", parse = "num", metrics = [{ id = "exact_match", config = { refrence = "x" } }] }]

[[slices]]
slice_id = "file"
dataset = { kind = "jsonl", path = "missing.jsonl" }
dataset_query = { kind = "subset", count = 0 }
`;

Deno.test("validate reports the problems of every layer of a file in one report", async () => {
  const dir = await tempProject({ "b.toml": BROKEN });
  const result = await runCli(["validate", "b.toml"], { cwd: dir });
  assert.equal(result.code, 3, result.stderr);
  assert.equal(result.stdout, "");
  const lines = result.stderr.split("\n").filter((l) => l.startsWith("  - "));
  const paths = lines.map((l) => l.slice(4, l.indexOf(": ")));
  assert.deepEqual(paths, [
    "num_sample",
    "models[0].extras",
    "models[1].model_id",
    "prompt_variants[0].messages[0].content",
    "slices[0].parses[0].extractors[0]",
    "slices[0].scores[0].metrics[0]",
    "slices[1].dataset_query.count",
  ]);
  assert.match(result.stderr, /has 7 problems/);
  assert.match(
    result.stderr,
    /num_sample: unknown key "num_sample" \(did you mean "num_samples"\?\) \(.*b\.toml:2\)/,
  );
  assert.match(
    result.stderr,
    /models\[0\]\.extras: openai: unknown models\[\]\.extras "base_ulr" \(did you mean "base_url"\?\).*b\.toml:7/,
  );
  assert.match(result.stderr, /duplicate model_id "gpt"/);
  assert.match(
    result.stderr,
    /uses \{item\.question\}, which item "1" of slice "inline" does not provide/,
  );
  assert.match(result.stderr, /Unknown extractor "first_numbr".*Did you mean "first_number"\?/);
  assert.match(
    result.stderr,
    /slices\[0\]\.scores\[0\]\.metrics\[0\]: .*"refrence".*did you mean "reference"\?/,
  );
});

Deno.test("validate lists a dataset problem together with the schema's once the slice is valid", async () => {
  const dir = await tempProject({
    "b.toml": BROKEN.replace("count = 0", "count = 1").replace("{item.question}", "{item.q}"),
  });
  const result = await runCli(["validate", "b.toml"], { cwd: dir });
  assert.equal(result.code, 3);
  assert.match(result.stderr, /has 6 problems/);
  assert.match(
    result.stderr,
    /slices\[1\]\.dataset: Cannot read dataset ".*missing\.jsonl": no such file/,
  );
});

Deno.test("unknown keys anywhere say which key was meant", async () => {
  const dir = await tempProject({
    "b.toml": `benchmark_id = "b"
[[models]]
model_id = "m"
provider = "openai"
extras = { base_url = "http://127.0.0.1:9/v1", modle = "x" }
[[prompt_variants]]
id = "p"
mesages = [{ role = "user", content = "hi" }]
[[slices]]
slice_id = "s"
dataset = { kind = "jsonl", pth = "d.jsonl" }
[[slices.scores]]
name = "acc"
metrics = [{ id = "exact_match" }]
reductoin = "max"
`,
  });
  const result = await runCli(["validate", "b.toml"], { cwd: dir });
  assert.equal(result.code, 3);
  for (
    const [path, key, meant] of [
      ["models[0].extras", "modle", "model"],
      ["prompt_variants[0].mesages", "mesages", "messages"],
      ["slices[0].dataset.pth", "pth", "path"],
      ["slices[0].scores[0].reductoin", "reductoin", "reduction"],
    ]
  ) {
    assert.match(
      result.stderr,
      new RegExp(`${path.replaceAll(/[[\].]/g, "\\$&")}: .*"${key}".*did you mean "${meant}"`, "i"),
      `${path} in ${result.stderr}`,
    );
  }
});

Deno.test("a typo in openai extras fails validate and the run before any request", async () => {
  await using server = startOpenAIServer();
  const dir = await tempProject({
    "b.toml": `benchmark_id = "b"
[[models]]
model_id = "gpt"
provider = "openai"
extras = { base_url = "${server.url}", api_key_env = "THEMIS_NO_SUCH_KEY", modle = "x" }
[[prompt_variants]]
id = "p"
messages = [{ role = "user", content = "hi" }]
[[slices]]
slice_id = "s"
dataset = { kind = "inline", items = [{ id = "1" }] }
`,
  });
  const validate = await runCli(["validate", "b.toml"], { cwd: dir });
  assert.equal(validate.code, 3);
  assert.match(
    validate.stderr,
    /unknown models\[\]\.extras "modle" \(did you mean "model"\?\).*b\.toml:5/,
  );
  const run = await runCli(["run", "b.toml"], { cwd: dir });
  assert.equal(run.code, 3);
  assert.match(run.stderr, /"modle" \(did you mean "model"\?\)/);
  assert.equal(server.requests.length, 0);
});
