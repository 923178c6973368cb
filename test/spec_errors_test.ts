/**
 * Malformed specs: each gives the expected code, path and line, with no stack trace on the CLI.
 */
import assert from "node:assert/strict";
import { runCli, runCliProcess, tempProject } from "./support/cli.ts";

const MODEL = `[[models]]\nmodel_id = "m"\nprovider = "mock"\n`;
const PROMPT =
  `[[prompt_variants]]\nid = "p"\nmessages = [{ role = "user", content = "{item.q}" }]\n`;
const SLICE = `[[slices]]
slice_id = "s"
[slices.dataset]
kind = "inline"
items = [{ id = "1", q = "x", answer = "y" }]
`;

interface Case {
  name: string;
  file: string;
  text: string;
  code: string;
  path?: string;
  line?: number;
  message?: RegExp;
}

const CASES: Case[] = [
  {
    name: "bad TOML syntax",
    file: "b.toml",
    text: `benchmark_id = "b"\nnum_samples = \n${MODEL}`,
    code: "SPEC_PARSE",
    line: 2,
  },
  {
    name: "wrong type",
    file: "b.toml",
    text: `benchmark_id = "b"\nnum_samples = "two"\n${MODEL}${PROMPT}${SLICE}`,
    code: "SPEC_INVALID",
    path: "num_samples",
    line: 2,
  },
  {
    name: "unknown key",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}temprature = 0.2\n${PROMPT}${SLICE}`,
    code: "SPEC_INVALID",
    path: "models[0].temprature",
    line: 5,
    message: /unknown key "temprature"/,
  },
  {
    name: "unknown top-level key",
    file: "b.toml",
    text: `benchmark_id = "b"\nsamples = 3\n${MODEL}${PROMPT}${SLICE}`,
    code: "SPEC_INVALID",
    path: "samples",
    line: 2,
  },
  {
    name: "duplicate model ids",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}${MODEL}${PROMPT}${SLICE}`,
    code: "SPEC_INVALID",
    path: "models[1].model_id",
    line: 6,
    message: /duplicate model_id "m"/,
  },
  {
    name: "unknown prompt variant",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}${PROMPT}[[slices]]\nslice_id = "s"\n` +
      `prompt_variant_ids = ["nope"]\ndataset = { kind = "inline", items = [{ id = "1", q = "x" }] }\n`,
    code: "SPEC_INVALID",
    path: "slices[0].prompt_variant_ids[0]",
    line: 10,
    message: /prompt variant "nope", which is not defined/,
  },
  {
    name: "score naming a missing parse",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}${PROMPT}${SLICE}` +
      `[[slices.scores]]\nname = "acc"\nparse = "num"\nmetrics = [{ id = "exact_match" }]\n`,
    code: "SPEC_INVALID",
    path: "slices[0].scores[0].parse",
    line: 15,
    message: /reads parse "num", which this slice does not define/,
  },
  {
    name: "empty models",
    file: "b.toml",
    text: `benchmark_id = "b"\nmodels = []\n${PROMPT}${SLICE}`,
    code: "SPEC_INVALID",
    path: "models",
    line: 2,
    message: /at least one model/,
  },
  {
    name: "missing prompt variable",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}[[prompt_variants]]\nid = "p"\n` +
      `messages = [{ role = "user", content = "{item.question}" }]\n${SLICE}`,
    code: "SPEC_INVALID",
    path: "prompt_variants[0].messages[0].content",
    line: 7,
    message: /Prompt variant "p" uses \{item.question\}, which item "1" of slice "s"/,
  },
  {
    name: "bad enum value",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}[[prompt_variants]]\nid = "p"\n` +
      `messages = [{ role = "robot", content = "hi" }]\n${SLICE}`,
    code: "SPEC_INVALID",
    path: "prompt_variants[0].messages[0].role",
    line: 7,
  },
  {
    name: "missing required dataset",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}${PROMPT}[[slices]]\nslice_id = "s"\n`,
    code: "SPEC_INVALID",
    path: "slices[0].dataset",
    line: 8,
  },
  {
    name: "unknown extractor with a suggestion",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}${PROMPT}${SLICE}` +
      `[[slices.parses]]\nname = "num"\nextractors = [{ id = "first_numbr" }]\n`,
    code: "PLUGIN_NOT_FOUND",
    path: "slices[0].parses[0].extractors[0]",
    line: 15,
    message: /Unknown extractor "first_numbr".*Did you mean "first_number"\?/,
  },
  {
    name: "unknown provider",
    file: "b.toml",
    text: `benchmark_id = "b"\n[[models]]\nmodel_id = "m"\nprovider = "mokc"\n${PROMPT}${SLICE}`,
    code: "PLUGIN_NOT_FOUND",
    path: "models[0].provider",
    line: 4,
    message: /Unknown engine "mokc".*Did you mean "mock"\?/,
  },
  {
    name: "unsupported file extension",
    file: "b.yaml",
    text: `benchmark_id: b\n`,
    code: "SPEC_INVALID",
    message: /only \.toml and \.json files are accepted/,
  },
  {
    name: "bad JSON syntax",
    file: "b.json",
    text: `{\n  "benchmark_id": "b",\n  "models": [,]\n}\n`,
    code: "SPEC_PARSE",
    line: 3,
  },
  {
    name: "JSON wrong type",
    file: "b.json",
    text: JSON.stringify(
      {
        benchmark_id: "b",
        models: [{ model_id: 5, provider: "mock" }],
        prompt_variants: [{ id: "p", messages: [{ role: "user", content: "hi" }] }],
        slices: [{ slice_id: "s", dataset: { kind: "inline", items: [{ id: "1" }] } }],
      },
      null,
      2,
    ),
    code: "SPEC_INVALID",
    path: "models[0].model_id",
    line: 5,
  },
  {
    name: "duplicate item ids",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}${PROMPT}[[slices]]\nslice_id = "s"\n` +
      `dataset = { kind = "inline", items = [{ id = "1", q = "a" }, { id = "1", q = "b" }] }\n`,
    code: "DATASET_INVALID",
    message: /rows 1 and 2 share the id "1"/,
  },
  {
    name: "num_samples below one",
    file: "b.toml",
    text: `benchmark_id = "b"\nnum_samples = 0\n${MODEL}${PROMPT}${SLICE}`,
    code: "SPEC_INVALID",
    path: "num_samples",
    line: 2,
  },
  {
    name: "pass_at_k without k",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}${PROMPT}${SLICE}` +
      `[[slices.scores]]\nname = "acc"\nreduction = "pass_at_k"\nmetrics = [{ id = "exact_match" }]\n`,
    code: "SPEC_INVALID",
    path: "slices[0].scores[0].k",
    line: 13,
  },
  {
    name: "an unknown on_invalid policy",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}${PROMPT}${SLICE}` +
      `[[slices.scores]]\nname = "acc"\nmetrics = [{ id = "exact_match" }]\non_invalid = "drop"\n`,
    code: "SPEC_INVALID",
    path: "slices[0].scores[0].on_invalid",
    line: 16,
    message:
      /on_invalid is "zero" \(an invalid answer scores the metric's failing value, the default\) or "exclude"/,
  },
  {
    name: "an unknown interval method",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}${PROMPT}${SLICE}` +
      `[[slices.scores]]\nname = "acc"\nmetrics = [{ id = "exact_match" }]\nci = "normal"\n`,
    code: "SPEC_INVALID",
    path: "slices[0].scores[0].ci",
    line: 16,
    message: /ci is "wilson" or "clopper_pearson" \(0\/1 metrics\), "t" or "bootstrap"/,
  },
  {
    name: "count_failed that is not a boolean",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}${PROMPT}${SLICE}` +
      `[[slices.scores]]\nname = "acc"\nmetrics = [{ id = "exact_match" }]\ncount_failed = "yes"\n`,
    code: "SPEC_INVALID",
    path: "slices[0].scores[0].count_failed",
    line: 16,
  },
  {
    name: "a cluster that is no field name",
    file: "b.toml",
    text: `benchmark_id = "b"\ncluster = "passage id"\n${MODEL}${PROMPT}${SLICE}`,
    code: "SPEC_INVALID",
    path: "cluster",
    line: 2,
    message: /cluster names an item field, e.g. "passage_id"/,
  },
  {
    name: "neither benchmark nor experiment",
    file: "b.toml",
    text: `name = "b"\n${MODEL}`,
    code: "SPEC_INVALID",
    line: 1,
    message: /needs a top-level "benchmark_id"/,
  },
  {
    name: "missing dataset file",
    file: "b.toml",
    text: `benchmark_id = "b"\n${MODEL}${PROMPT}[[slices]]\nslice_id = "s"\n` +
      `dataset = { kind = "jsonl", path = "nowhere.jsonl" }\n`,
    code: "DATASET_INVALID",
    message: /Cannot read dataset ".*nowhere\.jsonl": no such file/,
  },
];

for (const c of CASES) {
  Deno.test(`themis validate reports ${c.name} as ${c.code}`, async () => {
    const dir = await tempProject({ [c.file]: c.text });
    const result = await runCli(["validate", `${dir}/${c.file}`], { cwd: dir });
    assert.equal(result.stdout, "");
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, new RegExp(`error \\[${c.code}\\]`));
    if (c.path) assert.ok(result.stderr.includes(c.path), `path ${c.path} in:\n${result.stderr}`);
    if (c.line) {
      assert.ok(
        result.stderr.includes(`${c.file}:${c.line}`),
        `line ${c.line} in:\n${result.stderr}`,
      );
    }
    if (c.message) assert.match(result.stderr, c.message);
    assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
  });
}

Deno.test("a spec with several problems lists every one at once", async () => {
  const text = `benchmark_id = "b"\nnum_samples = -1\n${MODEL}colour = "red"\n${PROMPT}${SLICE}` +
    `[[slices.scores]]\nname = "acc"\nmetrics = []\n`;
  const dir = await tempProject({ "b.toml": text });
  const result = await runCli(["validate", `${dir}/b.toml`], { cwd: dir });
  assert.equal(result.code, 3);
  assert.match(result.stderr, /has 3 problems/);
  assert.match(result.stderr, /num_samples: .*\(.*b\.toml:2\)/);
  assert.match(result.stderr, /models\[0\]\.colour: unknown key "colour" \(.*b\.toml:6\)/);
  assert.match(
    result.stderr,
    /slices\[0\]\.scores\[0\]\.metrics: a score needs at least one metric \(.*b\.toml:17\)/,
  );
});

Deno.test("the real CLI process prints a spec error without a stack trace and exits 3", async () => {
  const dir = await tempProject({ "b.toml": `benchmark_id = "b"\nmodels = []\n` });
  const result = await runCliProcess(["validate", "b.toml"], { cwd: dir });
  assert.equal(result.code, 3);
  assert.match(result.stderr, /^error \[SPEC_INVALID\] The benchmark spec in .*b\.toml has/);
  assert.doesNotMatch(result.stderr, /^\s+at /m);
});

Deno.test("validate accepts a good benchmark and prints what it would run", async () => {
  const dir = await tempProject({ "b.toml": `benchmark_id = "b"\n${MODEL}${PROMPT}${SLICE}` });
  const result = await runCli(["validate", "b.toml"], { cwd: dir });
  assert.equal(result.stderr, "");
  assert.equal(result.code, 0);
  assert.equal(
    result.stdout,
    "b.toml: valid benchmark — 1 trials, 1 candidates, 0 parse and 0 score work items\n",
  );
  // validate plans but writes nothing
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["b.toml"]);
});
