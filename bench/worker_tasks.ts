/**
 * Worker-side CPU per task: the bench's generation and stages tasks (mock engine, `last_number`,
 * `exact_match`) run through `runWork` in batches of 32 the way `src/run/worker.ts` runs them
 * (a board slot per task, one turn per batch, results as JSON), against the same answer, parse
 * and score written by hand, measured in the same run as the baseline for the ratios.
 *
 * - `runWork`: the work functions alone.
 * - `batch`: plus the worker's board, turn and result JSON (the batch's `JSON.parse` left out).
 * - `+ parse`: plus `JSON.parse` of the batch text, all of a worker's own work on a task.
 *
 * `deno run -A bench/worker_tasks.ts [tasks=100000] [repeats=5]`: CPU µs per task (the fastest
 * repeat; other processes on the machine only add to it).
 */
import process from "node:process";
import { setImmediate } from "node:timers";
import { seededRandom } from "../src/core/prng.ts";
import { createRegistry } from "../src/plugins/registry.ts";
import { runWork, type WorkTask } from "../src/run/candidate_work.ts";
import { WorkBoard } from "../src/run/work_board.ts";

const TASKS = Number(Deno.args[0] ?? 100_000);
const REPEATS = Number(Deno.args[1] ?? 5);
const BATCH = 32;
const timeouts = {
  generation: 120_000,
  parse: 10_000,
  score: 60_000,
  judge: 120_000,
  hook: 10_000,
};
const extras = { mode: "reference", accuracy: 0.8, template: "The answer is {answer}." };
const model = { model_id: "solver", provider: "mock", extras };

const payload = (i: number) => ({ answer: String(2 * i), id: `q${i}`, question: `${i} + ${i}` });
const seed = (i: number) => (i * 2654435761) >>> 0;
const answerText = (i: number) =>
  seededRandom(seed(i))() < extras.accuracy
    ? extras.template.replaceAll("{answer}", String(2 * i))
    : "I don't know";

function generationTask(i: number): WorkTask {
  return {
    kind: "generation",
    request: {
      model,
      messages: [{ role: "user", content: `What is ${i} + ${i}?` }],
      params: {},
      seed: seed(i),
      trialId: `t${i}`,
      candidateId: `c${i}`,
      sampleIndex: 0,
      item: { id: `q${i}`, payload: payload(i) },
    },
    hooks: [],
    timeouts,
  };
}

function stagesTask(i: number): WorkTask {
  const parse = { hash: "p", taskId: "sums", name: "num" };
  return {
    kind: "stages",
    trialId: `t${i}`,
    candidateId: `c${i}`,
    text: answerText(i),
    item: payload(i),
    parses: [{ ...parse, extractors: [{ id: "last_number", config: {} }] }],
    scores: [{
      hash: "s",
      taskId: "sums",
      name: "acc",
      parseHash: "p",
      parseName: "num",
      metrics: [{ id: "exact_match", config: {} }],
      reduction: "mean",
    }],
    knownAnswers: {},
    hooks: [],
    timeouts,
  };
}

/** The same work by hand: the mock's answer and token counts; the last number, compared. */
function byHand(kind: WorkTask["kind"], i: number): number {
  if (kind === "generation") {
    const text = answerText(i);
    const count = (s: string) => s.split(/\s+/).filter(Boolean).length;
    return text.length + count(`What is ${i} + ${i}?`) + count(text);
  }
  const numbers = answerText(i).match(/-?\d+(?:\.\d+)?/g);
  const answer = numbers ? Number(numbers[numbers.length - 1]) : null;
  return answer !== null && String(answer) === String(2 * i) ? 1 : 0;
}

const registry = createRegistry();
const board = WorkBoard.create(BATCH);
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

type Mode = "hand" | "runWork" | "batch" | "+ parse";

/** CPU µs per task of one pass over every batch text in `mode`. */
async function pass(texts: string[], mode: Mode): Promise<number> {
  let spent = 0;
  let sink = 0;
  for (const text of texts) {
    const started = cpuMicros();
    const { keys, tasks } = JSON.parse(text) as { keys: number[]; tasks: WorkTask[] };
    const afterParse = cpuMicros();
    if (mode === "hand") {
      for (const key of keys) sink += byHand(tasks[0].kind, key);
    } else if (mode === "runWork") {
      sink += (await Promise.all(tasks.map((task) => runWork(task, registry)))).length;
    } else {
      const slots = tasks.map((_, i) => board.claim(keys[i]));
      const results = await Promise.all(
        tasks.map((task, i) => runWork(task, registry, { board: slots[i] })),
      );
      await turn();
      for (const slot of slots) slot?.release();
      sink += JSON.stringify(results).length;
    }
    spent += cpuMicros() - (mode === "+ parse" ? started : afterParse);
  }
  if (sink < 0) throw new Error("unreachable");
  return spent / TASKS;
}

function batchTexts(make: (i: number) => WorkTask): string[] {
  const texts: string[] = [];
  for (let start = 0; start < TASKS; start += BATCH) {
    const keys = [];
    for (let i = start; i < Math.min(TASKS, start + BATCH); i++) keys.push(i);
    texts.push(JSON.stringify({ keys, tasks: keys.map(make), alone: false }));
  }
  return texts;
}

const modes: Mode[] = ["hand", "runWork", "batch", "+ parse"];
console.log(`CPU µs per task, fastest of ${REPEATS} (${TASKS} tasks, batches of ${BATCH})`);
console.log(`${"task".padEnd(12)}${modes.map((m) => m.padStart(18)).join("")}`);
for (const [kind, make] of [["generation", generationTask], ["stages", stagesTask]] as const) {
  const texts = batchTexts(make);
  const best = new Map<Mode, number>();
  for (let r = 0; r < REPEATS; r++) {
    for (const mode of modes) {
      best.set(mode, Math.min(best.get(mode) ?? Infinity, await pass(texts, mode)));
    }
  }
  const hand = best.get("hand")!;
  const cells = modes.map((m) =>
    m === "hand"
      ? hand.toFixed(2)
      : `${best.get(m)!.toFixed(2)} (${(best.get(m)! / hand).toFixed(1)}×)`
  );
  console.log(`${kind.padEnd(12)}${cells.map((c) => c.padStart(18)).join("")}`);
}
