import type { BenchmarkSpecInput } from "../mod.ts";

/** The benchmark every throughput measurement runs: `trials` arithmetic items on the mock engine. */
export function benchBenchmark(trials: number): BenchmarkSpecInput {
  return {
    benchmark_id: `bench-${trials}`,
    models: [{
      model_id: "solver",
      provider: "mock",
      extras: { mode: "reference", accuracy: 0.8, template: "The answer is {answer}." },
    }],
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "What is {item.question}?" }] }],
    slices: [{
      slice_id: "sums",
      dataset: {
        kind: "inline",
        items: Array.from({ length: trials }, (_, i) => ({
          id: `q${i}`,
          question: `${i} + ${i}`,
          answer: String(2 * i),
        })),
      },
      parses: [{ name: "num", extractors: [{ id: "last_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
    }],
  };
}
