import { canonicalJson } from "../core/canonical.ts";
import { closestMatch } from "../core/closest.ts";
import { ThemisError } from "../core/errors.ts";
import type { Json } from "../core/json.ts";

/** How one trial's per-sample metric values become one value. */
export const REDUCTION_KINDS = ["mean", "max", "majority", "pass_at_k"] as const;
export type ReductionKind = typeof REDUCTION_KINDS[number];

/** Options of {@linkcode reduce}. */
export interface ReduceOptions {
  /** `majority`: each sample's answer; `undefined` = the sample has none and does not vote. */
  answers?: ReadonlyArray<Json | undefined>;
  /** `pass_at_k`: k, 1 ≤ k ≤ number of samples. */
  k?: number;
  /** `pass_at_k`: a sample counts as correct when its value ≥ threshold (default 1). */
  threshold?: number;
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
 * import { mean } from "./reductions.ts";
 * console.assert(mean([1, 0, 1, 1]) === 0.75);
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
 * import { max } from "./reductions.ts";
 * console.assert(max([0, 0.5, 0.25]) === 0.5);
 * ```
 */
export function max(values: readonly number[]): number {
  checkValues(values, "max");
  return values.reduce((a, b) => (b > a ? b : a));
}

/**
 * Majority vote over the samples' answers (compared as canonical JSON, so `{a:1,b:2}` and
 * `{b:2,a:1}` agree): the value of the first sample giving the most frequent answer; ties go to
 * the answer that appears first. Samples without an answer (`undefined`) do not vote.
 *
 * @example
 * ```ts
 * import { majority } from "./reductions.ts";
 * console.assert(majority(["42", "41", "42"], [1, 0, 1]) === 1);
 * console.assert(majority(["B", "A", "A", "B"], [0, 1, 1, 0]) === 0); // tie: "B" came first
 * ```
 */
export function majority(
  answers: ReadonlyArray<Json | undefined>,
  values: readonly number[],
): number {
  checkValues(values, "majority");
  if (answers.length !== values.length) {
    throw new ThemisError(
      "INTERNAL",
      `majority() needs one answer per sample: ${answers.length} answers, ${values.length} values`,
    );
  }
  const votes = new Map<string, { count: number; first: number }>();
  answers.forEach((answer, i) => {
    if (answer === undefined) return;
    const key = canonicalJson(answer);
    const entry = votes.get(key);
    if (entry === undefined) votes.set(key, { count: 1, first: i });
    else entry.count++;
  });
  let winner: { count: number; first: number } | undefined;
  for (const entry of votes.values()) {
    // Map order is first-occurrence order, so ">" keeps the earliest answer on a tie.
    if (winner === undefined || entry.count > winner.count) winner = entry;
  }
  if (winner === undefined) {
    throw new ThemisError("INTERNAL", "majority() needs at least one sample with an answer");
  }
  return values[winner.first];
}

/**
 * The unbiased pass@k estimator of Chen et al. 2021 (Codex paper, §2.1): with `n` samples of
 * which `c` are correct, `1 - C(n-c, k) / C(n, k)`, computed as the stable product
 * `1 - Π_{i=n-c+1}^{n} (1 - k/i)` (their Figure 3).
 *
 * @example
 * ```ts
 * import { passAtK } from "./reductions.ts";
 * console.assert(Math.abs(passAtK(10, 3, 1) - 0.3) < 1e-12); // = 1 - (7/8)(8/9)(9/10)
 * console.assert(passAtK(5, 4, 2) === 1); // fewer than k wrong samples: every k-draw passes
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

/**
 * Reduces one trial's per-sample values with `kind`: `mean`, `max`, `majority` (needs
 * `answers`) or `pass_at_k` (needs `k`; correct = value ≥ `threshold`, default 1).
 *
 * @example
 * ```ts
 * import { reduce } from "./reductions.ts";
 * console.assert(reduce("mean", [1, 0]) === 0.5);
 * console.assert(reduce("pass_at_k", [1, 0, 0, 0], { k: 4 }) === 1);
 * console.assert(reduce("majority", [0, 1, 1], { answers: ["x", "y", "y"] }) === 1);
 * ```
 */
export function reduce(
  kind: ReductionKind,
  values: readonly number[],
  options: ReduceOptions = {},
): number {
  switch (kind) {
    case "mean":
      return mean(values);
    case "max":
      return max(values);
    case "majority": {
      if (options.answers === undefined) {
        throw new ThemisError("INTERNAL", "reduce('majority') needs the samples' answers");
      }
      return majority(options.answers, values);
    }
    case "pass_at_k": {
      checkValues(values, "pass_at_k");
      if (options.k === undefined) {
        throw new ThemisError("SPEC_INVALID", "the pass_at_k reduction needs k (e.g. k = 1)");
      }
      const threshold = options.threshold ?? 1;
      const correct = values.filter((v) => v >= threshold).length;
      return passAtK(values.length, correct, options.k);
    }
    default: {
      const near = closestMatch(String(kind), REDUCTION_KINDS);
      throw new ThemisError(
        "SPEC_INVALID",
        `unknown reduction "${kind}"; use one of ${REDUCTION_KINDS.join(", ")}`,
        near === undefined ? {} : { suggestion: `did you mean "${near}"?` },
      );
    }
  }
}
