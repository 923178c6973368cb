/**
 * How one trial's samples (candidates 0 … num_samples − 1) become one value per metric:
 * mean, max, majority vote over answers, or pass@k — with invalid answers and failed
 * generations counted by an explicit policy rather than silently dropped.
 *
 * @module
 */

import { canonicalJson } from "../core/canonical.ts";
import { closestMatch } from "../core/closest.ts";
import { ThemisError } from "../core/errors.ts";
import type { Json } from "../core/json.ts";

/** How one trial's per-sample metric values become one value. */
export const REDUCTION_KINDS = ["mean", "max", "majority", "pass_at_k"] as const;
export type ReductionKind = typeof REDUCTION_KINDS[number];

/** What `docs/metrics.md` says about each reduction. */
export const REDUCTION_DOCS: Record<ReductionKind, { summary: string; example: string }> = {
  mean: {
    summary: "The mean of the samples' values (the default; with one sample, its value).",
    example: 'reduction = "mean"',
  },
  max: {
    summary: 'The best sample value ("any sample right" for a 0/1 metric).',
    example: 'reduction = "max"',
  },
  majority: {
    summary: "Majority vote over the samples' answers (the parse's answer, or the raw text " +
      "when the score reads no parse; compared as canonical JSON), then the winning answer's " +
      "score. A tie goes to the answer seen first (lowest sample index).",
    example: 'reduction = "majority"',
  },
  pass_at_k: {
    summary: "The unbiased pass@k estimator of Chen et al. 2021 over the samples: a sample " +
      "is correct when its value is >= 1; invalid samples count as incorrect. Needs k <= " +
      "num_samples.",
    example: 'reduction = "pass_at_k"\nk = 5',
  },
};

/**
 * One sample of a trial for one score and metric, as a reduction sees it:
 * - `scored`: the metric's value and the answer it scored — the parse's answer, or the raw
 *   candidate text when the score reads no parse (what majority votes on);
 * - `invalid`: the parse found no answer, or a judge's verdict was unreadable or off its scale;
 * - `failed`: the generation (or the metric) failed: no evidence either way.
 */
export type SampleOutcome =
  | { status: "scored"; value: number; answer: Json }
  | { status: "invalid" }
  | { status: "failed" };

/** Options of {@linkcode reduceSamples}. */
export interface ReduceSamplesOptions {
  /** `pass_at_k`: k, 1 ≤ k. */
  k?: number;
  /** `pass_at_k`: a sample is correct when its value is >= threshold (default 1). */
  threshold?: number;
  /**
   * Invalid samples: `zero` (default) score `failingValue` — and vote together for "no
   * answer" in a majority — or `exclude`: they leave the reduction.
   */
  onInvalid?: "zero" | "exclude";
  /** Failed samples: `exclude` (default) or `zero` (treated like invalid samples under zero). */
  onFailed?: "exclude" | "zero";
  /** What an invalid sample scores under `zero`: the metric range's minimum (default 0). */
  failingValue?: number;
}

/** One trial's reduced value and how its samples counted. */
export interface TrialReduction {
  /** The trial's value; null when it stays out of means (see `status`). */
  value: number | null;
  /**
   * `scored`: some sample gave an answer that decided the value. `invalid`: no sample gave one
   * (or "no answer" won the vote); its value is the failing value under `zero`, else null.
   * `failed`: every sample failed. `insufficient`: pass@k with fewer than k usable samples.
   */
  status: "scored" | "invalid" | "failed" | "insufficient";
  scored: number;
  invalid: number;
  failed: number;
  /** `majority`: the index of the sample whose answer won; null when "no answer" won. */
  winner?: number | null;
}

function checkValues(values: readonly number[], kind: string): void {
  if (values.length === 0) {
    throw new ThemisError("INTERNAL", `${kind}() needs at least one sample value, got none`);
  }
  const bad = values.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
  if (bad !== -1) {
    throw new ThemisError(
      "INTERNAL",
      `${kind}(): sample ${bad} has the non-finite value ${values[bad]}`,
    );
  }
}

/**
 * Arithmetic mean of the samples' values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mean } from "./reductions.ts";
 * assert.equal(mean([1, 0, 1, 1]), 0.75);
 * ```
 */
export function mean(values: readonly number[]): number {
  checkValues(values, "mean");
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * The best sample value (e.g. "any sample right").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { max } from "./reductions.ts";
 * assert.equal(max([0, 0.5, 0.25]), 0.5);
 * ```
 */
export function max(values: readonly number[]): number {
  checkValues(values, "max");
  return values.reduce((a, b) => (b > a ? b : a));
}

/** The result of a vote: the first sample giving the winning answer, and its votes. */
export interface Vote {
  /** Index of the first sample with the winning answer; null when "no answer" won. */
  winner: number | null;
  votes: number;
}

/**
 * Majority vote over the samples' answers, compared as canonical JSON (`{a:1,b:2}` and
 * `{b:2,a:1}` agree; `1` and `"1"` do not). A tie goes to the answer seen first (the lowest
 * sample index). `undefined` is a sample without an answer: with `noAnswerVotes` all of them
 * vote together for "no answer" (which can win: winner null), else they abstain. Returns null
 * when nobody votes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { majorityVote } from "./reductions.ts";
 * assert.deepEqual(majorityVote(["A", "B", "C"]), { winner: 0, votes: 1 }); // tie: first
 * assert.deepEqual(majorityVote(["B", "A", "A"]), { winner: 1, votes: 2 });
 * assert.deepEqual(majorityVote([undefined, undefined, "A"], { noAnswerVotes: true }), { winner: null, votes: 2 });
 * ```
 */
export function majorityVote(
  answers: ReadonlyArray<Json | undefined>,
  { noAnswerVotes = false }: { noAnswerVotes?: boolean } = {},
): Vote | null {
  const votes = new Map<string, Vote>();
  answers.forEach((answer, i) => {
    if (answer === undefined && !noAnswerVotes) return;
    const key = answer === undefined ? "" : canonicalJson(answer); // "" is no JSON text
    const entry = votes.get(key);
    if (entry === undefined) votes.set(key, { winner: answer === undefined ? null : i, votes: 1 });
    else entry.votes++;
  });
  let best: Vote | null = null;
  // Map order is first-occurrence order, so ">" keeps the earliest answer on a tie.
  for (const entry of votes.values()) if (best === null || entry.votes > best.votes) best = entry;
  return best;
}

/**
 * The unbiased pass@k estimator of Chen et al. 2021 (Codex paper, §2.1): with `n` samples of
 * which `c` are correct, `1 - C(n-c, k) / C(n, k)`, computed as the stable product
 * `1 - Π_{i=n-c+1}^{n} (1 - k/i)` (their Figure 3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { passAtK } from "./reductions.ts";
 * assert.ok(Math.abs(passAtK(10, 3, 1) - 0.3) < 1e-12); // = 1 - (7/8)(8/9)(9/10)
 * assert.equal(passAtK(5, 4, 2), 1); // fewer than k wrong samples: every k-draw passes
 * ```
 */
export function passAtK(n: number, c: number, k: number): number {
  const ok = Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k) &&
    n >= 1 && c >= 0 && c <= n && k >= 1 && k <= n;
  if (!ok) {
    throw new ThemisError(
      "SPEC_INVALID",
      `pass@k needs integers with 0 ≤ c ≤ n and 1 ≤ k ≤ n (n = samples per trial); got ` +
        `n=${n}, c=${c}, k=${k}`,
      { suggestion: k > n ? `raise num_samples to at least ${k}, or lower k` : undefined },
    );
  }
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

/** The samples after the policies: what counts, and which samples vote with what. */
interface Counted {
  values: number[];
  scored: number;
  invalid: number;
  failed: number;
  /** Samples that score the failing value (invalid under zero, failed under zero). */
  failing: number;
  /** Voters: each sample's index and its answer (undefined = "no answer"). */
  voters: Array<{ index: number; answer: Json | undefined; value: number | undefined }>;
}

function applyPolicies(samples: readonly SampleOutcome[], options: ReduceSamplesOptions): Counted {
  const { onInvalid = "zero", onFailed = "exclude", failingValue = 0 } = options;
  const counted: Counted = { values: [], scored: 0, invalid: 0, failed: 0, failing: 0, voters: [] };
  samples.forEach((sample, index) => {
    if (sample.status === "scored") {
      counted.scored++;
      counted.values.push(sample.value);
      counted.voters.push({ index, answer: sample.answer, value: sample.value });
      return;
    }
    if (sample.status === "invalid") counted.invalid++;
    else counted.failed++;
    const policy = sample.status === "invalid" ? onInvalid : onFailed;
    if (policy !== "zero") return;
    counted.failing++;
    counted.values.push(failingValue);
    counted.voters.push({ index, answer: undefined, value: undefined });
  });
  return counted;
}

function checkSamples(samples: readonly SampleOutcome[]): void {
  if (samples.length === 0) {
    throw new ThemisError("INTERNAL", "reduceSamples() needs at least one sample, got none");
  }
  const values = samples.flatMap((s) => (s.status === "scored" ? [s.value] : []));
  if (values.length > 0) checkValues(values, "reduceSamples");
}

function unknownKind(kind: string): never {
  const near = closestMatch(String(kind), REDUCTION_KINDS);
  throw new ThemisError(
    "SPEC_INVALID",
    `unknown reduction "${kind}"; use one of ${REDUCTION_KINDS.join(", ")}`,
    near === undefined ? {} : { suggestion: `did you mean "${near}"?` },
  );
}

/** pass@k over the counted samples: invalid samples are incorrect ones, never left out. */
function passAtKOf(c: Counted, options: ReduceSamplesOptions): Omit<TrialReduction, keyof Counts> {
  const { k, threshold = 1, onFailed = "exclude" } = options;
  if (k === undefined) {
    throw new ThemisError("SPEC_INVALID", "the pass_at_k reduction needs k (e.g. k = 1)");
  }
  // A trial with no answer at all leaves the means under "exclude", like any other reduction.
  if (c.scored === 0 && options.onInvalid === "exclude") return { value: null, status: "invalid" };
  const n = c.scored + c.invalid + (onFailed === "zero" ? c.failed : 0);
  if (n < k) return { value: null, status: "insufficient" };
  const correct = c.voters.filter((v) => v.value !== undefined && v.value >= threshold).length;
  return { value: passAtK(n, correct, k), status: c.scored > 0 ? "scored" : "invalid" };
}

type Counts = Pick<TrialReduction, "scored" | "invalid" | "failed">;

/** mean, max or majority over the counted samples (at least one counts). */
function reduceCounted(
  kind: "mean" | "max" | "majority",
  c: Counted,
  failingValue: number,
): Omit<TrialReduction, keyof Counts> {
  const status = c.scored > 0 ? "scored" : "invalid";
  if (kind === "mean") return { value: mean(c.values), status };
  if (kind === "max") return { value: max(c.values), status };
  const vote = majorityVote(c.voters.map((v) => v.answer), { noAnswerVotes: true })!;
  if (vote.winner === null) return { value: failingValue, status: "invalid", winner: null };
  const voter = c.voters[vote.winner];
  return { value: voter.value!, status: "scored", winner: voter.index };
}

/**
 * Reduces one trial's samples for one metric by `kind`, counting invalid answers and failed
 * generations by policy (defaults: invalid samples score `failingValue`, failed ones are left
 * out — see {@linkcode ReduceSamplesOptions}):
 *
 * - `mean` / `max` over the counted values;
 * - `majority`: {@linkcode majorityVote} over the answers of the scored samples (invalid ones
 *   voting together for "no answer" under `zero`), then the winning sample's value — the
 *   winner is scored, so with a deterministic metric the trial's value is its answer's score;
 * - `pass_at_k`: {@linkcode passAtK} with n = scored + invalid samples (+ failed under
 *   `onFailed: "zero"`) and c = scored samples with value >= threshold — invalid samples are
 *   always incorrect samples, whatever `onInvalid` says, because leaving them out would raise
 *   pass@k for a model that fails to answer.
 *
 * The status tells which trial count the trial belongs to (n_scored, n_invalid, n_failed);
 * `scored`, `invalid` and `failed` count its samples.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reduceSamples } from "./reductions.ts";
 * // Issue 12: "A", "B", "C" with reference "A" — the tie goes to "A", which scores 1.
 * const votes = [
 *   { status: "scored", value: 1, answer: "A" },
 *   { status: "scored", value: 0, answer: "B" },
 *   { status: "scored", value: 0, answer: "C" },
 * ] as const;
 * assert.equal(reduceSamples("majority", votes).value, 1);
 * const one = reduceSamples("mean", [{ status: "invalid" }]);
 * assert.deepEqual([one.value, one.status], [0, "invalid"]);
 * ```
 */
export function reduceSamples(
  kind: ReductionKind,
  samples: readonly SampleOutcome[],
  options: ReduceSamplesOptions = {},
): TrialReduction {
  if (!REDUCTION_KINDS.includes(kind)) unknownKind(kind);
  checkSamples(samples);
  const c = applyPolicies(samples, options);
  const counts: Counts = { scored: c.scored, invalid: c.invalid, failed: c.failed };
  if (kind === "pass_at_k") {
    const noEvidence = c.scored + c.invalid === 0 && c.failing === 0;
    return {
      ...(noEvidence ? { value: null, status: "failed" } : passAtKOf(c, options)),
      ...counts,
    };
  }
  if (c.values.length === 0) {
    const status = c.invalid > 0 ? "invalid" : "failed";
    return { value: null, status, ...counts, ...(kind === "majority" ? { winner: null } : {}) };
  }
  return { ...reduceCounted(kind, c, options.failingValue ?? 0), ...counts };
}
