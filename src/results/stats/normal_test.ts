import assert from "node:assert/strict";
import { erfc, normalCdf, normalQuantile } from "./normal.ts";
import { assertClose, reference, relativeError, TRUTH_RELATIVE_TOLERANCE } from "./_reference.ts";

const cases = [
  { name: "erfc", fn: erfc, rows: reference.special.erfc },
  { name: "normalCdf", fn: normalCdf, rows: reference.special.normalCdf },
  { name: "normalQuantile", fn: normalQuantile, rows: reference.special.normalQuantile },
];

for (const { name, fn, rows } of cases) {
  Deno.test(`${name}() matches SciPy within 1e-9 relative`, () => {
    for (const [x, scipy] of rows) assertClose(fn(x), scipy, { path: `${name}(${x})` });
  });

  Deno.test(`${name}() is within 1e-12 relative of 50-digit mpmath`, () => {
    for (const [x, , truth] of rows) {
      const error = relativeError(fn(x), truth);
      assert.ok(error < TRUTH_RELATIVE_TOLERANCE, `${name}(${x}) error ${error}`);
    }
  });
}

Deno.test("normalCdf() keeps relative precision deep in the lower tail", () => {
  // Φ(−30) ≈ 4.906713927148187e-198 (mpmath); 1 − Φ(30) would round to 0.
  assert.ok(relativeError(normalCdf(-30), 4.906713927148187e-198) < 1e-12);
  assert.equal(normalCdf(0), 0.5);
  assert.equal(normalCdf(-Infinity), 0);
  assert.equal(normalCdf(Infinity), 1);
});

Deno.test("normalQuantile() inverts normalCdf() across both tails", () => {
  for (const p of [1e-300, 1e-100, 1e-7, 0.01, 0.2, 0.4999, 0.75, 0.999, 1 - 1e-10]) {
    const x = normalQuantile(p);
    const back = p < 0.5 ? normalCdf(x) : 1 - normalCdf(x);
    const target = p < 0.5 ? p : 1 - p;
    assert.ok(relativeError(back, target) < 1e-12, `p=${p}: x=${x}, back=${back}`);
  }
});

Deno.test("normalQuantile() is antisymmetric, infinite at 0 and 1, NaN outside [0, 1]", () => {
  assert.equal(normalQuantile(0.5), 0);
  assert.equal(normalQuantile(0.9), -normalQuantile(0.09999999999999998));
  assert.equal(normalQuantile(0), -Infinity);
  assert.equal(normalQuantile(1), Infinity);
  assert.ok(Number.isNaN(normalQuantile(-0.1)));
  assert.ok(Number.isNaN(normalQuantile(1.5)));
  assert.ok(Number.isNaN(normalQuantile(NaN)));
});

Deno.test("erfc() is 2 − erfc(−x), 1 at 0 and NaN for NaN", () => {
  assert.equal(erfc(0), 1);
  assert.equal(erfc(-3), 2 - erfc(3));
  assert.equal(erfc(40), 0);
  assert.ok(Number.isNaN(erfc(NaN)));
});
