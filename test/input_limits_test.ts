/**
 * Inputs themis refuses before any work, and inputs it reads the same way whatever their
 * encoding details: a bounded `num_samples` and plan size, invalid UTF-8 as a parse error with
 * its line, and a byte order mark accepted alike in TOML, JSON, JSONL and CSV.
 */
import assert from "node:assert/strict";
import { runCli, tempProject } from "./support/cli.ts";

const BOM = "\uFEFF";

function benchmarkToml(dataset: string, extra = ""): string {
  return `benchmark_id = "b"
${extra}
[[models]]
model_id = "m"
provider = "mock"
[[prompt_variants]]
id = "p"
messages = [{ role = "user", content = "{item.q}" }]
[[slices]]
slice_id = "s"
dataset = ${dataset}
`;
}

const INLINE = `{ kind = "inline", items = [{ id = "1", q = "x" }, { id = "2", q = "y" }] }`;

Deno.test("num_samples = 1000000000 is refused at once, with its line", async () => {
  const dir = await tempProject({ "b.toml": benchmarkToml(INLINE, "num_samples = 1000000000") });
  const started = performance.now();
  const out = await runCli(["validate", "b.toml"], { cwd: dir });
  assert.equal(out.code, 3);
  assert.match(out.stderr, /num_samples: at most 10,000 samples per trial .*b\.toml:2\)/);
  // Generous: the point is that nothing is enumerated (it hung before).
  assert.ok(performance.now() - started < 30_000);
});

Deno.test("a plan past the size limit is PLAN_INVALID naming its factors, before any work", async () => {
  const items = Array.from({ length: 600 }, (_, i) => `{ id = "${i}", q = "x" }`).join(", ");
  const dir = await tempProject({
    "b.toml": benchmarkToml(`{ kind = "inline", items = [${items}] }`, "num_samples = 10000"),
  });
  const out = await runCli(["validate", "b.toml"], { cwd: dir });
  assert.equal(out.code, 3);
  assert.match(
    out.stderr,
    /PLAN_INVALID\] The plan has 6,000,000 candidates, more than the 5,000,000 one run may plan \(s: 1 models × 1 prompts × 1 inference params × 600 items × 10000 samples\)/,
  );
});

Deno.test("invalid UTF-8 in a TOML or JSON spec is SPEC_PARSE with its line and column", async () => {
  const dir = await tempProject({});
  const toml = new TextEncoder().encode(benchmarkToml(INLINE));
  const bad = new Uint8Array([
    ...toml.subarray(0, 19),
    0x23,
    0x20,
    0x63,
    0xe9,
    0x0a,
    ...toml.subarray(19),
  ]);
  await Deno.writeFile(`${dir}/bad.toml`, bad);
  const json = new TextEncoder().encode('{\n  "benchmark_id": "b\xff"\n}'.replace("\xff", "@"));
  const badJson = json.map((b) => (b === 0x40 ? 0xff : b));
  await Deno.writeFile(`${dir}/bad.json`, badJson);
  const toml2 = await runCli(["validate", "bad.toml"], { cwd: dir });
  assert.equal(toml2.code, 3);
  assert.match(toml2.stderr, /error \[SPEC_PARSE\] .*bad\.toml:2:4: invalid UTF-8 \(byte 0xe9/);
  const json2 = await runCli(["validate", "bad.json"], { cwd: dir });
  assert.equal(json2.code, 3);
  assert.match(json2.stderr, /error \[SPEC_PARSE\] .*bad\.json:2:21: invalid UTF-8 \(byte 0xff/);
});

Deno.test("a byte order mark is accepted alike in TOML, JSON, JSONL and CSV: same plan", async () => {
  const jsonSpec = {
    benchmark_id: "b",
    models: [{ model_id: "m", provider: "mock" }],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.q}" }] }],
    slices: [{ slice_id: "s", dataset: { kind: "jsonl", path: "items.jsonl" } }],
  };
  const files = (bom: string) => ({
    "inline.toml": bom + benchmarkToml(INLINE),
    "spec.json": bom + JSON.stringify(jsonSpec),
    "jsonl.toml": benchmarkToml(`{ kind = "jsonl", path = "items.jsonl" }`),
    "csv.toml": benchmarkToml(`{ kind = "csv", path = "items.csv" }`),
    "items.jsonl": bom + '{"id":"1","q":"x"}\n{"id":"2","q":"y"}\n',
    "items.csv": bom + "id,q\n1,x\n2,y\n",
  });
  const plain = await tempProject(files(""));
  const marked = await tempProject(files(BOM));
  for (const spec of ["inline.toml", "spec.json", "jsonl.toml", "csv.toml"]) {
    const a = await runCli(["plan", spec, "--json"], { cwd: plain });
    const b = await runCli(["plan", spec, "--json"], { cwd: marked });
    assert.equal(b.code, 0, `${spec}: ${b.stderr}`);
    assert.equal(a.code, 0, `${spec}: ${a.stderr}`);
    const ids = (out: string) => {
      const manifest = JSON.parse(out);
      assert.equal(typeof manifest.run, "string");
      return { run: manifest.run, counts: manifest.counts };
    };
    assert.deepEqual(ids(b.stdout), ids(a.stdout), spec);
  }
});
