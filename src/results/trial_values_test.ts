import assert from "node:assert/strict";
import type { PlannedScore } from "../plan/plan_trials.ts";
import { itemField, reduceTrial, sampleOutcome, type SampleRow } from "./trial_values.ts";

const BINARY = { min: 0, max: 1, binary: true };

function score(extra: Partial<PlannedScore> = {}): PlannedScore {
  return {
    hash: "h",
    taskId: "t",
    name: "acc",
    parseHash: "p",
    parseName: "num",
    metrics: [{ id: "exact_match", config: {} }],
    reduction: "mean",
    ...extra,
  };
}

const scored = (sample: number, value: number, answer = String(value)): SampleRow => ({
  sample,
  outcome: { status: "scored", value, answer },
  details: null,
});
const other = (sample: number, status: "invalid" | "failed" | "pending"): SampleRow => ({
  sample,
  outcome: { status },
  details: null,
});

Deno.test("sampleOutcome reads a sample's outcome from its work item and score row", () => {
  const row = (r: Record<string, unknown>) =>
    sampleOutcome({ value: null, invalid: false, skip_reason: null, ...r });
  assert.deepEqual(row({ status: "completed", value: 1, answer: '"5"' }), {
    status: "scored",
    value: 1,
    answer: "5",
  });
  // A recorded invalid score (failing value), a judge without a verdict, and a log written
  // before invalid scores were recorded (skipped because the parse found no answer).
  assert.deepEqual(row({ status: "completed", value: 0, invalid: true }), { status: "invalid" });
  assert.deepEqual(row({ status: "invalid" }), { status: "invalid" });
  assert.deepEqual(row({ status: "skipped", skip_reason: "no_answer" }), { status: "invalid" });
  assert.deepEqual(row({ status: "failed" }), { status: "failed" });
  assert.deepEqual(row({ status: "pending" }), { status: "pending" });
  assert.deepEqual(row({ status: "completed" }), { status: "failed" }, "no value: not scored");
});

Deno.test("reduceTrial applies the score's policies, then the options', and counts the outcome", () => {
  const samples = [scored(0, 1), other(1, "invalid"), other(2, "failed")];
  assert.deepEqual(reduceTrial(score(), samples, BINARY), { status: "scored", value: 0.5 });
  assert.deepEqual(reduceTrial(score({ onInvalid: "exclude" }), samples, BINARY), {
    status: "scored",
    value: 1,
  });
  assert.deepEqual(reduceTrial(score({ countFailed: true }), samples, BINARY), {
    status: "scored",
    value: 1 / 3,
  });
  assert.deepEqual(
    reduceTrial(score({ onInvalid: "exclude" }), samples, BINARY, { onInvalid: "zero" }),
    { status: "scored", value: 0.5 },
    "an option overrides the spec",
  );
  // The failing value is the range's minimum.
  assert.deepEqual(reduceTrial(score(), [other(0, "invalid")], { min: -1, max: 1 }), {
    status: "invalid",
    value: -1,
  });
});

Deno.test("reduceTrial: a failed trial stays failed even when failures count as zero", () => {
  const failed = [other(0, "failed"), other(1, "failed")];
  assert.deepEqual(reduceTrial(score(), failed, BINARY), { status: "failed", value: null });
  assert.deepEqual(reduceTrial(score({ countFailed: true }), failed, BINARY), {
    status: "failed",
    value: 0,
  });
  assert.deepEqual(reduceTrial(score(), [other(0, "pending")], BINARY), {
    status: "pending",
    value: null,
  });
  // pass@2 with one sample known and one pending: not enough samples yet.
  const pass = score({ reduction: "pass_at_k", k: 2 });
  assert.deepEqual(reduceTrial(pass, [scored(0, 1), other(1, "pending")], BINARY), {
    status: "pending",
    value: null,
  });
  assert.deepEqual(reduceTrial(pass, [scored(0, 1), other(1, "failed")], BINARY), {
    status: "failed",
    value: null,
  });
});

Deno.test("itemField reads a dotted path through objects and arrays", () => {
  const item = { passage: "p1", meta: { source: { id: 7 } }, tags: ["a", "b"] };
  assert.equal(itemField(item, "passage"), "p1");
  assert.equal(itemField(item, "meta.source.id"), 7);
  assert.equal(itemField(item, "tags.1"), "b");
  assert.equal(itemField(item, "meta.missing.id"), undefined);
});
