/**
 * The llama_cpp example end to end: its benchmark through the Orchestrator and the real worker
 * pool, on the tiny random-weight model written at test time. Twice, into two stores: the
 * texts (and token counts) are identical.
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { createRegistry, loadSpecFile, Orchestrator, type Registry, Store } from "../mod.ts";
import { testModelPath } from "./support/gguf.ts";

const EXAMPLE = new URL("../examples/llama_cpp/", import.meta.url);

/** The built-ins, plus the llama_cpp engine as a plugin module while it is not one of them. */
async function registry(): Promise<Registry> {
  const registry = createRegistry();
  if (registry.names("engine").includes("llama_cpp")) return registry;
  const engine = new URL("../src/plugins/engines/llama_cpp.ts", import.meta.url).href;
  const source = `import { llamaCppEngine } from ${JSON.stringify(engine)};\n` +
    `export default { engines: [llamaCppEngine] };`;
  return await registry.loadModule(`data:text/javascript,${encodeURIComponent(source)}`);
}

async function runExample(modelPath: string) {
  const dir = await Deno.makeTempDir({ prefix: "themis-llama-" });
  const store = Store.open(dir);
  try {
    const orchestrator = await Orchestrator.fromProjectFile(
      fromFileUrl(new URL("themis.toml", EXAMPLE)),
      { store, registry: await registry() },
    );
    const loaded = await loadSpecFile(fromFileUrl(new URL("benchmark.toml", EXAMPLE)));
    const spec = structuredClone(loaded.spec);
    assert.equal(spec.models[0].provider, "llama_cpp");
    spec.models[0].extras = { ...spec.models[0].extras, model_path: modelPath };
    const result = await orchestrator.run(spec, { specDir: loaded.baseDir });
    const rows = await store.sql(
      `select c.cand, t.item_id, t.params_index, c.sample, c.text, c.finish_reason,
         c.tokens_in, c.tokens_out, c.latency_ms
       from candidates c join trials t using (trial) order by c.cand`,
    );
    const failures = await store.sql(`select count(*)::integer as n from failures`);
    return { summary: result.summary, rows, failures: failures[0].n };
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the llama_cpp example runs in the worker pool and gives the same texts twice", async () => {
  const modelPath = await testModelPath();
  const first = await runExample(modelPath);
  assert.equal(first.failures, 0);
  assert.equal(first.summary?.generated, 12); // 3 items × 2 params × 2 samples
  assert.equal(first.rows.length, 12);
  for (const row of first.rows) {
    assert.equal(typeof row.text, "string");
    assert.ok(["stop", "length"].includes(row.finish_reason as string), String(row.finish_reason));
    assert.ok(Number(row.tokens_in) > 10, `prompt tokens: ${row.tokens_in}`);
    assert.ok(Number(row.tokens_out) >= 1 && Number(row.tokens_out) <= 12);
    assert.ok(Number(row.latency_ms) >= 0);
  }
  // Greedy decoding gives both samples of a trial the same text; sampling draws per seed.
  const texts = (params: number) =>
    Map.groupBy(first.rows.filter((r) => r.params_index === params), (r) => r.item_id);
  for (const samples of texts(0).values()) assert.equal(samples[0].text, samples[1].text);
  assert.ok([...texts(1).values()].some((s) => s[0].text !== s[1].text), "seeds differ");

  const second = await runExample(modelPath);
  const strip = (rows: typeof first.rows) => rows.map(({ latency_ms: _, ...rest }) => rest);
  assert.deepEqual(strip(second.rows), strip(first.rows));
});
