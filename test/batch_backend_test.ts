/**
 * The batch backend end to end against local Batch API servers (test/support/batch_server.ts):
 * submit splits and records batches, resume polls and imports idempotently (output order ≠
 * input order, partial errors, expired and cancelled batches become failed generations with
 * their codes), a later submit sends only what is missing, costs take the batch discount, and
 * a new process can take over between submit and resume.
 */
import assert from "node:assert/strict";
import {
  type BenchmarkSpecInput,
  type ExperimentResult,
  isRunHandle,
  Orchestrator,
  type RunHandle,
  Store,
  type ThemisEvent,
} from "../mod.ts";
import { type BatchServer, startBatchServer } from "./support/batch_server.ts";
import { runCliProcess, tempProject } from "./support/cli.ts";
import { splitBatches } from "../src/orchestrator/batch/submit_batches.ts";

const KEY = "sk-test-batch-0123456789";

function benchmark(url: string, provider: "openai" | "anthropic", items = 10): BenchmarkSpecInput {
  const extras = { base_url: url, api_key_env: "THEMIS_TEST_BATCH_KEY" };
  return {
    benchmark_id: "batchy",
    inference_grid: { params: [{ max_tokens: 16 }] },
    models: [
      { model_id: "alpha", provider, extras: { ...extras, model: "alpha-1" } },
      { model_id: "beta", provider, extras: { ...extras, model: "beta-1" } },
    ],
    prompt_variants: [{
      id: "p",
      messages: [{ role: "user", content: "{item.q}: the answer is {item.answer}" }],
    }],
    slices: [{
      slice_id: "s",
      dataset: {
        kind: "inline",
        items: Array.from({ length: items }, (_, i) => ({ id: `i${i}`, q: `q${i}`, answer: i })),
      },
      parses: [{ name: "num", extractors: [{ id: "last_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
    }],
  };
}

function project(provider: "openai" | "anthropic", backend: Record<string, unknown> = {}) {
  return {
    project_name: "batchy",
    executor: { kind: "inline" as const },
    execution_backend: { kind: "batch" as const, provider, ...backend },
    pricing: {
      alpha: { input_per_million: 1_000_000, output_per_million: 2_000_000, batch_discount: 0.5 },
    },
  };
}

const runtime = { THEMIS_TEST_BATCH_KEY: KEY };

async function events(store: Store, runId: string): Promise<ThemisEvent[]> {
  const out: ThemisEvent[] = [];
  for await (const e of store.runs.iterEvents(runId)) out.push(e);
  return out;
}

/** Resume until the run's batches have all ended and been imported (each call is one poll). */
async function resumeUntilDone(
  orchestrator: Orchestrator,
  runId: string,
): Promise<ExperimentResult | RunHandle> {
  for (let polls = 0; polls < 50; polls++) {
    const outcome = await orchestrator.resume(runId, { runtime });
    if (!isRunHandle(outcome) || outcome.result !== undefined) return outcome;
  }
  throw new Error("batches never ended");
}

Deno.test("splitBatches() cuts at the request count and at the byte size", () => {
  const lines = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, line: "x".repeat(99) }));
  assert.deepEqual(splitBatches(lines, { requests: 4, bytes: 1e9 }).map((b) => b.length), [
    4,
    4,
    2,
  ]);
  // 100 bytes a line with its newline: 250 bytes hold two.
  assert.deepEqual(splitBatches(lines, { requests: 50, bytes: 250 }).map((b) => b.length), [
    2,
    2,
    2,
    2,
    2,
  ]);
});

Deno.test("openai: submit splits per model and limit, resume imports out-of-order results and partial errors, resubmit sends only the failures", async () => {
  let failing = true;
  await using server = startBatchServer({
    key: KEY,
    fail: (_id, body) => failing && JSON.stringify(body).includes("q7:") ? 500 : undefined,
  });
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-batch-" }));
  try {
    const orchestrator = Orchestrator.fromProjectSpec(project("openai", { max_requests: 4 }), {
      store,
    });
    const spec = benchmark(server.url, "openai");
    const handle = await orchestrator.submit(spec, { runtime });
    assert.equal(handle.result, undefined);
    assert.equal(handle.status, "running");
    assert.match(handle.warnings[0], /sent 20 generation requests to openai's Batch API in 6/);
    assert.match(handle.warnings[0], new RegExp(`themis resume ${handle.runId}`));
    const runId = handle.runId;
    const submitted = (await events(store, runId)).filter((e) => e.type === "batch.submitted");
    assert.deepEqual(
      submitted.map((e) => e.type === "batch.submitted" && [e.data.model, e.data.requests]),
      // Each model's batch goes as soon as it is full, so the two models alternate.
      [["alpha", 4], ["beta", 4], ["alpha", 4], ["beta", 4], ["alpha", 2], ["beta", 2]],
    );
    // One model per uploaded file, as OpenAI requires; the body is the openai engine's.
    const first = [...server.batches.values()][0];
    assert.deepEqual(first.requests[0].body, {
      model: "alpha-1",
      messages: [{ role: "user", content: "q0: the answer is 0" }],
      max_tokens: 16,
      seed: (first.requests[0].body as { seed: number }).seed,
    });
    // A second submit while they run sends nothing again.
    const again = await orchestrator.submit(spec, { runtime });
    assert.match(
      again.warnings[0],
      /sent 0 generation requests .* 20 more are in batches sent before/,
    );

    const outcome = await resumeUntilDone(orchestrator, runId);
    assert.ok(isRunHandle(outcome) && outcome.result, "done, with two failures");
    assert.match(outcome.warnings[0], /2 generations failed .*"themis submit /);
    const log = await events(store, runId);
    const failed = log.filter((e) => e.type === "generation.failed");
    assert.deepEqual(
      failed.map((e) => e.type === "generation.failed" && [e.data.error.code, e.data.source]),
      [["PROVIDER_UNAVAILABLE", "batch"], ["PROVIDER_UNAVAILABLE", "batch"]],
    );
    const imported = log.filter((e) => e.type === "batch.imported");
    assert.equal(imported.length, 6);
    // Results came in another order than the requests went.
    const batch = [...server.batches.values()].find((b) => b.requests.length === 4)!;
    const output = await (await fetch(`${server.url}/files/${batch.outputFile}/content`, {
      headers: { authorization: `Bearer ${KEY}` },
    })).text();
    const outOrder = output.trim().split("\n").map((l) => JSON.parse(l).custom_id);
    assert.notDeepEqual(outOrder, batch.requests.map((r) => r.customId).slice(0, outOrder.length));

    // Resuming again changes nothing: the import is idempotent.
    const count = log.length;
    await orchestrator.resume(runId, { runtime });
    assert.equal((await events(store, runId)).length, count);

    failing = false;
    const resent = await orchestrator.submit(spec, { runtime });
    assert.match(resent.warnings[0], /sent 2 generation requests .* in 2 batch\(es\)/);
    const done = await resumeUntilDone(orchestrator, runId);
    assert.ok(!isRunHandle(done), "every generation is in, scored here");
    const rows = await done.aggregate();
    assert.deepEqual(rows.map((r) => [r.model, r.mean, r.count]), [["alpha", 1, 10], [
      "beta",
      1,
      10,
    ]]);
    // Batch generations cost half: alpha's tokens at 1 and 2 per token, halved.
    const [tokens] = await store.sql(
      `select sum(tokens_in) as i, sum(tokens_out) as o, sum(cost) as cost from candidates
       where model_id = 'alpha'`,
    );
    const expected = (Number(tokens.i) * 1 + Number(tokens.o) * 2) * 0.5;
    assert.equal(Number(tokens.cost), expected);
    assert.equal((await orchestrator.getRunProgress(runId))!.cost, expected);
  } finally {
    store.close();
  }
});

Deno.test("anthropic: an expired batch and a cancelled one become failed generations with their codes", async () => {
  await using server = startBatchServer({
    key: KEY,
    perPoll: 3,
    expireAfter: (index) => (index === 0 ? 3 : undefined),
  });
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-batch-" }));
  try {
    const orchestrator = Orchestrator.fromProjectSpec(project("anthropic"), { store });
    const handle = await orchestrator.submit(benchmark(server.url, "anthropic", 8), { runtime });
    const runId = handle.runId;
    const [alpha, beta] = [...server.batches.values()];
    assert.deepEqual(alpha.requests[0].body, {
      model: "alpha-1",
      max_tokens: 16,
      messages: [{ role: "user", content: "q0: the answer is 0" }],
    });
    // One poll: alpha expires after 3 answers; beta has answered 3 of 8. Then cancel beta.
    await orchestrator.resume(runId, { runtime });
    const cancelled = await orchestrator.cancel(runId, { runtime });
    assert.deepEqual(cancelled.map((b) => [b.id, b.state]), [
      [alpha.id, "expired"],
      [beta.id, "cancelling"],
    ]);
    const outcome = await resumeUntilDone(orchestrator, runId);
    assert.ok(isRunHandle(outcome));
    const log = await events(store, runId);
    const codes = new Map<string, number>();
    for (const e of log) {
      if (e.type === "generation.failed") {
        codes.set(e.data.error.code, (codes.get(e.data.error.code) ?? 0) + 1);
      }
    }
    assert.deepEqual(Object.fromEntries(codes), { BATCH_EXPIRED: 5, BATCH_CANCELLED: 5 });
    assert.equal(log.filter((e) => e.type === "generation.completed").length, 6);
    const snapshot = await orchestrator.getRunProgress(runId);
    assert.deepEqual(snapshot?.batches?.map((b) => [b.state, b.completed, b.failed, b.imported]), [
      ["expired", 3, 5, true],
      ["cancelled", 3, 5, true],
    ]);
    assert.equal(snapshot?.stages.generation.failed, 10);
  } finally {
    store.close();
  }
});

Deno.test("the batch backend refuses what it cannot do, before anything is sent", async () => {
  await using server = startBatchServer({ key: KEY });
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-batch-" }));
  try {
    const plain = Orchestrator.fromProjectSpec({
      project_name: "batchy",
      execution_backend: "batch",
    }, { store });
    const mixed = benchmark(server.url, "openai");
    mixed.models[1] = { model_id: "beta", provider: "anthropic", extras: { base_url: server.url } };
    await assert.rejects(plain.submit(mixed, { runtime }), (e: Error & { code?: string }) => {
      assert.equal(e.code, "BATCH_UNSUPPORTED");
      assert.match(e.message, /kind = "batch" and provider = "openai" or "anthropic"/);
      return true;
    });
    const typed = Orchestrator.fromProjectSpec(project("openai"), { store });
    await assert.rejects(
      typed.submit(mixed, { runtime }),
      /models "beta" \(anthropic\) use another/,
    );
    // The plain string works when every model has the same provider; a missing key stops it.
    await assert.rejects(plain.submit(benchmark(server.url, "openai")), /THEMIS_TEST_BATCH_KEY/);
    assert.deepEqual(server.log, []);
    const ok = await plain.submit(benchmark(server.url, "openai"), { runtime });
    assert.match(ok.warnings[0], /sent 20 generation requests to openai's Batch API in 2 /);
  } finally {
    store.close();
  }
});

Deno.test("a new process resumes what another submitted (CLI, client restart)", async () => {
  await using server: BatchServer = startBatchServer({ key: KEY, perPoll: 7 });
  const dir = await tempProject({
    "themis.toml": `project_name = "batchy"\n[executor]\nkind = "inline"\n` +
      `[execution_backend]\nkind = "batch"\nprovider = "anthropic"\n`,
    "bench.json": JSON.stringify(benchmark(server.url, "anthropic", 12)),
  });
  const env = { THEMIS_TEST_BATCH_KEY: KEY };
  const submit = await runCliProcess(["submit", "bench.json"], { cwd: dir, env });
  assert.equal(submit.code, 0, submit.stderr);
  const runId = submit.stdout.split("\n")[0];
  assert.match(submit.stderr, new RegExp(`themis resume ${runId}`));
  const status = await runCliProcess(["status", runId], { cwd: dir, env });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /batches: 2 \(2 not imported yet\)/);
  let last = { code: -1, stdout: "", stderr: "" };
  for (let i = 0; i < 10 && last.code !== 0; i++) {
    last = await runCliProcess(["resume", runId, "--json"], { cwd: dir, env });
    assert.ok([0, 7].includes(last.code), last.stderr);
  }
  assert.equal(last.code, 0, last.stderr);
  const rows = last.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((r) => [r.model, r.mean, r.count]), [["alpha", 1, 12], [
    "beta",
    1,
    12,
  ]]);
  const final = await runCliProcess(["status", runId, "--json"], { cwd: dir, env });
  const snapshot = JSON.parse(final.stdout);
  assert.equal(snapshot.status, "finished");
  assert.deepEqual(
    snapshot.batches.map((b: { state: string; imported: boolean }) => [b.state, b.imported]),
    [["completed", true], ["completed", true]],
  );
  // The key never reached the store.
  const files = [...Deno.readDirSync(`${dir}/themis-store/runs/${runId}/events`)];
  for (const f of files) {
    const bytes = await Deno.readFile(`${dir}/themis-store/runs/${runId}/events/${f.name}`);
    const text = f.name.endsWith(".gz")
      ? new TextDecoder().decode(
        await new Response(
          new Blob([bytes]).stream().pipeThrough(
            new DecompressionStream("gzip"),
          ),
        ).arrayBuffer(),
      )
      : new TextDecoder().decode(bytes);
    assert.ok(!text.includes(KEY));
  }
});

Deno.test("estimate prices pending generations at the batch price on the batch backend", async () => {
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-batch-" }));
  try {
    const spec = benchmark("http://127.0.0.1:9/v1", "openai");
    const local = Orchestrator.fromProjectSpec(
      { ...project("openai"), execution_backend: "local" },
      {
        store,
      },
    );
    const online = await local.estimate(spec);
    const batched = await Orchestrator.fromProjectSpec(project("openai"), { store }).estimate(spec);
    assert.ok(online.cost > 0);
    assert.ok(Math.abs(batched.cost - online.cost * 0.5) < 1e-9, `${batched.cost} ${online.cost}`);
    assert.match(batched.notes.at(-1)!, /Batch API prices/);
  } finally {
    store.close();
  }
});
