import assert from "node:assert/strict";
import { renderMessages, renderTemplate } from "./render_prompt.ts";

const scope = {
  item: { q: "2+2", meta: { source: "gsm" }, n: 3, list: ["a", "b"] },
  slice: { slice_id: "math", dimensions: { level: "easy" } },
  prompt: { id: "p", variables: { style: "terse" } },
};
const context = { variantId: "p", itemId: "q1", sliceId: "math" };

Deno.test("renderTemplate() fills item fields, nested fields, dimensions and variables", () => {
  assert.equal(
    renderTemplate(
      "{item.q} {item.meta.source} {item.n} {item.list} {slice.dimensions.level} {prompt.variables.style}",
      scope,
      context,
    ),
    '2+2 gsm 3 ["a","b"] easy terse',
  );
});

Deno.test("renderTemplate() keeps doubled braces as literal braces and leaves other text alone", () => {
  assert.equal(
    renderTemplate('{{"a": {item.n}}} { not a var }', scope, context),
    '{"a": 3} { not a var }',
  );
});

Deno.test("a missing variable names the variant, the variable, the item and the spec path", () => {
  assert.throws(
    () =>
      renderMessages(
        [{ role: "user", content: "ok" }, { role: "user", content: "{item.question}" }],
        scope,
        {
          ...context,
          path: "prompt_variants[2]",
        },
      ),
    (error: Error & { code?: string; details?: Record<string, unknown> }) => {
      assert.equal(error.code, "SPEC_INVALID");
      assert.equal(
        error.message,
        'Prompt variant "p" uses {item.question}, which item "q1" of slice "math" does not provide',
      );
      assert.equal(error.details?.path, "prompt_variants[2].messages[1].content");
      assert.equal(error.details?.variable, "item.question");
      return true;
    },
  );
});

Deno.test("an unknown root such as {model.id} is a missing variable too", () => {
  assert.throws(() => renderTemplate("{model.id}", scope, context), /uses \{model\.id\}/);
});
