import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { summarize } from "./summarize.ts";
import { assertClose, reference } from "./_reference.ts";

for (const { name, values, confidence, expected } of reference.summarize) {
  Deno.test(`summarize() matches numpy/scipy.stats.t within 1e-9 relative: ${name}`, () => {
    assertClose(summarize(values, { confidence }), expected);
  });
}

Deno.test("summarize() of no values is n = 0 with every other field null", () => {
  assert.deepEqual(summarize([]), { n: 0, mean: null, sd: null, se: null, ci: null });
});

Deno.test("summarize() of one value has a mean but no sd, se or ci", () => {
  assert.deepEqual(summarize([0.7]), { n: 1, mean: 0.7, sd: null, se: null, ci: null });
});

Deno.test("summarize() of identical values has sd 0 and a zero-width interval", () => {
  assert.deepEqual(summarize([0.1, 0.1, 0.1]), {
    n: 3,
    mean: 0.1,
    sd: 0,
    se: 0,
    ci: { low: 0.1, high: 0.1, method: "t", confidence: 0.95 },
  });
});

Deno.test("summarize() uses the t quantile: n = 2 at 95% gives mean ± 12.706·se", () => {
  const s = summarize([0, 2]);
  assert.equal(s.mean, 1);
  assert.ok(s.ci !== null && s.se !== null);
  assert.ok(Math.abs((s.ci.high - 1) / s.se - 12.706204736174698) < 1e-12);
});

Deno.test("summarize() widens the interval as confidence rises", () => {
  const values = [0.2, 0.5, 0.9, 0.4, 0.6];
  const narrow = summarize(values, { confidence: 0.8 }).ci!;
  const wide = summarize(values, { confidence: 0.99 }).ci!;
  assert.ok(wide.low < narrow.low && wide.high > narrow.high);
});

Deno.test("summarize() rejects non-finite values and confidence outside (0, 1)", () => {
  const invalid = (path: string) => (error: unknown) =>
    isThemisError(error) && error.code === "QUERY_INVALID" && error.details.path === path;
  assert.throws(() => summarize([1, Infinity]), invalid("values[1]"));
  assert.throws(() => summarize([1, 2], { confidence: 1 }), invalid("confidence"));
  assert.throws(() => summarize([1, 2], { confidence: 0 }), invalid("confidence"));
  assert.throws(() => summarize([1, 2], { confidence: 95 }), invalid("confidence"));
});
