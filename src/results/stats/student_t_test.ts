import assert from "node:assert/strict";
import { studentTCdf, studentTQuantile, studentTSf } from "./student_t.ts";
import { normalQuantile } from "./normal.ts";
import { assertClose, reference, relativeError, TRUTH_RELATIVE_TOLERANCE } from "./_reference.ts";

const cases = [
  { name: "studentTCdf", fn: studentTCdf, rows: reference.special.studentTCdf },
  { name: "studentTSf", fn: studentTSf, rows: reference.special.studentTSf },
  { name: "studentTQuantile", fn: studentTQuantile, rows: reference.special.studentTQuantile },
];

for (const { name, fn, rows } of cases) {
  Deno.test(`${name}() matches scipy.stats.t within 1e-9 relative for df from 1 to 1e6`, () => {
    for (const [x, df, scipy] of rows) {
      assertClose(fn(x, df), scipy, { path: `${name}(${x}, ${df})` });
    }
  });

  Deno.test(`${name}() is within 1e-12 relative of 50-digit mpmath`, () => {
    for (const [x, df, , truth] of rows) {
      const error = relativeError(fn(x, df), truth);
      assert.ok(error < TRUTH_RELATIVE_TOLERANCE, `${name}(${x}, ${df}) error ${error}`);
    }
  });
}

Deno.test("studentTQuantile() has the closed forms for df = 1 and df = 2", () => {
  for (const p of [0.6, 0.9, 0.975, 0.999]) {
    const cauchy = Math.tan(Math.PI * (p - 0.5));
    assert.ok(relativeError(studentTQuantile(p, 1), cauchy) < 1e-13, `df=1, p=${p}`);
    const alpha = 4 * p * (1 - p);
    const df2 = 2 * (p - 0.5) * Math.sqrt(2 / alpha);
    assert.ok(relativeError(studentTQuantile(p, 2), df2) < 1e-13, `df=2, p=${p}`);
  }
});

Deno.test("studentTQuantile() approaches the normal quantile as df grows", () => {
  const z = normalQuantile(0.975);
  assert.ok(relativeError(studentTQuantile(0.975, 1e12), z) < 1e-10);
});

Deno.test("studentTQuantile() inverts studentTCdf() in the far tails", () => {
  for (const df of [1, 3, 30]) {
    for (const p of [1e-12, 1e-30]) {
      const t = studentTQuantile(p, df);
      assert.ok(relativeError(studentTCdf(t, df), p) < 1e-12, `df=${df}, p=${p}, t=${t}`);
    }
  }
});

Deno.test("studentTQuantile() is ±Infinity at 0 and 1, and Infinity past the double range", () => {
  assert.equal(studentTQuantile(0, 5), -Infinity);
  assert.equal(studentTQuantile(1, 5), Infinity);
  assert.equal(studentTQuantile(0.5, 5), 0);
  // For df = 0.5 the 1e-300 quantile is about 1e600.
  assert.equal(studentTQuantile(1e-300, 0.5), -Infinity);
});

Deno.test("Student t functions return NaN for invalid df or probability", () => {
  assert.ok(Number.isNaN(studentTCdf(1, 0)));
  assert.ok(Number.isNaN(studentTSf(1, -2)));
  assert.ok(Number.isNaN(studentTCdf(NaN, 3)));
  assert.ok(Number.isNaN(studentTQuantile(0.5, 0)));
  assert.ok(Number.isNaN(studentTQuantile(1.2, 4)));
});

Deno.test("studentTCdf() and studentTSf() are complementary and symmetric", () => {
  for (const [t, df] of [[2.5, 7], [0.1, 1], [40, 3]]) {
    assert.equal(studentTCdf(-t, df), studentTSf(t, df));
    assert.ok(Math.abs(studentTCdf(t, df) + studentTSf(t, df) - 1) < 1e-15);
  }
  assert.equal(studentTCdf(Infinity, 4), 1);
  assert.equal(studentTCdf(-Infinity, 4), 0);
});

Deno.test("studentTQuantile() keeps relative precision just above p = ½", () => {
  // t ≈ (p − ½)/f(0) with f(0) = 3/8 for df = 4; the O(t³) correction is far below 1e-12.
  // (scipy.stats.t.ppf loses this: it returns 2^-25 for p = ½ + 1.0987e-8.)
  const dp = 2 ** -30;
  assert.ok(relativeError(studentTQuantile(0.5 + dp, 4), dp / 0.375) < 1e-12);
});
