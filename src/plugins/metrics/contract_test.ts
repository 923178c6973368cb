import assert from "node:assert/strict";
import { isThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import { type MetricInput, PLUGIN_API_VERSION } from "../types.ts";
import { metricRange } from "./metric_range.ts";
import { builtinMetrics } from "./mod.ts";
import { assertScalesLinearly } from "../../../test/support/scaling.ts";

// Judges (metrics that call a model) have their own tests; this contract is for pure metrics.
const scoringMetrics = builtinMetrics.filter((m) => m.evaluate === undefined);

// A valid config and a valid reference per metric; the contract below runs every metric.
const CASES: Record<string, { config: JsonObject; reference: Json }> = {
  exact_match: { config: { case_sensitive: false }, reference: "Paris" },
  normalized_exact_match: { config: {}, reference: ["Paris", "the city of Paris"] },
  contains: { config: {}, reference: "Paris" },
  regex_match: { config: { pattern: "\\bparis\\b", flags: "i" }, reference: null },
  numeric_match: { config: { abs_tol: 0.5 }, reference: "42" },
  choice_accuracy: { config: {}, reference: 1 },
  token_f1: { config: {}, reference: "the city of Paris" },
  rouge_l: { config: { tokenizer: "ascii" }, reference: "Paris is the capital" },
  bleu: { config: { smooth: "floor" }, reference: "Paris is the capital of France ." },
  json_valid: { config: {}, reference: null },
  json_schema_valid: { config: { schema: { type: "object" } }, reference: null },
  length: { config: { unit: "words" }, reference: null },
};

const PHRASE = "Paris is the capital of France, 42 {B} ";
const MEGABYTE = PHRASE.repeat(26_000);
const PREDICTIONS: Json[] = [
  "",
  "Paris",
  "B",
  "42",
  42,
  true,
  null,
  { answer: "Paris" },
  ["Paris", 1],
  "💥🎉 東京 Ünïcode \ud800",
  '{"ok": true}',
  MEGABYTE,
];

// Runs that make careless regexes backtrack quadratically.
const RUNS = [" ", "*", ".", "(", "1,000", "1e", "&quot;", "-\n", "the ", "\n"];

function input(prediction: Json, reference: Json | undefined): MetricInput {
  const text = typeof prediction === "string" ? prediction : JSON.stringify(prediction);
  return {
    prediction,
    text,
    item: reference === undefined ? {} : { answer: reference },
    reference,
  };
}

Deno.test("builtinMetrics have unique snake_case ids and speak plugin API 1", () => {
  const ids = builtinMetrics.map((m) => m.id);
  assert.deepEqual(ids, [...new Set(ids)]);
  assert.deepEqual(Object.keys(CASES).sort(), scoringMetrics.map((m) => m.id).sort());
  for (const metric of builtinMetrics) {
    assert.match(metric.id, /^[a-z][a-z0-9_]*$/);
    assert.equal(metric.pluginApi, PLUGIN_API_VERSION);
    assert.equal(typeof metric.validateConfig, "function");
    assert.ok(metric.range !== undefined, `${metric.id} declares no range`);
  }
});

for (const metric of scoringMetrics) {
  const { config, reference } = CASES[metric.id];

  Deno.test(`${metric.id}: accepts its documented config and a "reference" field name`, () => {
    metric.validateConfig!(config);
    metric.validateConfig!({ ...config, reference: "label" });
  });

  Deno.test(`${metric.id}: returns a finite value and JSON details for any prediction`, () => {
    for (const prediction of PREDICTIONS) {
      const result = metric.score(input(prediction, reference ?? undefined), config);
      assert.ok(Number.isFinite(result.value), `${metric.id}(${String(prediction)})`);
      // Every value lies in the declared range; a binary metric gives exactly 0 or 1.
      const range = metricRange(metric, config);
      assert.ok(range.min === null || result.value >= range.min, `${metric.id} below its range`);
      assert.ok(range.max === null || result.value <= range.max, `${metric.id} above its range`);
      if (range.binary) assert.ok(result.value === 0 || result.value === 1, metric.id);
      assert.deepEqual(JSON.parse(JSON.stringify(result.details ?? {})), result.details ?? {});
      assert.deepEqual(metric.score(input(prediction, reference ?? undefined), config), result);
    }
  });

  Deno.test(`${metric.id}: scores a long prediction in time linear in its length`, () => {
    assertScalesLinearly((n) => {
      const text = PHRASE.repeat(n);
      return () => metric.score(input(text, reference ?? undefined), config);
    }, 200);
  });

  Deno.test(`${metric.id}: stays linear on long runs of one character`, () => {
    for (const unit of RUNS) {
      assertScalesLinearly(
        (n) => {
          const text = unit.repeat(Math.ceil(n / unit.length)) + "x";
          return () => metric.score(input(text, reference ?? undefined), config);
        },
        2_000,
        { label: JSON.stringify(unit) },
      );
    }
  });

  if (metric.needsReference) {
    Deno.test(`${metric.id}: throws DATASET_INVALID naming the field when the reference is missing`, () => {
      for (
        const [cfg, field] of [[config, "answer"], [
          { ...config, reference: "label" },
          "label",
        ]] as const
      ) {
        assert.throws(
          () => metric.score(input("Paris", undefined), cfg),
          (e) =>
            isThemisError(e) && e.code === "DATASET_INVALID" && e.message.includes(`"${field}"`),
        );
      }
      assert.throws(
        () => metric.score(input("Paris", []), config),
        (e) => isThemisError(e) && e.code === "DATASET_INVALID" && e.message.includes("empty list"),
      );
    });
  } else {
    Deno.test(`${metric.id}: needs no reference`, () => {
      metric.score(input("Paris", undefined), config);
    });
  }

  Deno.test(`${metric.id}: rejects an unknown config key, naming it`, () => {
    assert.throws(
      () => metric.validateConfig!({ ...config, no_such_option: 1 }),
      (e) => isThemisError(e) && e.code === "SPEC_INVALID" && e.message.includes("no_such_option"),
    );
  });
}
