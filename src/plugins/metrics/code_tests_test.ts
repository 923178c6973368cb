import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import type { MetricContext, MetricResult } from "../types.ts";
import { codeTests, parseCodeTestsConfig } from "./code_tests.ts";

const noJudge: MetricContext = { judge: () => Promise.reject(new Error("no judge here")) };
/** Generous: healthy code on a loaded machine. */
const TIMEOUT = 60;

function evaluate(
  text: string,
  item: JsonObject,
  config: JsonObject,
  prediction: Json = text,
): Promise<MetricResult> {
  return codeTests.evaluate!({ prediction, text, item, reference: undefined }, {
    timeout: TIMEOUT,
    ...config,
  }, noJudge);
}

const withoutDuration = (result: MetricResult) => ({
  ...result,
  details: { ...result.details, duration_ms: 0 },
});

Deno.test("code_tests refuses a bad config with SPEC_INVALID naming the key and the fix", () => {
  const cases: Array<[JsonObject, RegExp]> = [
    [{ language: "rust" }, /"language" must be one of python, typescript, javascript, got "rust"/],
    [{ timeout: -1 }, /"timeout" must be seconds, more than 0 and at most 600, got -1/],
    [{ timeout: 0 }, /"timeout" must be seconds, more than 0/],
    [{ timeout: 3600 }, /at most 600, got 3600/],
    [{ timeout: "10" }, /"timeout" must be a number, got string "10"/],
    [{ memory_mb: 16 }, /"memory_mb" must be at least 64, got 16/],
    [{ memory_mb: 100.5 }, /"memory_mb" must be an integer/],
    [{ memory_mb: 100_000 }, /"memory_mb" must be at most 16384/],
    [{ max_output_bytes: 10 }, /"max_output_bytes" must be at least 1024/],
    [{ extract: "first" }, /"extract" must be one of "auto", "fenced", "none"/],
    [{ partial: 1 }, /"partial" must be true or false/],
    [{ timeot: 5 }, /"timeot" is not an option of this plugin/],
  ];
  for (const [config, message] of cases) {
    assert.throws(
      () => codeTests.validateConfig!(config),
      (error) =>
        isThemisError(error) && error.code === "SPEC_INVALID" &&
        error.message.startsWith("code_tests: ") && message.test(error.message),
      JSON.stringify(config),
    );
  }
  assert.deepEqual(parseCodeTestsConfig({ language: "ts" }), {
    language: "typescript",
    languageField: "language",
    testsField: "tests",
    prefixField: undefined,
    extract: "auto",
    timeout: 10,
    memoryMb: 256,
    maxOutputBytes: 1_048_576,
    partial: false,
  });
});

Deno.test("code_tests runs the item's tests against the code block and keeps what happened", async () => {
  const text =
    "Here you go:\n```python\ndef add(a, b):\n    print('adding')\n    return a + b\n```";
  const result = await evaluate(
    text,
    { tests: ["assert add(1, 2) == 3", "assert add(0, 0) == 0"] },
    {
      language: "python",
    },
  );
  assert.deepEqual(withoutDuration(result), {
    value: 1,
    details: {
      language: "python",
      tests_passed: 2,
      tests_total: 2,
      failure_kind: null,
      failure: null,
      stdout: "adding\nadding\n",
      stderr: "",
      duration_ms: 0,
    },
  });
});

Deno.test("code_tests scores 0 with the failure kind; partial = true gives the share passed", async () => {
  const text = "```ts\nexport const double = (x: number) => x * 2 + (x > 5 ? 1 : 0);\n```";
  const item = {
    language: "TypeScript",
    tests: [
      "assert.equal(double(1), 2);",
      "assert.equal(double(2), 4);",
      "assert.equal(double(6), 12);",
    ],
  };
  const strict = await evaluate(text, item, {});
  assert.equal(strict.value, 0);
  assert.equal(strict.details?.failure_kind, "tests_failed");
  assert.equal(strict.details?.tests_passed, 2);
  assert.match(String(strict.details?.failure), /^test 3: AssertionError/);
  const partial = await evaluate(text, item, { partial: true });
  assert.equal(partial.value, 2 / 3);
});

Deno.test("code_tests: a text without code is no_code under extract = fenced, run whole under auto", async () => {
  const prose = "Use a loop and add the numbers.";
  const item = { tests: ["assert total([1, 2]) == 3"] };
  const fenced = await evaluate(prose, item, { language: "python", extract: "fenced" });
  assert.deepEqual(withoutDuration(fenced), {
    value: 0,
    details: {
      language: "python",
      tests_passed: 0,
      tests_total: 1,
      failure_kind: "no_code",
      failure: "no fenced code block (```) in the text",
      stdout: "",
      stderr: "",
      duration_ms: 0,
    },
  });
  const auto = await evaluate(prose, item, { language: "python" });
  assert.equal(auto.details?.failure_kind, "syntax");
  const bare = await evaluate("def total(xs):\n    return sum(xs)", item, { language: "python" });
  assert.equal(bare.value, 1);
});

Deno.test("code_tests uses a parse's answer as is, and puts prefix_field in front (completions)", async () => {
  const item = {
    prompt: 'def middle(xs):\n    """The middle element."""\n',
    tests: ["assert middle([1, 2, 3]) == 2"],
  };
  // The answer of a code_block parse: no fence left, nothing more to extract.
  const completion = "    return xs[len(xs) // 2]";
  const result = await evaluate("```python\n" + completion + "\n```", item, {
    language: "python",
    prefix_field: "prompt",
  }, completion);
  assert.equal(result.value, 1, JSON.stringify(result.details));
});

Deno.test("code_tests: an item without tests, or with an unknown language, is DATASET_INVALID", async () => {
  const cases: Array<[JsonObject, JsonObject, RegExp]> = [
    [{}, { language: "python" }, /the item's "tests" must be a test/],
    [{ tests: [] }, { language: "python" }, /non-empty list/],
    [{ tests: [1] }, { language: "python" }, /the item's "tests" must be/],
    [{ tests: "assert True", language: "cobol" }, {}, /"language" must be one of .*got "cobol"/],
    [{ tests: "assert True" }, {}, /got nothing\); or set the metric's "language"/],
    [
      { tests: "assert True", prompt: 3 },
      { language: "py", prefix_field: "prompt" },
      /"prompt" must be a string/,
    ],
  ];
  for (const [item, config, message] of cases) {
    await assert.rejects(
      evaluate("```\nx = 1\n```", item, config),
      (error) =>
        isThemisError(error) && error.code === "DATASET_INVALID" && message.test(error.message),
      JSON.stringify(item),
    );
  }
});

Deno.test("code_tests runs the same program once for two scores of one candidate", async () => {
  // Each real run prints a new random number: equal output means one run, shared.
  const text = "```js\nconsole.log(Math.random());\nexport const one = 1;\n```";
  const item = { language: "javascript", tests: ["assert.equal(one, 1);"] };
  const first = await evaluate(text, item, {});
  const second = await evaluate(text, item, {});
  assert.equal(first.value, 1);
  assert.deepEqual(second, first);
  // Other limits are another execution.
  const third = await evaluate(text, item, { memory_mb: 128 });
  assert.notEqual(third.details?.stdout, first.details?.stdout);
});

Deno.test("code_tests has no synchronous score: it runs through evaluate()", () => {
  assert.throws(
    () => codeTests.score({ prediction: "", text: "", item: {}, reference: undefined }, {}),
    (error) => isThemisError(error) && error.code === "PLUGIN_ERROR",
  );
});
