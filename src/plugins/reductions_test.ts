import assert from "node:assert/strict";
import { isThemisError } from "../core/errors.ts";
import type { Json } from "../core/json.ts";
import {
  majorityVote,
  max,
  mean,
  passAtK,
  reduceSamples,
  REDUCTION_DOCS,
  REDUCTION_KINDS,
  type SampleOutcome,
} from "./reductions.ts";

const code = (expected: string) => (e: unknown) => isThemisError(e) && e.code === expected;
const scored = (value: number, answer: Json): SampleOutcome => ({
  status: "scored",
  value,
  answer,
});
const INVALID: SampleOutcome = { status: "invalid" };
const FAILED: SampleOutcome = { status: "failed" };

Deno.test("mean() and max() reduce values and refuse no values or non-finite values", () => {
  assert.equal(mean([1, 0, 1, 1]), 0.75);
  assert.equal(max([0, 0.5, 0.25]), 0.5);
  assert.equal(max([-2, -1]), -1);
  assert.throws(() => mean([]), code("INTERNAL"));
  assert.throws(() => max([]), code("INTERNAL"));
  assert.throws(() => mean([1, NaN]), code("INTERNAL"));
});

Deno.test("majorityVote() returns the first sample of the most frequent answer", () => {
  assert.deepEqual(majorityVote(["42", "41", "42"]), { winner: 0, votes: 2 });
  assert.deepEqual(majorityVote(["41", "42", "42"]), { winner: 1, votes: 2 });
  assert.deepEqual(majorityVote(["B", "A", "A", "B"]), { winner: 0, votes: 2 }); // tie: B first
  assert.deepEqual(majorityVote([{ a: 1, b: 2 }, { a: 3 }, { b: 2, a: 1 }]), {
    winner: 0,
    votes: 2,
  });
  assert.deepEqual(majorityVote([1, "1", "1"]), { winner: 1, votes: 2 }); // 1 ≠ "1"
  assert.equal(majorityVote([]), null);
});

Deno.test("majorityVote() lets samples without an answer abstain, or vote for 'no answer'", () => {
  assert.deepEqual(majorityVote([undefined, undefined, "x"]), { winner: 2, votes: 1 });
  assert.equal(majorityVote([undefined]), null);
  assert.deepEqual(majorityVote([undefined, "x", undefined], { noAnswerVotes: true }), {
    winner: null,
    votes: 2,
  });
  // "no answer" ties with "x" and came first.
  assert.deepEqual(majorityVote([undefined, "x"], { noAnswerVotes: true })?.winner, null);
  assert.deepEqual(majorityVote(["x", undefined], { noAnswerVotes: true })?.winner, 0);
});

// Reference values: the Codex paper (Chen et al. 2021) estimator 1 - C(n-c,k)/C(n,k),
// computed with exact integers in Python (`1 - comb(n-c, k) / comb(n, k)` and Fractions)
// and with the paper's numpy product `1 - np.prod(1 - k / np.arange(n - c + 1, n + 1))`.
const PASS_AT_K = [
  { n: 10, c: 3, k: 1, expected: 0.3 }, // = c/n for k = 1
  { n: 10, c: 3, k: 5, expected: 0.9166666666666666 }, // 1 - C(7,5)/C(10,5) = 1 - 21/252
  { n: 200, c: 13, k: 10, expected: 0.4975511147306061 },
  { n: 200, c: 13, k: 100, expected: 0.9999194971988055 },
  { n: 1000, c: 1, k: 1, expected: 0.001 },
  // C(1500, 700) ≈ 10^448 overflows a double: only the product form gets these right
  { n: 1500, c: 3, k: 700, expected: 0.8485619696620177 },
  { n: 2000, c: 2, k: 1000, expected: 0.7501250625312657 },
];

Deno.test("passAtK() matches the Codex paper's estimator", () => {
  for (const { n, c, k, expected } of PASS_AT_K) {
    const got = passAtK(n, c, k);
    assert.ok(Math.abs(got - expected) < 1e-12, `pass@${k} n=${n} c=${c}: ${got} != ${expected}`);
  }
});

Deno.test("passAtK() is 0 with no correct sample and 1 when fewer than k are wrong", () => {
  assert.equal(passAtK(5, 0, 1), 0);
  assert.equal(passAtK(5, 0, 5), 0);
  assert.equal(passAtK(5, 5, 1), 1);
  assert.equal(passAtK(5, 4, 2), 1);
  assert.equal(passAtK(1, 1, 1), 1);
});

Deno.test("passAtK() rejects impossible arguments, suggesting more samples for k > n", () => {
  for (const [n, c, k] of [[0, 0, 1], [5, 6, 1], [5, -1, 1], [5, 1, 0], [5, 1, 1.5], [2, 1, 3]]) {
    assert.throws(() => passAtK(n, c, k), code("SPEC_INVALID"), `${n} ${c} ${k}`);
  }
  assert.throws(
    () => passAtK(2, 1, 3),
    (e) =>
      isThemisError(e) && e.details.suggestion === "raise num_samples to at least 3, or lower k",
  );
});

Deno.test("reduceSamples('majority') votes on answers, then scores the winner (issue 12)", () => {
  // Raw text "A", "B", "C" against reference "A": each answer once, the tie goes to "A".
  const abc = [scored(1, "A"), scored(0, "B"), scored(0, "C")];
  assert.deepEqual(reduceSamples("majority", abc), {
    value: 1,
    status: "scored",
    scored: 3,
    invalid: 0,
    failed: 0,
    winner: 0,
  });
  // Two wrong answers that differ do not outvote one right answer given twice.
  const r = reduceSamples("majority", [
    scored(0, "7"),
    scored(1, "12"),
    scored(0, "9"),
    scored(1, "12"),
  ]);
  assert.deepEqual([r.value, r.winner], [1, 1]);
  // Equal answers outvote: the value follows the answer, not the count of correct samples.
  assert.equal(
    reduceSamples("majority", [scored(0, "7"), scored(0, "7"), scored(1, "12")]).value,
    0,
  );
});

Deno.test("reduceSamples() counts invalid samples as failing by default, or leaves them out", () => {
  const mixed = [scored(1, "4"), INVALID, INVALID, scored(1, "4")];
  assert.deepEqual(reduceSamples("mean", mixed), {
    value: 0.5,
    status: "scored",
    scored: 2,
    invalid: 2,
    failed: 0,
  });
  assert.equal(reduceSamples("mean", mixed, { onInvalid: "exclude" }).value, 1);
  // Under zero, the invalid samples vote together for "no answer" and win the tie (first).
  const vote = reduceSamples("majority", [INVALID, scored(1, "4"), INVALID, scored(1, "4")]);
  assert.deepEqual([vote.value, vote.status, vote.winner], [0, "invalid", null]);
  const abstain = reduceSamples("majority", [INVALID, scored(1, "4"), INVALID], {
    onInvalid: "exclude",
  });
  assert.deepEqual([abstain.value, abstain.winner], [1, 1]);
  // A metric whose failing value is not 0.
  assert.equal(reduceSamples("max", [INVALID], { failingValue: -1 }).value, -1);
});

Deno.test("reduceSamples() of a trial with no answer: invalid, zero or out of the mean", () => {
  for (const kind of REDUCTION_KINDS) {
    const zero = reduceSamples(kind, [INVALID], { k: 1 });
    assert.deepEqual([zero.value, zero.status], [0, "invalid"], kind);
    const out = reduceSamples(kind, [INVALID], { k: 1, onInvalid: "exclude" });
    assert.deepEqual([out.value, out.status], [null, "invalid"], kind);
  }
});

Deno.test("reduceSamples() leaves failed generations out by default, or counts them as zero", () => {
  for (const kind of REDUCTION_KINDS) {
    const r = reduceSamples(kind, [FAILED, FAILED], { k: 1 });
    assert.deepEqual([r.value, r.status, r.failed], [null, "failed", 2], kind);
  }
  assert.equal(reduceSamples("mean", [FAILED, scored(1, "x")]).value, 1);
  assert.equal(reduceSamples("mean", [FAILED, scored(1, "x")], { onFailed: "zero" }).value, 0.5);
  const zero = reduceSamples("mean", [FAILED], { onFailed: "zero" });
  assert.deepEqual([zero.value, zero.status], [0, "invalid"]);
});

Deno.test("reduceSamples('pass_at_k') counts invalid samples as incorrect, whatever onInvalid says", () => {
  const samples = [scored(1, "x"), INVALID, INVALID, scored(0, "y")];
  const expected = passAtK(4, 1, 2);
  for (const onInvalid of ["zero", "exclude"] as const) {
    const r = reduceSamples("pass_at_k", samples, { k: 2, onInvalid });
    assert.deepEqual([r.value, r.status], [expected, "scored"], onInvalid);
  }
  // Failed samples are not attempts: n = 2 here, and pass@2 with one correct is 1.
  assert.equal(
    reduceSamples("pass_at_k", [scored(1, "x"), scored(0, "y"), FAILED], { k: 2 }).value,
    1,
  );
  const short = reduceSamples("pass_at_k", [scored(1, "x"), FAILED], { k: 2 });
  assert.deepEqual([short.value, short.status], [null, "insufficient"]);
  assert.ok(
    Math.abs(
      reduceSamples("pass_at_k", [scored(0.9, "a"), scored(0.5, "b")], { k: 1, threshold: 0.8 })
        .value! - 0.5,
    ) < 1e-12,
  );
});

Deno.test("reduceSamples() names what is missing or unknown", () => {
  assert.throws(() => reduceSamples("mean", []), code("INTERNAL"));
  assert.throws(() => reduceSamples("mean", [scored(NaN, "x")]), code("INTERNAL"));
  assert.throws(() => reduceSamples("pass_at_k", [scored(1, "x")]), code("SPEC_INVALID"));
  assert.throws(
    () => reduceSamples("meen" as never, [scored(1, "x")]),
    (e) =>
      isThemisError(e) && e.code === "SPEC_INVALID" &&
      e.details.suggestion === 'did you mean "mean"?',
  );
});

Deno.test("every reduction kind is documented", () => {
  assert.deepEqual(Object.keys(REDUCTION_DOCS).sort(), [...REDUCTION_KINDS].sort());
});
