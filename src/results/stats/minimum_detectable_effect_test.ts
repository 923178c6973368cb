import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import {
  detectableNoncentrality,
  itemsToDetect,
  minimumDetectableEffect,
} from "./minimum_detectable_effect.ts";
import { normalCdf, normalQuantile } from "./normal.ts";
import { intervalReference, relativeError, TRUTH_RELATIVE_TOLERANCE } from "./_reference.ts";

const power = intervalReference.power;

Deno.test("detectableNoncentrality() is the 40-digit root of statsmodels' normal_power equation", () => {
  for (const c of power.noncentrality) {
    const got = detectableNoncentrality({ alpha: c.alpha, power: c.power });
    const error = relativeError(got, c.truth);
    assert.ok(error < TRUTH_RELATIVE_TOLERANCE, `α=${c.alpha} power=${c.power}: ${error}`);
    // statsmodels' solve_power stops at its root finder's tolerance (here ~1e-6 relative).
    assert.ok(relativeError(got, c.statsmodelsSolvePower) < 1e-5);
  }
});

Deno.test("minimumDetectableEffect() gives the MDE whose power statsmodels computes as requested", () => {
  for (const c of power.mde) {
    const options = { alpha: c.alpha, power: c.power };
    const paired = minimumDetectableEffect(c.sd / Math.sqrt(c.n), options);
    const unpaired = minimumDetectableEffect(Math.sqrt(2 * c.sd ** 2 / c.n), options);
    assert.ok(relativeError(paired, c.truthPaired) < TRUTH_RELATIVE_TOLERANCE, `${paired}`);
    assert.ok(relativeError(unpaired, c.truthUnpaired) < TRUTH_RELATIVE_TOLERANCE, `${unpaired}`);
    // statsmodels' NormalIndPower().power() at these MDEs is the requested power (to 1e-9).
    assert.ok(relativeError(c.statsmodelsPowerAtTruth.paired, c.power) < 1e-9);
    assert.ok(relativeError(c.statsmodelsPowerAtTruth.unpaired, c.power) < 1e-9);
  }
});

Deno.test("itemsToDetect() inverts the MDE and agrees with statsmodels' solve_power(nobs1=None)", () => {
  for (const c of power.items) {
    const r = itemsToDetect(c.delta, { sd: c.sd, alpha: c.alpha, power: c.power });
    assert.ok(relativeError(r.exact, c.truth) < TRUTH_RELATIVE_TOLERANCE, `${r.exact}`);
    assert.equal(r.items, c.items);
    assert.ok(relativeError(r.exact, c.statsmodelsSolvePower) < 1e-7);
    // The same from an observed SE on any n: sd = se·√n.
    const n = 250;
    const fromSe = itemsToDetect(c.delta, { se: c.sd / Math.sqrt(n), n, ...c });
    assert.ok(relativeError(fromSe.exact, r.exact) < 1e-14);
    // Planning with the MDE of the planned n gives that n back.
    const mde = minimumDetectableEffect(c.sd / Math.sqrt(r.exact), c);
    assert.ok(relativeError(mde, c.delta) < 1e-14);
  }
});

Deno.test("detectableNoncentrality() counts both rejection tails", () => {
  const z = -normalQuantile(0.025);
  const lambda = detectableNoncentrality();
  const achieved = normalCdf(lambda - z) + normalCdf(-lambda - z);
  assert.ok(Math.abs(achieved - 0.8) < 1e-15);
  assert.ok(lambda < z + normalQuantile(0.8)); // the far tail adds a little power
});

Deno.test("power functions reject impossible settings with QUERY_INVALID", () => {
  const invalid = (path: string) => (e: unknown) =>
    isThemisError(e) && e.code === "QUERY_INVALID" && e.details.path === path;
  assert.throws(() => detectableNoncentrality({ alpha: 0 }), invalid("alpha"));
  assert.throws(() => detectableNoncentrality({ power: 0.01 }), invalid("power"));
  assert.throws(() => detectableNoncentrality({ power: 1 }), invalid("power"));
  assert.throws(() => minimumDetectableEffect(-1), invalid("se"));
  assert.throws(() => itemsToDetect(0, { sd: 1 }), invalid("delta"));
  assert.throws(() => itemsToDetect(0.1, { sd: 0 }), invalid("sd"));
  assert.throws(() => itemsToDetect(0.1, { se: 0.1, n: 0 }), invalid("se"));
});
