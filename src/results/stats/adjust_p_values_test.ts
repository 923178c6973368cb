import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import { benjaminiHochberg, holm } from "./adjust_p_values.ts";
import { assertClose, reference } from "./_reference.ts";

for (const { name, pValues, expected } of reference.holm) {
  Deno.test(`holm() matches the textbook step-down computed in the reference script: ${name}`, () => {
    assertClose(holm(pValues), expected);
  });
}

for (const { name, pValues, expected } of reference.benjaminiHochberg) {
  Deno.test(`benjaminiHochberg() matches scipy.stats.false_discovery_control(method='bh'): ${name}`, () => {
    assertClose(benjaminiHochberg(pValues), expected);
  });
}

Deno.test("holm() and benjaminiHochberg() keep input order and never lower a p-value", () => {
  const p = [0.2, 0.001, 0.04, 0.03, 0.5];
  for (const adjust of [holm, benjaminiHochberg]) {
    const adjusted = adjust(p);
    adjusted.forEach((a, i) => assert.ok(a >= p[i] && a <= 1, `${adjust.name}[${i}]`));
    // Adjusted values are monotone in the raw p-values.
    const order = p.map((_, i) => i).sort((i, j) => p[i] - p[j]);
    for (let k = 1; k < order.length; k++) {
      assert.ok(adjusted[order[k]] >= adjusted[order[k - 1]], `${adjust.name} monotone`);
    }
  }
});

Deno.test("holm() is never smaller than benjaminiHochberg()", () => {
  const p = [0.01, 0.02, 0.03, 0.04, 0.05];
  const h = holm(p);
  benjaminiHochberg(p).forEach((bh, i) => assert.ok(h[i] >= bh));
  assert.deepEqual(benjaminiHochberg(p), [0.05, 0.05, 0.05, 0.05, 0.05]);
});

Deno.test("p-value adjustments reject values outside [0, 1] naming the index", () => {
  for (const adjust of [holm, benjaminiHochberg]) {
    assert.throws(
      () => adjust([0.1, 1.2]),
      (error) =>
        isThemisError(error) && error.code === "QUERY_INVALID" &&
        error.details.path === "pValues[1]",
    );
    assert.throws(
      () => adjust([NaN]),
      (error) => isThemisError(error) && error.code === "QUERY_INVALID",
    );
  }
});
