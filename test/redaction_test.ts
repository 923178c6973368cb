/**
 * Keys never enter a run directory, even when a server echoes one inside a completion's text:
 * the values a worker read for its calls are redacted from what it returns, before anything
 * is written. Checked by searching every byte of the store (events, manifest, blobs, the
 * analytics cache) and every report format for the key.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Orchestrator, Store } from "../mod.ts";
import { hashSecret, startOpenAIServer } from "./support/openai_server.ts";

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await filesUnder(path));
    else if (entry.isFile) out.push(path);
  }
  return out;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

for (const kind of ["pool", "inline"] as const) {
  Deno.test(`a key echoed in a completion is redacted before it is written (${kind})`, async () => {
    const key = `sk-themis-echo-${crypto.randomUUID()}`;
    await using server = startOpenAIServer({ fallback: { kind: "ok", echo_credential: true } });
    const root = await Deno.makeTempDir({ prefix: "themis-redact-" });
    const store = Store.open(root);
    const orchestrator = Orchestrator.fromProjectSpec({
      project_name: "redact",
      executor: { kind },
    }, { store });
    try {
      const result = await orchestrator.run({
        benchmark_id: "redact",
        models: [{
          model_id: "m",
          provider: "openai",
          extras: { base_url: server.url, api_key_env: "ECHO_KEY" },
        }],
        prompt_variants: [{ id: "p", messages: [{ role: "user", content: "say {item.q}" }] }],
        slices: [{
          slice_id: "s",
          dataset: {
            kind: "inline",
            items: [{ id: "1", q: "4", answer: "4" }, { id: "2", q: "5" }],
          },
          parses: [{ name: "num", extractors: [{ id: "first_number" }] }],
          scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
        }],
      }, { runtime: { ECHO_KEY: key } });
      // The key was really sent, and really echoed.
      assert.equal(server.requests[0].headers.authorization, hashSecret(`Bearer ${key}`));
      const texts = await store.sql(`select text from candidates order by text`);
      assert.deepEqual(texts, [
        { text: "say 4 (you sent Bearer [redacted])" },
        { text: "say 5 (you sent Bearer [redacted])" },
      ]);
      const reports = await Promise.all(
        (["md", "csv", "json", "latex", "html"] as const).map((format) =>
          result.report({ format })
        ),
      );
      const needle = new TextEncoder().encode(key);
      const leaks = [];
      for (const file of await filesUnder(root)) {
        if (contains(await Deno.readFile(file), needle)) leaks.push(file);
      }
      assert.ok(
        (await filesUnder(join(root, ".cache"))).length > 0,
        "the analytics cache was built",
      );
      assert.deepEqual(leaks, []);
      assert.deepEqual(reports.filter((r) => r.includes(key)), []);
    } finally {
      store.close();
    }
  });
}
