/**
 * Evaluation bundles: pending score work with the candidates' texts and parse answers goes out,
 * metric values come back; export → import → re-export is empty, the imported scores equal a
 * local run's, importing twice changes nothing, tampering is caught with the line named.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type BenchmarkSpecInput,
  createRegistry,
  type JsonObject,
  Orchestrator,
  Store,
} from "../mod.ts";
import { runCli, tempProject } from "./support/cli.ts";

const ITEMS = Array.from({ length: 6 }, (_, i) => ({
  id: `q${i}`,
  question: `${i} + ${i}`,
  answer: String(2 * i),
}));

type Spec = BenchmarkSpecInput & { slices: Array<{ scores: unknown[]; parses: unknown[] }> };

function benchmark(): Spec {
  return {
    benchmark_id: "eval_handoff",
    models: [
      {
        model_id: "solver",
        provider: "mock",
        extras: { mode: "reference", accuracy: 0.5, template: "It is {answer}", wrong: "no idea" },
      },
    ],
    prompt_variants: [{ id: "plain", messages: [{ role: "user", content: "{item.question}" }] }],
    slices: [{
      slice_id: "math",
      dataset: { kind: "inline", items: ITEMS },
      parses: [{ name: "num", extractors: [{ id: "first_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
    }],
    num_samples: 2,
  } as Spec;
}

/** The baseline plus two scores to hand off: one over the parse, one over the raw text. */
function treatment(): Spec {
  const spec = benchmark();
  spec.slices[0].scores.push(
    { name: "close", parse: "num", metrics: [{ id: "numeric_match" }] },
    { name: "size", metrics: [{ id: "length", config: { unit: "words" } }, { id: "json_valid" }] },
  );
  return spec;
}

async function setup() {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-handoff-eval-" }));
  const orchestrator = Orchestrator.fromProjectSpec({ project_name: "eval", global_seed: 5 }, {
    store,
  });
  await orchestrator.run(benchmark());
  return { store, orchestrator };
}

async function readJsonl(path: string): Promise<JsonObject[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

/** Score a bundle line elsewhere: here, with the built-in metrics, as a remote scorer would. */
function scoreLine(line: JsonObject, scores: Record<string, JsonObject>): JsonObject {
  const registry = createRegistry();
  const score = scores[line.score as string];
  const item = (line.item as JsonObject).payload as JsonObject;
  const metrics = (score.metrics as Array<{ id: string; config: JsonObject }>).map(
    (m): JsonObject => {
      const out = registry.metric(m.id).score({
        prediction: score.parse === null ? line.text as string : line.answer!,
        text: line.text as string,
        item,
        reference: item.answer,
      }, m.config);
      return out.details === undefined
        ? { metric: m.id, value: out.value }
        : { metric: m.id, value: out.value, details: out.details };
    },
  );
  return { custom_id: line.custom_id, metrics };
}

async function scoredFile(dir: string): Promise<string> {
  const manifest = JSON.parse(await Deno.readTextFile(join(dir, "bundle.json")));
  const lines = await readJsonl(join(dir, "items.jsonl"));
  const file = join(dir, "scores.jsonl");
  await Deno.writeTextFile(
    file,
    lines.map((l) => JSON.stringify(scoreLine(l, manifest.scores))).join("\n") + "\n",
  );
  return file;
}

const SCORES = `select cand, score_name, metric, value, details from scores order by all`;

Deno.test("an evaluation bundle round-trips: export → import → re-export is empty; scores equal a local run's", async () => {
  const { store, orchestrator } = await setup();
  try {
    const bundle = await orchestrator.exportEvaluationBundle(treatment());
    // Candidates whose answer does not parse: the run recorded acc invalid for them (in the
    // store), close is never scored for them (no answer).
    const unparsed = bundle.manifest.counts.no_answer;
    assert.ok(unparsed > 0, "some answers do not parse (mock accuracy 0.5)");
    assert.deepEqual(bundle.manifest.counts, {
      items: 12 + (12 - unparsed),
      in_store: 12,
      no_answer: unparsed,
      blocked: 0,
      no_generation: 0,
    });
    const lines = await readJsonl(join(bundle.dir, "items.jsonl"));
    const first = lines.find((l) => l.score_name === "close")!;
    assert.deepEqual(Object.keys(first), [
      "custom_id",
      "trial",
      "candidate",
      "sample",
      "slice",
      "model",
      "prompt_variant",
      "score",
      "score_name",
      "metrics",
      "text",
      "parse",
      "answer",
      "item",
    ]);
    const result = await orchestrator.importEvaluationResults(
      bundle.dir,
      await scoredFile(bundle.dir),
    );
    assert.equal(result.summary?.scored, bundle.items);
    const again = await orchestrator.exportEvaluationBundle(treatment());
    assert.equal(again.items, 0);

    // The same treatment run locally in a fresh store gives the same scores.
    const local = Store.open(await Deno.makeTempDir({ prefix: "themis-handoff-local-" }));
    try {
      const o = Orchestrator.fromProjectSpec({ project_name: "eval", global_seed: 5 }, {
        store: local,
      });
      const run = await o.run(treatment());
      // A local run also records close invalid (value 0) where the parse found no answer; the
      // bundle never held those, and the read side counts them invalid from work_items: the
      // computed scores and every aggregate agree.
      const computed = SCORES.replace("from scores", "from scores where not invalid");
      assert.deepEqual(await store.sql(computed), await local.sql(computed));
      assert.deepEqual(await result.aggregate(), await run.aggregate());
    } finally {
      local.close();
    }
    const sources = await store.sql(
      `select name as score, source, count(*)::integer as n
       from events where type = 'score.completed' group by all order by all`,
    );
    assert.deepEqual(sources.map((r) => [r.score, r.source]), [
      ["acc", null],
      ["close", "import"],
      ["size", "import"],
    ]);
  } finally {
    store.close();
  }
});

Deno.test("importing the same evaluation file twice changes no projection", async () => {
  const { store, orchestrator } = await setup();
  try {
    const bundle = await orchestrator.exportEvaluationBundle(treatment());
    const file = await scoredFile(bundle.dir);
    await orchestrator.importEvaluationResults(bundle.dir, file);
    const before = {
      scores: await store.sql(`select * from scores order by all`),
      candidates: await store.sql(`select * from candidates order by all`),
      runs: await store.sql(`select * from runs order by all`),
    };
    const second = await orchestrator.importEvaluationResults(bundle.dir, file);
    assert.equal(second.summary?.scored, 0);
    assert.equal(second.summary?.reused, bundle.items);
    assert.deepEqual({
      scores: await store.sql(`select * from scores order by all`),
      candidates: await store.sql(`select * from candidates order by all`),
      runs: await store.sql(`select * from runs order by all`),
    }, before);
  } finally {
    store.close();
  }
});

Deno.test("a tampered evaluation bundle is rejected with the offending line", async () => {
  const { store, orchestrator } = await setup();
  try {
    const bundle = await orchestrator.exportEvaluationBundle(treatment());
    const path = join(bundle.dir, "items.jsonl");
    const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
    const fifth = JSON.parse(lines[4]);
    fifth.text = "It is 42";
    lines[4] = JSON.stringify(fifth);
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    await assert.rejects(
      () => orchestrator.importEvaluationResults(bundle.dir, []),
      (error: Error & { code?: string; details?: { line?: number } }) => {
        assert.equal(error.code, "BUNDLE_INVALID");
        assert.equal(error.details?.line, 5);
        assert.match(error.message, /items\.jsonl line 5 \(custom_id \w+:\w+\) does not match/);
        return true;
      },
    );
    // Dropping a line is named too.
    await Deno.writeTextFile(path, lines.slice(0, 2).join("\n") + "\n");
    await assert.rejects(
      () => orchestrator.importEvaluationResults(bundle.dir, []),
      /items\.jsonl line 3 is missing/,
    );
  } finally {
    store.close();
  }
});

Deno.test("score records must carry exactly the score's metrics; all issues are listed", async () => {
  const { store, orchestrator } = await setup();
  try {
    const bundle = await orchestrator.exportEvaluationBundle(treatment());
    const lines = await readJsonl(join(bundle.dir, "items.jsonl"));
    const close = lines.find((l) => l.score_name === "close")!;
    const size = lines.find((l) => l.score_name === "size")!;
    const records = [
      { custom_id: close.custom_id, value: 1 },
      { custom_id: size.custom_id, value: 3 },
      { custom_id: String(size.custom_id).replace(/^\w+/, "000000000000"), value: 1 },
      { custom_id: lines[1].custom_id, metrics: [{ metric: "exact_match", value: 1 }] },
      { custom_id: lines[2].custom_id, metrics: [{ metric: "numeric_match", value: "1" }] },
    ];
    await assert.rejects(
      () => orchestrator.importEvaluationResults(bundle.dir, records),
      (error: Error) => {
        assert.match(error.message, /4 problems/);
        assert.match(error.message, /record 2: score "size" has 2 metrics \(length, json_valid\)/);
        assert.match(error.message, /record 3: unknown custom_id 000000000000:/);
        assert.match(error.message, /record 4: score "\w+" needs exactly the metrics/);
        assert.match(error.message, /record 5: metrics\[0\]\.value: /);
        return true;
      },
    );
    const imported = await orchestrator.importEvaluationResults(bundle.dir, [records[0]]);
    assert.equal(imported.summary?.scored, 1);
  } finally {
    store.close();
  }
});

Deno.test("scores whose parse has not run are left out of an evaluation bundle, and counted", async () => {
  const { store, orchestrator } = await setup();
  try {
    const spec = benchmark();
    spec.slices[0].parses.push({ name: "last", extractors: [{ id: "last_number" }] });
    spec.slices[0].scores.push({ name: "late", parse: "last", metrics: [{ id: "exact_match" }] });
    const bundle = await orchestrator.exportEvaluationBundle(spec);
    assert.equal(bundle.items, 0);
    assert.equal(bundle.manifest.counts.blocked, 12);
    assert.match(bundle.notes.join("\n"), /12 score\(s\) wait for a parse .*themis transform/);
    await orchestrator.transform(spec);
    const after = await orchestrator.exportEvaluationBundle(spec);
    const late = after.manifest.counts.no_answer - bundle.manifest.counts.no_answer;
    assert.equal(after.items + late, 12);
  } finally {
    store.close();
  }
});

Deno.test("themis export --stage evaluation and themis import from the CLI", async () => {
  const dir = await tempProject({
    "themis.toml": `project_name = "cli"\nglobal_seed = 5\n[storage]\nroot = "store"\n`,
    "base.json": JSON.stringify(benchmark()),
    "treat.json": JSON.stringify(treatment()),
  });
  assert.equal((await runCli(["run", "base.json", "--quiet"], { cwd: dir })).code, 0);
  const exported = await runCli(["export", "treat.json", "--stage", "evaluation", "--out", "b"], {
    cwd: dir,
  });
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /\d+ score items/);
  const file = await scoredFile(join(dir, "b"));
  const imported = await runCli(["import", "b", file], { cwd: dir });
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /imported \d+ scores into run \w+/);
  const twice = await runCli(["import", "b", file], { cwd: dir });
  assert.match(twice.stdout, /imported 0 scores, \d+ already in the store \(skipped\)/);
  const bad = await runCli(["import", "b", "missing.jsonl"], { cwd: dir });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /IMPORT_INVALID.*missing\.jsonl/);
});
