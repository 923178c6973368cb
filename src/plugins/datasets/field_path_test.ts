import assert from "node:assert/strict";
import { readPath, resolveField, withFields } from "./field_path.ts";

const row = {
  "a.b": "literal key",
  a: { b: "nested" },
  answers: { text: ["Paris", "paris"], start: [0, 0] },
  zero: 0,
  nothing: null,
};

Deno.test("readPath() prefers a top-level key, then walks dotted paths and array indexes", () => {
  assert.deepEqual(
    ["a.b", "answers.text.1", "answers.start", "zero", "nothing"].map((p) => readPath(row, p)),
    ["literal key", "paris", [0, 0], 0, null],
  );
});

Deno.test("readPath() is undefined for a missing step, a non-numeric array step or a scalar", () => {
  assert.deepEqual(
    ["missing", "answers.text.9", "answers.text.first", "zero.x", "nothing.x", "toString"]
      .map((p) => readPath(row, p)),
    [undefined, undefined, undefined, undefined, undefined, undefined],
  );
});

Deno.test("withFields() copies nested values to top-level aliases and leaves missing ones out", () => {
  assert.deepEqual(
    withFields({ q: 1, answers: { text: ["x"] } }, { answer: "answers.text", gone: "no.such" }),
    {
      q: 1,
      answers: { text: ["x"] },
      answer: ["x"],
    },
  );
  const same = { q: 1 };
  assert.equal(withFields(same, undefined), same);
  assert.equal(resolveField("answer", { answer: "answers.text" }), "answers.text");
  assert.equal(resolveField("q", { answer: "answers.text" }), "q");
});
