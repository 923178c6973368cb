import type { BenchmarkSpecInput } from "../mod.ts";

/** Write `trials` arithmetic items as a JSONL dataset (the realistic shape of a large benchmark). */
export async function writeBenchDataset(path: string, trials: number): Promise<void> {
  const lines: string[] = [];
  for (let i = 0; i < trials; i++) {
    lines.push(JSON.stringify({ id: `q${i}`, question: `${i} + ${i}`, answer: String(2 * i) }));
  }
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
}

/** The benchmark every throughput measurement runs: a JSONL dataset on the mock engine. */
export function benchBenchmark(trials: number, dataset: string): BenchmarkSpecInput {
  return {
    benchmark_id: `bench-${trials}`,
    models: [{
      model_id: "solver",
      provider: "mock",
      extras: { mode: "reference", accuracy: 0.8, template: "The answer is {answer}." },
    }],
    prompt_variants: [{
      id: "p",
      messages: [{ role: "user", content: "What is {item.question}?" }],
    }],
    slices: [{
      slice_id: "sums",
      dataset: { kind: "jsonl", path: dataset },
      parses: [{ name: "num", extractors: [{ id: "last_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
    }],
  };
}
