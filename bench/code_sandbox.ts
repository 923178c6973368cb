/**
 * `deno run -A bench/code_sandbox.ts`: the code sandbox's figures on this machine.
 *
 * 1. Baselines, measured in this run: a bare `deno run` of an empty script with the sandbox's
 *    flags (the floor of any process start), and a fresh Pyodide boot (what each Python
 *    execution would cost without the start-up snapshot).
 * 2. Executions per second of trivial TypeScript and Python solutions (one test each), one at a
 *    time and one per core; each execution is a cold sandbox process. Start-up vs code time says
 *    what a pool of pre-started sandboxes could hide (latency, not CPU).
 * 3. Peak RSS of all sandbox processes together with 2 and 8 running at once.
 *
 * Options: `--runs 20` (executions per throughput figure).
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { runSandboxed } from "../src/sandbox/run_sandboxed.ts";
import { pyodideFiles, sandboxCommand } from "../src/sandbox/sandbox_process.ts";
import type { SandboxLanguage, SandboxProgram } from "../src/sandbox/sandbox_types.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "20" } },
});
const RUNS = Number(values.runs);
const LIMITS = { timeoutMs: 60_000, memoryMb: 256, maxOutputBytes: 1 << 20 };
const CORES = availableParallelism();

const TRIVIAL: Record<"python" | "typescript", SandboxProgram> = {
  python: {
    language: "python",
    code: "def add(a, b):\n    return a + b",
    tests: ["assert add(1, 2) == 3"],
  },
  typescript: {
    language: "typescript",
    code: "export const add = (a: number, b: number): number => a + b;",
    tests: ["assert.equal(add(1, 2), 3);"],
  },
};

const slots = (n: number) => new BigInt64Array(new SharedArrayBuffer(8 * n));
const seconds = (ms: number) => (ms / 1000).toFixed(3);

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function bareDeno(): Promise<number> {
  const empty = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(empty, "export {};\n");
  try {
    const { command } = sandboxCommand(new URL(`file://${empty}`), { read: [], memoryMb: 256 });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await timed(() => runToEnd(command)));
    return median(times);
  } finally {
    await Deno.remove(empty);
  }
}

async function freshPyodideBoot(): Promise<number> {
  const pyodide = pyodideFiles();
  const script = new URL("../src/sandbox/make_snapshot.ts", import.meta.url);
  const { command } = sandboxCommand(script, {
    read: [pyodide.dir],
    args: [pyodide.url, pyodide.dir],
  });
  return await timed(() => runToEnd(command));
}

async function runToEnd(command: Deno.Command): Promise<void> {
  const child = command.spawn();
  await child.stdin.close();
  const output = await child.output();
  if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** `RUNS` executions, `parallel` at a time: executions/s, median wall and median code time. */
async function throughput(language: "python" | "typescript", parallel: number) {
  const walls: number[] = [];
  const codes: number[] = [];
  const own = slots(parallel);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next++ < RUNS) {
      const t0 = performance.now();
      const outcome = await runSandboxed(TRIVIAL[language], LIMITS, { slots: own });
      if (outcome.kind !== null) throw new Error(`trivial ${language} failed: ${outcome.message}`);
      walls.push(performance.now() - t0);
      codes.push(outcome.durationMs);
    }
  }));
  const total = performance.now() - started;
  return { perSecond: RUNS / (total / 1000), wall: median(walls), code: median(codes) };
}

/** Sum of VmRSS (MB) of this process's live children, from /proc. */
async function childrenRssMb(): Promise<number> {
  let kb = 0;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const status = await Deno.readTextFile(`/proc/${entry.name}/status`);
      if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== Deno.pid) continue;
      kb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch { /* gone meanwhile */ }
  }
  return kb / 1024;
}

/** Peak RSS of `count` sandboxes running at once, each busy for about a second of code. */
async function peakRss(language: SandboxLanguage, count: number): Promise<number> {
  const busy: SandboxProgram = language === "python"
    ? {
      language,
      code: "import time\nend = time.time() + 1.5\nwhile time.time() < end:\n    pass",
      tests: ["assert True"],
    }
    : {
      language,
      code: "const end = Date.now() + 1500; while (Date.now() < end);",
      tests: ["assert.ok(true);"],
    };
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await childrenRssMb());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const own = slots(count);
  await Promise.all(
    Array.from({ length: count }, () => runSandboxed(busy, LIMITS, { slots: own })),
  );
  sampling = false;
  await sampler;
  return peak;
}

console.log(`code sandbox bench — ${CORES} cores, ${RUNS} executions per figure\n`);
// Python's first execution in a process makes the snapshot: not part of the figures.
await runSandboxed(TRIVIAL.python, LIMITS);

const bare = await bareDeno();
const boot = await freshPyodideBoot();
console.log(`baseline: bare deno process start          ${seconds(bare)} s`);
console.log(`baseline: fresh Pyodide boot (no snapshot)  ${seconds(boot)} s\n`);

console.log("language    parallel  exec/s  median wall s  median code ms  wall / bare deno");
for (const language of ["typescript", "python"] as const) {
  for (const parallel of [1, CORES]) {
    const t = await throughput(language, parallel);
    console.log(
      `${language.padEnd(10)}  ${String(parallel).padStart(8)}  ${
        t.perSecond.toFixed(2).padStart(6)
      }  ` +
        `${seconds(t.wall).padStart(13)}  ${String(t.code).padStart(14)}  ${
          (t.wall / bare).toFixed(1).padStart(16)
        }`,
    );
    if (language === "python" && parallel === 1) {
      console.log(
        `            snapshot start vs fresh boot: ${(boot / t.wall).toFixed(1)}× faster`,
      );
    }
  }
}

if (Deno.build.os === "linux") {
  console.log("\nlanguage    sandboxes at once  peak RSS of all sandboxes MB  per sandbox MB");
  for (const language of ["typescript", "python"] as const) {
    for (const count of [2, 8]) {
      const peak = await peakRss(language, count);
      console.log(
        `${language.padEnd(10)}  ${String(count).padStart(17)}  ${peak.toFixed(0).padStart(28)}  ` +
          `${(peak / count).toFixed(0).padStart(14)}`,
      );
    }
  }
}
