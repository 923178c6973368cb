/**
 * A one-slice benchmark on the mock engine, as tests run it: items `{ id, q, answer }`, the prompt
 * `{item.q}`, the model answering with `template` (its `{answer}` filled in with probability
 * `accuracy`), the first number parsed and scored by exact match.
 */
import type { BenchmarkSpecInput, Json } from "../../mod.ts";

/** Options of {@linkcode mockBenchmark}. */
export interface MockBenchmarkOptions {
  id: string;
  items: Array<{ id: string; q: string; answer: Json }>;
  /** Share of answers that are right (default 1). */
  accuracy?: number;
  /** The answer's text (default `{answer}`). */
  template?: string;
  /** The model's latency per answer (default 0). */
  latencyMs?: number;
}

/**
 * The benchmark (see the module comment), as a spec `Orchestrator.run` takes.
 *
 * @example
 * ```ts
 * import { mockBenchmark } from "./mock_benchmark.ts";
 * const spec = mockBenchmark({ id: "b", items: [{ id: "q0", q: "1 + 1", answer: 2 }] });
 * ```
 */
export function mockBenchmark(o: MockBenchmarkOptions): BenchmarkSpecInput {
  return {
    benchmark_id: o.id,
    models: [{
      model_id: "solver",
      provider: "mock",
      extras: {
        mode: "reference",
        accuracy: o.accuracy ?? 1,
        template: o.template ?? "{answer}",
        latency_ms: o.latencyMs ?? 0,
      },
    }],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.q}" }] }],
    slices: [{
      slice_id: "s",
      dataset: { kind: "inline", items: o.items },
      parses: [{ name: "n", extractors: [{ id: "first_number" }] }],
      scores: [{ name: "acc", parse: "n", metrics: [{ id: "exact_match" }] }],
    }],
  };
}
