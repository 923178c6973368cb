/**
 * The shared store of the results, analytics and report tests (no test of its own): three
 * models on two slices — a seeded mock solver, an echo, and a registered "flaky" engine that
 * fails on items ending in 3 while `broken` — so runs hold reuse, failures, answers no parse
 * finds, and skipped scores.
 */
import {
  type BenchmarkSpecInput,
  createRegistry,
  Orchestrator,
  type ProjectSpecInput,
  Store,
  ThemisError,
} from "../mod.ts";

/** A store, its orchestrator, and the switch of the flaky engine. */
export interface Fixture {
  store: Store;
  orchestrator: Orchestrator;
  flaky: { broken: boolean };
  close(): void;
}

const MATH = Array.from(
  { length: 8 },
  (_, i) => ({ id: `m${i}`, q: `${i} + 1`, answer: `${i + 1}` }),
);
const WORDS = ["red", "blue", "green", "gold", "grey", "pink"];
const TEXT = WORDS.map((w, i) => ({ id: `t${i}`, q: `say ${w}`, answer: w }));

/** The benchmark: solver, echo and flaky on a math and a text slice, one prompt variant. */
export function benchmark(overrides: Partial<BenchmarkSpecInput> = {}): BenchmarkSpecInput {
  return {
    benchmark_id: "fixture",
    models: [
      {
        model_id: "solver",
        provider: "mock",
        extras: { mode: "reference", accuracy: 0.6, template: "The answer is {answer}" },
      },
      { model_id: "echo", provider: "mock", extras: { mode: "echo" } },
      { model_id: "flaky", provider: "flaky" },
    ],
    prompt_variants: [{ id: "plain", messages: [{ role: "user", content: "{item.q}" }] }],
    slices: [
      {
        slice_id: "math",
        dimensions: { domain: "math" },
        dataset: { kind: "inline", items: MATH },
        parses: [{ name: "num", extractors: [{ id: "first_number" }] }],
        scores: [
          { name: "acc", parse: "num", metrics: [{ id: "exact_match" }] },
          { name: "raw", metrics: [{ id: "exact_match" }] },
        ],
      },
      {
        slice_id: "text",
        dimensions: { domain: "text" },
        dataset: { kind: "inline", items: TEXT },
        parses: [{ name: "word", extractors: [{ id: "regex", config: { pattern: "is (\\w+)" } }] }],
        scores: [{ name: "acc", parse: "word", metrics: [{ id: "exact_match" }] }],
      },
    ],
    ...overrides,
  };
}

/** A fresh store with the flaky engine registered (runs inline). */
export async function openFixture(project: Partial<ProjectSpecInput> = {}): Promise<Fixture> {
  const flaky = { broken: true };
  const registry = createRegistry().registerEngine({
    id: "flaky",
    generate(request) {
      if (flaky.broken && request.item.id.endsWith("3")) {
        return Promise.reject(new ThemisError("PROVIDER_UNAVAILABLE", "flaky is down"));
      }
      const answer = String(request.item.payload.answer);
      return Promise.resolve({
        text: `The answer is ${answer}`,
        usage: { prompt_tokens: 4, completion_tokens: 4 },
      });
    },
  });
  const store = Store.open(await Deno.makeTempDir({ prefix: "themis-results-" }));
  const orchestrator = Orchestrator.fromProjectSpec({
    project_name: "fixture",
    global_seed: 7,
    executor: { kind: "inline" },
    execution_policy: { max_attempts: 1 },
    ...project,
  }, { store, registry });
  return { store, orchestrator, flaky, close: () => store.close() };
}

/** Numbers rounded to 12 decimals, deep, for comparing float results. */
export function rounded<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_, v) => (typeof v === "number" ? Math.round(v * 1e12) / 1e12 : v)),
  );
}
