/**
 * A judge's verdict: read strictly from the judge's text, checked against the declared scale,
 * and normalised to [0, 1].
 *
 * @module
 */

import { ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import type { MetricRange } from "../types.ts";

/**
 * The verdicts a judge may give: `pass_fail` (the default: PASS/FAIL or 1/0), a numeric
 * interval (`scale = [1, 5]`, or the table `{ min = 1, max = 5 }`), or ordered labels
 * (`scale = ["wrong", "partial", "right"]`, worst first).
 */
export type VerdictScale =
  | { kind: "pass_fail" }
  | { kind: "numeric"; min: number; max: number }
  | { kind: "labels"; labels: string[] };

/** A verdict as the judge wrote it: a number or a word (PASS, FAIL, a label). */
export type RawVerdict = number | string;

function invalidScale(message: string): never {
  throw new ThemisError("SPEC_INVALID", `llm_judge: scale ${message}`, { path: "scale" });
}

function readLabels(labels: Json[]): VerdictScale {
  if (labels.length < 2 || labels.some((l) => typeof l !== "string" || !/^\S+$/.test(l))) {
    invalidScale("labels must be at least two words without spaces, worst first");
  }
  const folded = (labels as string[]).map((l) => l.toUpperCase());
  if (new Set(folded).size !== folded.length) {
    invalidScale("labels must differ (case does not count)");
  }
  return { kind: "labels", labels: labels as string[] };
}

function numeric(min: unknown, max: unknown): VerdictScale {
  if (typeof min !== "number" || typeof max !== "number" || !(max > min)) {
    invalidScale("must be [min, max] (or { min, max }) with numbers and max > min");
  }
  return { kind: "numeric", min, max };
}

/**
 * The scale of a judge config: absent = `pass_fail`; `[min, max]` or `{ min, max }` =
 * numeric; a list of words = labels. Throws `SPEC_INVALID` for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readVerdictScale } from "./judge_verdict.ts";
 * assert.deepEqual(readVerdictScale(undefined), { kind: "pass_fail" });
 * assert.deepEqual(readVerdictScale([1, 5]), { kind: "numeric", min: 1, max: 5 });
 * assert.deepEqual(readVerdictScale(["no", "yes"]), { kind: "labels", labels: ["no", "yes"] });
 * ```
 */
export function readVerdictScale(scale: Json | undefined): VerdictScale {
  if (scale === undefined) return { kind: "pass_fail" };
  if (Array.isArray(scale)) {
    if (scale.every((v) => typeof v === "number")) {
      if (scale.length !== 2) invalidScale("as numbers must be exactly [min, max]");
      return numeric(scale[0], scale[1]);
    }
    return readLabels(scale);
  }
  if (scale !== null && typeof scale === "object") {
    const { min, max, ...rest } = scale as JsonObject;
    if (Object.keys(rest).length > 0) invalidScale("as a table takes only min and max");
    return numeric(min, max);
  }
  return invalidScale(`is ${JSON.stringify(scale)}; use [min, max] or a list of labels`);
}

/**
 * The metric range a scale gives: binary for `pass_fail` and two labels, [0, 1] otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scaleRange } from "./judge_verdict.ts";
 * assert.deepEqual(scaleRange({ kind: "pass_fail" }), { min: 0, max: 1, binary: true });
 * assert.deepEqual(scaleRange({ kind: "numeric", min: 1, max: 5 }), { min: 0, max: 1 });
 * ```
 */
export function scaleRange(scale: VerdictScale): MetricRange {
  const binary = scale.kind === "pass_fail" ||
    (scale.kind === "labels" && scale.labels.length === 2);
  return binary ? { min: 0, max: 1, binary: true } : { min: 0, max: 1 };
}

function describe(scale: VerdictScale): string {
  if (scale.kind === "pass_fail") return "PASS/FAIL (or 1/0)";
  if (scale.kind === "numeric") return `a number from ${scale.min} to ${scale.max}`;
  return `one of ${scale.labels.join(", ")}`;
}

/** The scale as it is kept in a score's details. */
export function scaleDetails(scale: VerdictScale): Json {
  if (scale.kind === "pass_fail") return "pass_fail";
  if (scale.kind === "numeric") return [scale.min, scale.max];
  return scale.labels;
}

function normalise(verdict: RawVerdict, scale: VerdictScale): number | undefined {
  const word = typeof verdict === "string" ? verdict.toUpperCase() : undefined;
  if (scale.kind === "labels") {
    const index = scale.labels.findIndex((l) => l.toUpperCase() === word);
    return index === -1 ? undefined : index / (scale.labels.length - 1);
  }
  const number = typeof verdict === "number" ? verdict : undefined;
  if (scale.kind === "pass_fail") {
    if (word === "PASS" || number === 1) return 1;
    if (word === "FAIL" || number === 0) return 0;
    return undefined;
  }
  if (number === undefined || number < scale.min || number > scale.max) return undefined;
  return (number - scale.min) / (scale.max - scale.min);
}

/**
 * The verdict's score in [0, 1] on its scale: PASS/1 → 1 and FAIL/0 → 0 for `pass_fail`;
 * (v − min)/(max − min) for a number in [min, max]; index/(labels − 1) for a label (matched
 * case-insensitively). A verdict outside the scale is `JUDGE_UNPARSEABLE` with
 * `details.reason = "out_of_scale"`: an invalid verdict, never a score — the run records it
 * as an invalid score, like a verdict that could not be read at all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scoreVerdict } from "./judge_verdict.ts";
 * assert.equal(scoreVerdict(4, { kind: "numeric", min: 1, max: 5 }), 0.75);
 * assert.equal(scoreVerdict("Partial", { kind: "labels", labels: ["wrong", "partial", "right"] }), 0.5);
 * assert.throws(() => scoreVerdict(3, { kind: "pass_fail" }), /outside the judge's scale/);
 * ```
 */
export function scoreVerdict(verdict: RawVerdict, scale: VerdictScale): number {
  const value = normalise(verdict, scale);
  if (value !== undefined) return value;
  throw new ThemisError(
    "JUDGE_UNPARSEABLE",
    `the judge's verdict ${JSON.stringify(verdict)} is outside the judge's scale ` +
      `(${describe(scale)}); declare the scale the rubric asks for with scale = [min, max] ` +
      `or a list of labels`,
    { reason: "out_of_scale", verdict, scale: scaleDetails(scale) },
  );
}

function unparseable(message: string, output: string): never {
  throw new ThemisError("JUDGE_UNPARSEABLE", message, {
    reason: "unparseable",
    output: output.slice(0, 500),
  });
}

/**
 * Read a verdict strictly: JSON `{"score": <number or word>, "reason": "…"}` (the first JSON
 * object of the text), or exactly one line `VERDICT: <number or word>`. Anything else is
 * `JUDGE_UNPARSEABLE` with `details.reason = "unparseable"`: its own state, never a wrong
 * answer. Whether the verdict is on the scale is {@linkcode scoreVerdict}'s question.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseVerdict } from "./judge_verdict.ts";
 * assert.deepEqual(parseVerdict('{"score": 4, "reason": "ok"}', "json"), { verdict: 4, reason: "ok" });
 * assert.deepEqual(parseVerdict("Looks right.\nVERDICT: PASS", "line"), { verdict: "PASS", reason: null });
 * ```
 */
export function parseVerdict(
  output: string,
  mode: "json" | "line",
): { verdict: RawVerdict; reason: string | null } {
  if (mode === "line") {
    const matches = [...output.matchAll(/^\s*VERDICT:\s*(\S+)\s*$/gim)];
    if (matches.length !== 1) {
      unparseable(
        `the judge's answer has ${matches.length === 0 ? "no" : "several"} ` +
          `"VERDICT: <verdict>" line${matches.length > 1 ? "s" : ""}`,
        output,
      );
    }
    const raw = matches[0][1];
    return { verdict: /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw, reason: null };
  }
  const start = output.indexOf("{");
  const end = output.lastIndexOf("}");
  let parsed: unknown;
  try {
    parsed = start >= 0 && end > start ? JSON.parse(output.slice(start, end + 1)) : undefined;
  } catch {
    parsed = undefined;
  }
  const score = (parsed as { score?: unknown })?.score;
  const ok = (typeof score === "number" && Number.isFinite(score)) ||
    (typeof score === "string" && /^\S+$/.test(score));
  if (!ok) {
    unparseable(`the judge's answer is not JSON with a "score" (a number or a word)`, output);
  }
  const reason = (parsed as { reason?: unknown }).reason;
  return { verdict: score as RawVerdict, reason: typeof reason === "string" ? reason : null };
}
