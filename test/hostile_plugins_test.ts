/**
 * The hostile-plugin suite: for every way a plugin can fail — throw, hang (async, or in a
 * synchronous loop), throw from a timer, leave a promise rejected, exit its process, run out
 * of memory — in every stage — generation, parse, score, judge, hook — a real run in the
 * worker pool records a failed attempt of that stage, the well-behaved items succeed, no
 * model is called twice for one candidate, and the run ends with `run.finished`.
 *
 * Each run happens in a process of its own (this file, run as a script): under Deno 2.9 a
 * worker stopped in the middle of a synchronous loop keeps spinning on its core until the
 * process ends (denoland/deno#35657; docs/execution.md), and the tests after this one must not
 * share the machine with those threads.
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { type BenchmarkSpecInput, Orchestrator, Store, type ThemisEvent } from "../mod.ts";
import type { PlanTrial } from "../src/store/plan_segments.ts";
import { KINDS } from "./fixtures/plugins/hostile.ts";
import { startOpenAIServer } from "./support/openai_server.ts";

const HOSTILE = fromFileUrl(new URL("./fixtures/plugins/hostile.ts", import.meta.url));

type Stage = "generation" | "parse" | "score" | "judge" | "hook";
type Kind = typeof KINDS[number];

/** Where each stage's failure is recorded. */
const FAILED_EVENT: Record<Stage, string> = {
  generation: "generation.failed",
  parse: "parse.failed",
  score: "score.failed",
  judge: "score.failed",
  hook: "parse.failed",
};

/** The error code a failure kind must be recorded with, in a stage. */
function expectedCode(stage: Stage, kind: Kind): string {
  if (kind === "throw") return "PLUGIN_ERROR";
  if (kind === "hang-async" || kind === "hang-cpu" || kind === "oom") {
    return stage === "generation" || stage === "judge" ? "PROVIDER_TIMEOUT" : "PLUGIN_TIMEOUT";
  }
  return "PLUGIN_ERROR"; // the plugin ended or crashed its worker
}

/** Kinds that apply to a stage: an extractor is synchronous by its API, so it cannot hang async. */
const kindsOf = (stage: Stage): Kind[] =>
  KINDS.filter((kind) => !(stage === "parse" && kind === "hang-async"));

function benchmark(stage: Stage, baseUrl: string): BenchmarkSpecInput {
  const items = [...kindsOf(stage), "ok", "ok"].map((mode, i) => ({ id: `${i}-${mode}`, mode }));
  const model = stage === "generation"
    ? { model_id: "hostile", provider: "hostile" }
    : { model_id: "echo", provider: "openai", extras: { base_url: baseUrl } };
  const parses = stage === "parse" || stage === "hook"
    ? [{ name: "p", extractors: [{ id: "hostile" }] }]
    : [];
  const metric = stage === "judge" ? "judged" : "hostile";
  const scores = stage === "score" || stage === "judge"
    ? [{ name: "s", metrics: [{ id: metric }] }]
    : [];
  return {
    benchmark_id: `hostile-${stage}`,
    plugins: [HOSTILE],
    hooks: stage === "hook" ? [{ id: "hostile" }] : [],
    models: [model],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.mode}" }] }],
    slices: [{ slice_id: "s", dataset: { kind: "inline", items }, parses, scores }],
  };
}

/** A stage's run in a child process: its events, each trial's item and the model calls. */
async function runStage(stage: Stage) {
  const config = fromFileUrl(new URL("../deno.json", import.meta.url));
  const script = fromFileUrl(new URL(import.meta.url));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", config, script, stage],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `the ${stage} run's process failed: ${stderr}`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  const parsed = JSON.parse(lines.at(-1)!) as {
    events: ThemisEvent[];
    items: Array<[string, string]>;
    requests: number;
  };
  return {
    events: parsed.events,
    itemOf: new Map<string | undefined, string>(parsed.items),
    requests: parsed.requests,
  };
}

/** The run of one stage, in this process (the child's side of {@linkcode runStage}). */
async function runStageHere(stage: Stage) {
  await using server = startOpenAIServer();
  const store = Store.open(await Deno.makeTempDir({ prefix: `themis-hostile-${stage}-` }));
  const orchestrator = Orchestrator.fromProjectSpec({
    project_name: "hostile",
    executor: { kind: "pool", max_threads: 2, worker_heap_mb: 96 },
    execution_policy: {
      max_attempts: 1,
      attempt_timeout: stage === "generation" ? 1 : 60,
      parse_timeout: 1,
      score_timeout: 1,
      judge_timeout: 1,
      hook_timeout: 1,
    },
  }, { store });
  try {
    const result = await orchestrator.run(benchmark(stage, server.url));
    const events = await Array.fromAsync(store.runs.iterEvents(result.runId));
    const manifest = await store.runs.readManifest<{ trials?: PlanTrial[] }>(result.runId);
    const itemOf = new Map<string | undefined, string>();
    for await (const t of store.runs.iterPlan(result.runId, manifest)) itemOf.set(t.trial, t.item);
    return { events, itemOf, requests: server.requests.length };
  } finally {
    store.close();
  }
}

/** The error a failure event records. */
interface RecordedError {
  code: string;
  message: string;
  stage?: string;
  details?: { crashed?: boolean };
}

function errorOf(e: ThemisEvent): RecordedError | undefined {
  return "error" in e.data ? e.data.error as RecordedError | undefined : undefined;
}

/** Per item id: the stage and code of its failure, or "ok". */
function outcomes(
  events: ThemisEvent[],
  itemOf: Map<string | undefined, string>,
  stage: Stage,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const done = stage === "generation"
    ? "generation.completed"
    : FAILED_EVENT[stage].replace("failed", "completed");
  for (const e of events) {
    const item = String(itemOf.get(e.trial));
    if (e.type === done) out[item] ??= "ok";
    const error = errorOf(e);
    if (e.type === FAILED_EVENT[stage] && error) {
      out[item] = { code: error.code, stage: error.stage };
    }
  }
  return out;
}

for (const stage of ["generation", "parse", "score", "judge", "hook"] as const) {
  Deno.test(`hostile plugins in the ${stage} stage: each failure is a failed ${stage} attempt; the run finishes`, async () => {
    const { events, itemOf, requests } = await runStage(stage);
    const kinds = kindsOf(stage);
    const expected: Record<string, unknown> = {};
    kinds.forEach((
      kind,
      i,
    ) => (expected[`${i}-${kind}`] = { code: expectedCode(stage, kind), stage }));
    expected[`${kinds.length}-ok`] = "ok";
    expected[`${kinds.length + 1}-ok`] = "ok";
    assert.deepEqual(outcomes(events, itemOf, stage), expected);
    assert.equal(events.at(-1)?.type, "run.finished", "the run ended with run.finished");
    const failed = events.filter((e) => e.type === FAILED_EVENT[stage]);
    for (const e of failed) {
      const error = errorOf(e);
      if (!error) continue;
      if (error.code === "PLUGIN_ERROR" && !/threw/.test(error.message)) {
        assert.equal(error.details?.crashed, true, error.message);
      }
    }
    if (stage !== "generation") {
      assert.equal(
        requests,
        kinds.length + 2,
        "one model call per candidate, whatever the stage did",
      );
      assert.equal(events.filter((e) => e.type === "attempt.retried").length, 0);
    }
  });
}

if (import.meta.main) {
  const { events, itemOf, requests } = await runStageHere(Deno.args[0] as Stage);
  console.log(JSON.stringify({ events, items: [...itemOf], requests }));
  // Workers stopped in a synchronous loop may still spin: end the process, and them, now.
  Deno.exit(0);
}
