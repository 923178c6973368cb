/**
 * The baseline: the same work as a themis run, written by hand as one loop — hash ids, render
 * the prompt, answer (the mock's rule), parse, score, append four JSONL lines per trial.
 * `deno run -A bench/baseline_loop.ts <dataset.jsonl> <out dir>`; prints one JSON line.
 */
import { sha256 } from "../src/core/sha256.ts";

const [dataset, outDir] = Deno.args;
const started = performance.now();
const lines = (await Deno.readTextFile(dataset)).split("\n").filter(Boolean);
const file = await Deno.open(`${outDir}/baseline-events.jsonl`, {
  write: true,
  create: true,
  truncate: true,
});
const encoder = new TextEncoder();
let pending = "";
let seq = 0;
const ts = new Date().toISOString();
const line = (type: string, data: unknown) =>
  JSON.stringify({ v: 1, seq: seq++, ts, run: "baseline", type, data }) + "\n";
let trials = 0;
for (const text of lines) {
  const item = JSON.parse(text) as { id: string; question: string; answer: string };
  const prompt = `What is ${item.question}?`;
  const trial = sha256(JSON.stringify({ item, prompt, model: "solver" })).slice(0, 12);
  const cand = sha256(JSON.stringify({ trial, sample: 0 })).slice(0, 12);
  const seed = parseInt(sha256(cand).slice(0, 8), 16);
  const output = seed % 10 < 8 ? `The answer is ${item.answer}.` : "I don't know";
  const numbers = output.match(/-?\d+(?:\.\d+)?/g);
  const answer = numbers ? numbers[numbers.length - 1] : null;
  pending += line("trial.planned", { trial, item, prompt });
  pending += line("generation.completed", { trial, cand, text: output });
  pending += line("parse.completed", { cand, answer });
  pending += line("score.completed", { cand, value: answer === item.answer ? 1 : 0 });
  if (pending.length > 1 << 16) {
    await file.write(encoder.encode(pending));
    pending = "";
  }
  trials++;
}
await file.write(encoder.encode(pending));
file.close();
const seconds = (performance.now() - started) / 1000;
const status = await Deno.readTextFile("/proc/self/status");
console.log(JSON.stringify({
  trials,
  executor: "hand-written loop",
  seconds: Number(seconds.toFixed(3)),
  trialsPerSecond: Math.round(trials / seconds),
  peakRssMb: Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024),
}));
