import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import {
  clopperPearsonInterval,
  proportionInterval,
  wilsonInterval,
} from "./proportion_interval.ts";
import {
  assertClose,
  intervalReference,
  relativeError,
  TRUTH_RELATIVE_TOLERANCE,
} from "./_reference.ts";

const cases = intervalReference.proportions;

Deno.test("wilsonInterval() matches statsmodels proportion_confint(method='wilson') within 1e-9", () => {
  for (const c of cases) {
    const r = wilsonInterval(c.successes, c.trials, { confidence: c.confidence });
    assertClose([r.low, r.high], c.wilson, { path: `wilson(${c.successes}/${c.trials})` });
  }
});

Deno.test("wilsonInterval() is within 1e-12 relative of the 40-digit formula", () => {
  for (const c of cases) {
    const r = wilsonInterval(c.successes, c.trials, { confidence: c.confidence });
    for (const [got, truth] of [[r.low, c.wilsonTruth[0]], [r.high, c.wilsonTruth[1]]]) {
      const error = relativeError(got, truth);
      assert.ok(error < TRUTH_RELATIVE_TOLERANCE, `${c.successes}/${c.trials}: ${got} ${truth}`);
    }
  }
});

Deno.test("clopperPearsonInterval() matches statsmodels proportion_confint(method='beta') within 1e-9", () => {
  for (const c of cases) {
    const r = clopperPearsonInterval(c.successes, c.trials, { confidence: c.confidence });
    assertClose([r.low, r.high], c.clopperPearson, {
      path: `clopperPearson(${c.successes}/${c.trials}, ${c.confidence})`,
    });
    assertClose([r.low, r.high], c.clopperPearsonTruth, { tolerance: 1e-11 });
  }
});

Deno.test("proportion intervals stay in [0, 1], contain the estimate, and Clopper–Pearson is wider", () => {
  for (let n = 1; n <= 40; n++) {
    for (let c = 0; c <= n; c++) {
      const w = wilsonInterval(c, n);
      const cp = clopperPearsonInterval(c, n);
      for (const r of [w, cp]) {
        assert.ok(r.low >= 0 && r.high <= 1, `${r.method} ${c}/${n}`);
        assert.ok(r.low <= c / n && c / n <= r.high, `${r.method} ${c}/${n}`);
      }
      assert.ok(cp.low <= w.low + 1e-15 || c === 0, `${c}/${n}`);
      // Relabelling successes as failures mirrors the interval.
      const mirrored = wilsonInterval(n - c, n);
      assert.ok(Math.abs(mirrored.low - (1 - w.high)) < 1e-15, `${c}/${n}`);
    }
  }
  assert.deepEqual(wilsonInterval(0, 5).low, 0);
  assert.deepEqual(wilsonInterval(5, 5).high, 1);
  assert.deepEqual([clopperPearsonInterval(0, 5).low, clopperPearsonInterval(5, 5).high], [0, 1]);
});

Deno.test("proportionInterval() dispatches by method and names bad input with QUERY_INVALID", () => {
  assert.deepEqual(proportionInterval(3, 8), wilsonInterval(3, 8));
  assert.deepEqual(
    proportionInterval(3, 8, { method: "clopper_pearson", confidence: 0.9 }),
    clopperPearsonInterval(3, 8, { confidence: 0.9 }),
  );
  const invalid = (path: string) => (e: unknown) =>
    isThemisError(e) && e.code === "QUERY_INVALID" && e.details.path === path;
  assert.throws(() => proportionInterval(1, 2, { method: "wald" as never }), invalid("method"));
  assert.throws(() => wilsonInterval(3, 2), invalid("successes"));
  assert.throws(() => wilsonInterval(-1, 2), invalid("successes"));
  assert.throws(() => wilsonInterval(1.5, 2), invalid("successes"));
  assert.throws(() => clopperPearsonInterval(0, 0), invalid("trials"));
  assert.throws(() => wilsonInterval(1, 2, { confidence: 1 }), invalid("confidence"));
});
