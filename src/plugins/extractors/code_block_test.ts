import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { codeBlock, findCodeBlocks, selectCode } from "./code_block.ts";
import { assertScalesLinearly } from "../../../test/support/scaling.ts";

const ANSWER = [
  "Here is a helper in JavaScript:",
  "```js",
  "const helper = 1;",
  "```",
  "And the solution:",
  "```Python title=solution.py",
  "def add(a, b):",
  "    return a + b",
  "```",
  "Example:",
  "```",
  "add(1, 2)",
  "```",
  "~~~python",
  "def add(a, b):",
  "    ```",
  "    return a + b  # longer",
  "~~~",
].join("\n");

Deno.test("findCodeBlocks() reads ``` and ~~~ fences, their tags and their contents in order", () => {
  assert.deepEqual(findCodeBlocks(ANSWER), [
    { language: "js", code: "const helper = 1;", closed: true },
    { language: "python", code: "def add(a, b):\n    return a + b", closed: true },
    { language: "", code: "add(1, 2)", closed: true },
    {
      language: "python",
      code: "def add(a, b):\n    ```\n    return a + b  # longer",
      closed: true,
    },
  ]);
});

Deno.test("findCodeBlocks() keeps an unclosed last fence (a truncated answer) and dedents like CommonMark", () => {
  assert.deepEqual(findCodeBlocks("  ```ts\n  let x = 1;\n    y();\r\n"), [
    { language: "ts", code: "let x = 1;\n  y();\n", closed: false },
  ]);
  assert.deepEqual(findCodeBlocks("````md\n```py\nx\n```\n````"), [
    { language: "md", code: "```py\nx\n```", closed: true },
  ]);
});

Deno.test("selectCode() picks blocks of the language (aliases too), else untagged ones, never another language", () => {
  assert.deepEqual(selectCode(ANSWER, { language: "py" }), {
    ok: true,
    code: "def add(a, b):\n    return a + b",
  });
  assert.deepEqual(selectCode(ANSWER, { language: "python", pick: "last" }), {
    ok: true,
    code: "def add(a, b):\n    ```\n    return a + b  # longer",
  });
  assert.deepEqual(selectCode(ANSWER, { language: "python", pick: "all" }), {
    ok: true,
    code: "def add(a, b):\n    return a + b\n\ndef add(a, b):\n    ```\n    return a + b  # longer",
  });
  assert.deepEqual(selectCode(ANSWER, { language: "javascript", pick: "longest" }), {
    ok: true,
    code: "const helper = 1;",
  });
  // No TypeScript block: the untagged one counts.
  assert.deepEqual(selectCode(ANSWER, { language: "typescript" }), { ok: true, code: "add(1, 2)" });
  assert.deepEqual(selectCode("```python\nx = 1\n```", { language: "ts" }), {
    ok: false,
    error: "no ts code block (the text has: python)",
  });
});

Deno.test("selectCode() takes a text without any fence whole only when unfenced is set", () => {
  assert.deepEqual(selectCode("  def f(): pass \n", { unfenced: true }), {
    ok: true,
    code: "def f(): pass",
  });
  assert.deepEqual(selectCode("def f(): pass"), {
    ok: false,
    error: "no fenced code block (```) in the text",
  });
  assert.deepEqual(selectCode("   ", { unfenced: true }), {
    ok: false,
    error: "no fenced code block (```) in the text",
  });
  assert.deepEqual(selectCode("```\n\n```", { unfenced: true }), {
    ok: false,
    error: "every fenced code block is empty",
  });
});

Deno.test("code_block refuses unusable configs with SPEC_INVALID naming the key", () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ language: "py thon" }, /code_block: "language" must be a fence tag/],
    [{ pick: "best" }, /"pick" must be one of "first", "last", "longest", "all"/],
    [{ unfenced: "yes" }, /"unfenced" must be true or false/],
    [{ langauge: "python" }, /"langauge" is not an option/],
  ];
  for (const [config, message] of cases) {
    assert.throws(
      () => codeBlock.validateConfig!(config as never),
      (error) =>
        isThemisError(error) && error.code === "SPEC_INVALID" && message.test(error.message),
    );
  }
});

Deno.test("code_block fails with a reason when there is no code, and never throws on a text", () => {
  assert.deepEqual(codeBlock.extract("I cannot help with that.", { language: "python" }), {
    ok: false,
    error: "no fenced code block (```) in the text",
  });
  assert.deepEqual(codeBlock.extract("No fence here", { unfenced: true }), {
    ok: true,
    answer: "No fence here",
  });
});

Deno.test("findCodeBlocks() handles a megabyte of fences and backticks, in linear time", () => {
  const fences = (n: number) => "`".repeat(12.5 * n) + "x`\n" + "```py\nx\n```\n".repeat(n);
  const backticks = (n: number) => "```\n" + "`".repeat(n);
  assert.equal(findCodeBlocks(fences(40_000)).length, 40_000);
  assert.equal(findCodeBlocks(backticks(1_000_000)).length, 1);
  assertScalesLinearly((n) => {
    const text = fences(n);
    return () => assert.equal(findCodeBlocks(text).length, n);
  }, 300);
  assertScalesLinearly((n) => {
    const text = backticks(n);
    return () => assert.equal(findCodeBlocks(text).length, 1);
  }, 8_000);
});
