/**
 * A large synthetic store for the analytics bench, written straight to disk in the real
 * formats (events serialized by `serializeEvent`, manifests shaped like `RunManifest`): far
 * faster than running the mock engine.
 *
 * Layout: models × slices × prompt variants × items trials, `samples` candidates each; every
 * candidate has one generation, one parse and `scores` scores of one metric. The trials are
 * spread over one partial run per (slice, variant); a last run plans all of them and reuses
 * every fact (only `trial.planned` events of its own), as re-running a finished benchmark does.
 */
import { join } from "node:path";
import { serializeEvent, type ThemisEvent } from "../src/store/events.ts";
import type { JsonObject } from "../src/core/json.ts";

/** Size of the synthetic store. */
export interface BenchStoreOptions {
  models: number;
  slices: number;
  variants: number;
  items: number;
  samples: number;
  scores: number;
}

/** 1,000,000 score events: 4 × 5 × 2 × 1,250 trials × 5 samples × 4 scores. */
export const MILLION_SCORES: BenchStoreOptions = {
  models: 4,
  slices: 5,
  variants: 2,
  items: 1250,
  samples: 5,
  scores: 4,
};

const hex = (prefix: string, n: number) => prefix + n.toString(16).padStart(11, "0");
const BASE = Date.parse("2026-01-01T00:00:00.000Z");

interface Trial {
  trial: string;
  task: string;
  model: string;
  prompt: string;
  item: string;
  index: number;
  candidates: string[];
}

function stages(o: BenchStoreOptions, task: string, extra = 0) {
  const parse = {
    hash: hex("p", 0),
    taskId: task,
    name: "num",
    extractors: [{ id: "first_number", config: {} }],
  };
  const scores = Array.from({ length: o.scores + extra }, (_, s) => ({
    hash: hex("s", s),
    taskId: task,
    name: `score${s}`,
    parseHash: s % 2 === 0 ? parse.hash : null,
    parseName: s % 2 === 0 ? "num" : null,
    metrics: [{ id: "exact_match", config: {} }],
    reduction: "mean",
  }));
  return { parse, scores };
}

function manifest(runId: string, o: BenchStoreOptions, trials: Trial[], extra = 0) {
  const tasks = Array.from({ length: o.slices }, (_, s) => `slice${s}`);
  const all = tasks.map((t) => stages(o, t, extra));
  const candidates = trials.reduce((n, t) => n + t.candidates.length, 0);
  return {
    manifest_version: 1,
    run_id: runId,
    tool: { name: "themis", version: "bench" },
    project: { project_name: "bench", global_seed: 1, store_item_payloads: true },
    source: { kind: "benchmark", spec: {}, base_dir: "." },
    experiment: {
      experiment_id: "bench",
      benchmark_id: "bench",
      plugins: [],
      hooks: [],
      num_samples: o.samples,
      models: Array.from({ length: o.models }, (_, m) => ({
        model_id: `model${m}`,
        provider: "mock",
        extras: {},
      })),
      tasks: tasks.map((task, s) => ({
        task_id: task,
        dataset: { kind: "inline", items: [] },
        dataset_query: { kind: "all" },
        dimensions: { domain: s % 2 ? "math" : "text" },
        prompts: Array.from({ length: o.variants }, (_, v) => ({
          id: `variant${v}`,
          messages: [{ role: "user", content: "{item.q}" }],
          variables: {},
        })),
        inference: [{}],
        parses: [],
        scores: [],
      })),
    },
    datasets: {},
    parses: all.map((a) => a.parse),
    scores: all.flatMap((a) => a.scores),
    counts: {
      trials: trials.length,
      candidates,
      parses: candidates,
      scores: candidates * (o.scores + extra),
    },
    trials: trials.map((t) => ({
      trial: t.trial,
      task: t.task,
      model: t.model,
      prompt: t.prompt,
      params: 0,
      item: t.item,
      candidates: t.candidates,
    })),
  };
}

/** Appends serialized events to a file in large chunks. */
class EventFile {
  #lines: string[] = [];
  #seq = 0;
  #ms: number;
  readonly #file: Deno.FsFile;
  readonly #run: string;
  constructor(file: Deno.FsFile, run: string, startMs: number) {
    this.#file = file;
    this.#run = run;
    this.#ms = startMs;
  }
  add(type: ThemisEvent["type"], data: JsonObject, ids: Partial<ThemisEvent> = {}): void {
    this.#ms += 1;
    const ts = new Date(this.#ms).toISOString();
    this.#lines.push(
      serializeEvent({ v: 1, seq: this.#seq++, ts, run: this.#run, type, ...ids, data }),
    );
    if (this.#lines.length >= 20_000) this.flushSync();
  }
  flushSync(): void {
    if (this.#lines.length === 0) return;
    const bytes = new TextEncoder().encode(this.#lines.join("\n") + "\n");
    let written = 0;
    while (written < bytes.length) written += this.#file.writeSync(bytes.subarray(written));
    this.#lines = [];
  }
  close(): void {
    this.flushSync();
    this.#file.close();
  }
}

function allTrials(o: BenchStoreOptions): Trial[] {
  const out: Trial[] = [];
  let n = 0;
  for (let s = 0; s < o.slices; s++) {
    for (let v = 0; v < o.variants; v++) {
      for (let i = 0; i < o.items; i++) {
        for (let m = 0; m < o.models; m++) {
          const index = n++;
          out.push({
            trial: hex("t", index),
            task: `slice${s}`,
            model: `model${m}`,
            prompt: `variant${v}`,
            item: `item${i}`,
            index,
            candidates: Array.from(
              { length: o.samples },
              (_, k) => hex("c", index * o.samples + k),
            ),
          });
        }
      }
    }
  }
  return out;
}

function planned(t: Trial, o: BenchStoreOptions): JsonObject {
  return {
    benchmark_id: "bench",
    slice_id: t.task,
    model_id: t.model,
    provider: "mock",
    prompt_variant_id: t.prompt,
    params: {},
    params_index: 0,
    item_id: t.item,
    item: { id: t.item, q: `${t.index % 97} + 1`, answer: String((t.index % 97) + 1) },
    messages: [{ role: "user", content: `${t.index % 97} + 1` }],
    dimensions: { domain: Number(t.task.slice(5)) % 2 ? "math" : "text" },
    num_samples: o.samples,
  };
}

// Deterministic 0/1 outcomes with a model-dependent accuracy.
function correct(t: Trial, k: number, s: number): number {
  const x = Math.sin(t.index * 12.9898 + k * 78.233 + s * 37.719) * 43758.5453;
  return x - Math.floor(x) < 0.5 + 0.1 * Number(t.model.slice(5)) ? 1 : 0;
}

async function writeRun(
  root: string,
  runId: string,
  o: BenchStoreOptions,
  trials: Trial[],
  work: { start: number; generate: boolean; scores: number[] },
): Promise<number> {
  const dir = join(root, "runs", runId);
  await Deno.mkdir(dir, { recursive: true });
  const extra = Math.max(0, Math.max(-1, ...work.scores) + 1 - o.scores);
  await Deno.writeTextFile(
    join(dir, "manifest.json"),
    JSON.stringify(manifest(runId, o, trials, extra)),
  );
  const file = new EventFile(
    Deno.openSync(join(dir, "events.jsonl"), { write: true, create: true, truncate: true }),
    runId,
    work.start,
  );
  file.add("run.started", { stages: ["generation", "parse", "score"], executor: "pool" });
  let scoreEvents = 0;
  for (const t of trials) {
    file.add("trial.planned", planned(t, o), { trial: t.trial });
    for (const [k, cand] of t.candidates.entries()) {
      const ids = { trial: t.trial, cand };
      if (work.generate) {
        const text = `The answer is ${(t.index % 97) + 1 - (correct(t, k, 99) ? 0 : 1)}`;
        file.add("generation.completed", {
          sample: k,
          text,
          finish_reason: "stop",
          usage: { prompt_tokens: 12, completion_tokens: 6 },
          latency_ms: 40 + (t.index % 13),
          attempts: 1,
          meta: {},
        }, { ...ids, overlay: "gen" });
        file.add("parse.completed", {
          name: "num",
          answer: (t.index % 97) + 1,
          extractor: "first_number",
          attempts: [{ extractor: "first_number", ok: true }],
        }, { ...ids, overlay: `tf:${hex("p", 0)}` });
      }
      for (const s of work.scores) {
        file.add("score.completed", {
          name: `score${s}`,
          parse: s % 2 === 0 ? hex("p", 0) : null,
          metrics: [{ metric: "exact_match", value: correct(t, k, s) }],
        }, { ...ids, overlay: `ev:${hex("s", s)}` });
        scoreEvents++;
      }
    }
  }
  file.add("run.finished", { stages: ["generation", "parse", "score"], cancelled: false });
  file.close();
  return scoreEvents;
}

/**
 * Write the store: one partial run per (slice, variant), then the run that plans everything
 * and reuses it all. Returns the run ids (the last is the full run) and the score events.
 */
export async function writeBenchStore(
  root: string,
  o: BenchStoreOptions,
): Promise<{ runs: string[]; fullRun: string; scoreEvents: number }> {
  const trials = allTrials(o);
  const runs: string[] = [];
  let scoreEvents = 0;
  const scoreIds = Array.from({ length: o.scores }, (_, s) => s);
  for (let s = 0; s < o.slices; s++) {
    for (let v = 0; v < o.variants; v++) {
      const runId = hex("r", runs.length);
      const part = trials.filter((t) => t.task === `slice${s}` && t.prompt === `variant${v}`);
      const start = BASE + runs.length * 3_600_000;
      scoreEvents += await writeRun(root, runId, o, part, {
        start,
        generate: true,
        scores: scoreIds,
      });
      runs.push(runId);
    }
  }
  const fullRun = hex("f", 0);
  await writeRun(root, fullRun, o, trials, {
    start: BASE + 100 * 3_600_000,
    generate: false,
    scores: [],
  });
  return { runs, fullRun, scoreEvents };
}

/** One more run: a new score over the first slice, reusing its generations and parses. */
export async function appendBenchRun(
  root: string,
  o: BenchStoreOptions,
): Promise<{ run: string; scoreEvents: number }> {
  const trials = allTrials(o).filter((t) => t.task === "slice0");
  const run = hex("a", 0);
  const scoreEvents = await writeRun(root, run, o, trials, {
    start: BASE + 200 * 3_600_000,
    generate: false,
    scores: [o.scores],
  });
  return { run, scoreEvents };
}
