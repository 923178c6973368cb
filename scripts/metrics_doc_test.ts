import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { isThemisError } from "../src/core/errors.ts";
import { JUDGE_CONFIG_KEYS } from "../src/plugins/metrics/llm_judge.ts";
import { createRegistry } from "../src/plugins/registry.ts";
import { describeRange, renderMetricsDoc } from "./metrics_doc.ts";

const registry = createRegistry();

Deno.test("docs/metrics.md is what scripts/metrics_doc.ts generates from the registry", async () => {
  const path = fileURLToPath(new URL("../docs/metrics.md", import.meta.url));
  const committed = await Deno.readTextFile(path);
  assert.ok(
    committed === renderMetricsDoc(registry),
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
