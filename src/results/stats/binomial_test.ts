import assert from "node:assert/strict";
import { binomialCdf, binomialPmf } from "./binomial.ts";
import { assertClose, reference, relativeError, TRUTH_RELATIVE_TOLERANCE } from "./_reference.ts";

const cases = [
  { name: "binomialPmf", fn: binomialPmf, rows: reference.special.binomialPmf },
  { name: "binomialCdf", fn: binomialCdf, rows: reference.special.binomialCdf },
];

for (const { name, fn, rows } of cases) {
  Deno.test(`${name}() matches scipy.stats.binom within 1e-9 relative up to n = 1e6`, () => {
    for (const [k, n, p, scipy] of rows) {
      assertClose(fn(k, { n, p }), scipy, { path: `${name}(${k}, n=${n}, p=${p})` });
    }
  });

  Deno.test(`${name}() is within 1e-12 relative of exact mpmath sums`, () => {
    for (const [k, n, p, , truth] of rows) {
      const error = relativeError(fn(k, { n, p }), truth);
      assert.ok(error < TRUTH_RELATIVE_TOLERANCE, `${name}(${k}, n=${n}, p=${p}) error ${error}`);
    }
  });
}

Deno.test("binomialPmf() sums to 1 and equals exact fractions for small n", () => {
  let total = 0;
  for (let k = 0; k <= 12; k++) total += binomialPmf(k, { n: 12, p: 0.3 });
  assert.ok(Math.abs(total - 1) < 1e-15);
  assert.equal(binomialPmf(0, { n: 10, p: 0.5 }), 1 / 1024);
  assert.ok(relativeError(binomialPmf(5, { n: 10, p: 0.5 }), 252 / 1024) < 1e-15);
});

Deno.test("binomialCdf() floors k like SciPy and is 0 below 0 and 1 from n", () => {
  assert.equal(binomialCdf(2.7, { n: 5, p: 0.4 }), binomialCdf(2, { n: 5, p: 0.4 }));
  assert.equal(binomialCdf(-1, { n: 5, p: 0.4 }), 0);
  assert.equal(binomialCdf(5, { n: 5, p: 0.4 }), 1);
  assert.equal(binomialCdf(0, { n: 0, p: 0.5 }), 1);
});

Deno.test("binomialPmf() is 0 off the support; degenerate p puts all mass on one end", () => {
  assert.equal(binomialPmf(2.5, { n: 5, p: 0.4 }), 0);
  assert.equal(binomialPmf(6, { n: 5, p: 0.4 }), 0);
  assert.equal(binomialPmf(0, { n: 5, p: 0 }), 1);
  assert.equal(binomialPmf(5, { n: 5, p: 1 }), 1);
  assert.equal(binomialCdf(4, { n: 5, p: 1 }), 0);
});

Deno.test("binomial functions return NaN for invalid n or p", () => {
  assert.ok(Number.isNaN(binomialPmf(1, { n: 2.5, p: 0.5 })));
  assert.ok(Number.isNaN(binomialCdf(1, { n: -1, p: 0.5 })));
  assert.ok(Number.isNaN(binomialCdf(1, { n: 4, p: 1.5 })));
  assert.ok(Number.isNaN(binomialCdf(NaN, { n: 4, p: 0.5 })));
});
