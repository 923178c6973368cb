import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { isThemisError } from "../src/core/errors.ts";
import { JUDGE_CONFIG_KEYS } from "../src/plugins/metrics/llm_judge.ts";
import { createRegistry } from "../src/plugins/registry.ts";
import { REDUCTION_DOCS, REDUCTION_KINDS } from "../src/plugins/reductions.ts";
import type { JsonObject } from "../src/core/json.ts";
import { parseSpecText, validateBenchmark } from "../src/spec/mod.ts";
import { describeRange, formatMarkdown, renderMetricsDoc } from "./metrics_doc.ts";

const registry = createRegistry();

Deno.test("docs/metrics.md is what scripts/metrics_doc.ts generates from the registry", async () => {
  const path = fileURLToPath(new URL("../docs/metrics.md", import.meta.url));
  const committed = await Deno.readTextFile(path);
  assert.ok(
    committed === await formatMarkdown(renderMetricsDoc(registry)),
    "docs/metrics.md is out of date: run `deno run -A scripts/metrics_doc.ts`",
  );
});

Deno.test("every built-in metric declares its range and documents itself", () => {
  for (const id of registry.names("metric")) {
    const metric = registry.metric(id);
    assert.ok(metric.range !== undefined, `${id} declares no range`);
    assert.ok(metric.doc?.summary && metric.doc.example.includes(`"${id}"`), `${id} doc`);
    if (metric.range.binary) assert.deepEqual([metric.range.min, metric.range.max], [0, 1], id);
  }
  for (const id of registry.names("extractor")) {
    const doc = registry.extractor(id).doc;
    assert.ok(doc?.summary && doc.example.includes(`"${id}"`), `${id} doc`);
  }
});

/** The keys a plugin accepts, from the SPEC_INVALID error an unknown key raises. */
function acceptedKeys(validate: (config: Record<string, unknown>) => void): string[] | null {
  try {
    validate({ no_such_option: 1 });
  } catch (error) {
    assert.ok(isThemisError(error) && error.code === "SPEC_INVALID");
    const listed = /\(options: ([^)]*)\)/.exec(error.message);
    return listed ? listed[1].split(", ").filter((k) => k !== "none") : null;
  }
  throw new Error("an unknown config key was accepted");
}

Deno.test("the documented config keys are exactly the keys each plugin accepts", () => {
  for (const id of registry.names("metric")) {
    const metric = registry.metric(id);
    const keys = acceptedKeys((c) => metric.validateConfig!(c as never)) ??
      (id === "llm_judge" ? [...JUDGE_CONFIG_KEYS, "reference"] : null);
    assert.ok(keys !== null, `${id}: cannot tell which config keys it accepts`);
    const documented = Object.keys(metric.doc?.config ?? {}).concat("reference");
    assert.deepEqual(documented.sort(), keys.sort(), id);
  }
  for (const id of registry.names("extractor")) {
    const extractor = registry.extractor(id);
    const keys = acceptedKeys((c) => extractor.validateConfig!(c as never));
    assert.ok(keys !== null, `${id}: cannot tell which config keys it accepts`);
    assert.deepEqual(Object.keys(extractor.doc?.config ?? {}).sort(), keys.sort(), id);
  }
});

Deno.test("describeRange() writes binary, bounded, half-bounded and unbounded ranges", () => {
  assert.equal(describeRange({ min: 0, max: 1, binary: true }), "0 or 1");
  assert.equal(describeRange({ min: 0, max: 1 }), "[0, 1]");
  assert.equal(describeRange({ min: 0, max: null }), "[0, ∞)");
  assert.equal(describeRange({ min: null, max: null }), "unbounded");
  assert.equal(describeRange(undefined), "unbounded");
});

/** A whole benchmark around one documented snippet, as a user would paste it. */
function benchmarkWith(parses: string, scores: string): string {
  return [
    'benchmark_id = "doc"',
    "num_samples = 5",
    "[[models]]",
    'model_id = "m"',
    'provider = "mock"',
    "[[prompt_variants]]",
    'id = "p"',
    'messages = [{ role = "user", content = "{item.question}" }]',
    "[[slices]]",
    'slice_id = "s"',
    'dataset = { kind = "inline", items = [{ id = "q1", question = "x", answer = "y" }] }',
    parses,
    scores,
  ].join("\n");
}

function load(text: string) {
  return validateBenchmark(parseSpecText(text, "toml", "example.toml"));
}

Deno.test("every documented example is a valid spec snippet with a valid config", () => {
  const parse = (extractors: string) => `[[slices.parses]]\nname = "answer"\n${extractors}`;
  const score = (name: string, body: string) => `[[slices.scores]]\nname = "${name}"\n${body}`;
  for (const id of registry.names("metric")) {
    const spec = load(benchmarkWith("", score(id, registry.metric(id).doc!.example)));
    for (const ref of spec.slices[0].scores[0].metrics) {
      registry.metric(ref.id).validateConfig!(ref.config as JsonObject);
    }
  }
  for (const id of registry.names("extractor")) {
    const spec = load(benchmarkWith(parse(registry.extractor(id).doc!.example), ""));
    for (const ref of spec.slices[0].parses[0].extractors) {
      registry.extractor(ref.id).validateConfig!(ref.config as JsonObject);
    }
  }
  for (const kind of REDUCTION_KINDS) {
    const body = `metrics = [{ id = "exact_match" }]\n${REDUCTION_DOCS[kind].example}`;
    assert.equal(load(benchmarkWith("", score("acc", body))).slices[0].scores[0].reduction, kind);
  }
});
