import { errorMessage, ThemisError } from "../core/errors.ts";
import { pyodideSnapshot } from "./pyodide_snapshot.ts";
import { pyodideFiles, sandboxCommand } from "./sandbox_process.ts";
import { SandboxOutput } from "./sandbox_output.ts";
import { acquireSandboxSlot } from "./sandbox_slots.ts";
import type {
  FailureKind,
  ReceivedLine,
  SandboxJob,
  SandboxLimits,
  SandboxOutcome,
  SandboxProgram,
  TestOutcome,
} from "./sandbox_types.ts";

/** Start-up may take this long by default (booting Pyodide on a busy machine). */
const STARTUP_TIMEOUT_MS = 60_000;
/** The parent kills a sandbox this long after the sandbox should have stopped itself. */
const KILL_GRACE_MS = 5_000;

let harnessSource: Promise<string> | undefined;

function harness(): Promise<string> {
  harnessSource ??= fetch(new URL("./sandbox_harness.ts", import.meta.url)).then((r) => r.text());
  return harnessSource;
}

/** Why the parent itself stopped the sandbox, if it did. */
type Stopped = "output" | "timeout" | "startup" | undefined;

/** What the parent saw of one sandbox process. */
interface Observed {
  output: SandboxOutput;
  stopped: Stopped;
  status: Deno.CommandStatus;
  /** Milliseconds since the sandbox said it was ready, when it said so. */
  sinceReady?: number;
}

async function job(program: SandboxProgram, limits: SandboxLimits) {
  const python = program.language === "python";
  const pyodide = python ? pyodideFiles() : undefined;
  const snapshot = python ? await pyodideSnapshot() : undefined;
  const spec: SandboxJob = {
    nonce: crypto.randomUUID().replaceAll("-", ""),
    program,
    timeoutMs: limits.timeoutMs,
    memoryMb: limits.memoryMb,
    startupTimeoutMs: limits.startupTimeoutMs ?? STARTUP_TIMEOUT_MS,
    harness: await harness(),
    pyodideUrl: pyodide?.url,
    pyodideDir: pyodide?.dir,
    snapshotBytes: snapshot?.length ?? 0,
  };
  return { spec, snapshot, read: pyodide ? [pyodide.dir] : [] };
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  feed: (chunk: Uint8Array) => void,
): Promise<void> {
  for await (const chunk of stream) feed(chunk);
}

function spawn(read: string[], memoryMb: number): Deno.ChildProcess {
  const script = new URL("./sandbox_main.ts", import.meta.url);
  try {
    return sandboxCommand(script, { read, memoryMb }).command.spawn();
  } catch (error) {
    throw new ThemisError(
      "SANDBOX_FAILED",
      `the code sandbox could not start a Deno process: ${errorMessage(error)}`,
      { suggestion: "themis starts deno to run code: give it --allow-run (deno run -A)" },
      error,
    );
  }
}

/** Start the sandbox, hand it the job, and watch it until it ends. */
async function observe(program: SandboxProgram, limits: SandboxLimits): Promise<Observed> {
  const { spec, snapshot, read } = await job(program, limits);
  const child = spawn(read, limits.memoryMb);
  const output = new SandboxOutput(spec.nonce, limits.maxOutputBytes);
  let stopped: Stopped;
  let readyAt: number | undefined;
  const stop = (why: Stopped) => {
    if (stopped !== undefined) return;
    stopped = why;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  let timer = setTimeout(() => stop("startup"), spec.startupTimeoutMs + KILL_GRACE_MS);
  const onStdout = (chunk: Uint8Array) => {
    const before = output.lines.length;
    output.stdout(chunk);
    if (readyAt === undefined && output.lines.slice(before).some((l) => l.type === "ready")) {
      readyAt = performance.now();
      clearTimeout(timer);
      timer = setTimeout(() => stop("timeout"), limits.timeoutMs + KILL_GRACE_MS);
    }
    if (output.overflowed) stop("output");
  };
  const onStderr = (chunk: Uint8Array) => {
    output.stderr(chunk);
    if (output.overflowed) stop("output");
  };
  const writer = child.stdin.getWriter();
  // Then stdin ends, so a program reading it finds nothing. The sandbox may die before it
  // reads everything (a kill): its status says so.
  const send = (async () => {
    await writer.write(new TextEncoder().encode(JSON.stringify(spec) + "\n"));
    if (snapshot) await writer.write(snapshot);
    await writer.close();
  })().catch(() => {});
  try {
    await Promise.all([pump(child.stdout, onStdout), pump(child.stderr, onStderr), send]);
    const status = await child.status;
    output.end();
    const sinceReady = readyAt === undefined ? undefined : performance.now() - readyAt;
    return { output, stopped, status, sinceReady };
  } finally {
    clearTimeout(timer);
  }
}

/** A sandbox that could not run the program at all: an error, not a score. */
function startupError(observed: Observed, reason: string): ThemisError {
  return new ThemisError(
    "SANDBOX_FAILED",
    `the code sandbox did not start: ${reason}`,
    { stderr: observed.output.stderrText().slice(-1500), exit_code: observed.status.code },
  );
}

const OOM = /out of memory|heap limit|Allocation failed|Fatal JavaScript invalid size/i;

interface Verdict {
  kind: FailureKind | null;
  message: string | null;
  ms?: number;
}

/** The verdict from what the sandbox said, or from how it ended when it said nothing. */
function verdict(observed: Observed, limits: SandboxLimits): Verdict {
  const { lines } = observed.output;
  const last = lines.findLast((l) => ["done", "exit", "limit", "startup_failed"].includes(l.type));
  const ready = lines.some((l) => l.type === "ready");
  const seconds = limits.timeoutMs / 1000;
  if (observed.stopped === "output") {
    return {
      kind: "output_limit",
      message: `the program wrote more than ${limits.maxOutputBytes} bytes and was stopped`,
    };
  }
  if (last?.type === "startup_failed") throw startupError(observed, last.message);
  if (last?.type === "done" || last?.type === "limit") {
    return { kind: last.kind, message: last.message, ms: last.ms };
  }
  if (last?.type === "exit") {
    return { kind: "exit", message: `the program ended itself (exit code ${last.code})` };
  }
  if (!ready) {
    throw startupError(
      observed,
      observed.stopped === "startup" ? "it took too long" : `exit code ${observed.status.code}`,
    );
  }
  if (observed.stopped === "timeout") {
    return { kind: "timeout", message: `the code ran past the ${seconds}s time limit` };
  }
  if (OOM.test(observed.output.stderrText())) {
    return { kind: "memory", message: `the program ran out of memory` };
  }
  const how = observed.status.signal
    ? `signal ${observed.status.signal}`
    : `exit code ${observed.status.code}`;
  return observed.status.signal
    ? { kind: "crash", message: `the sandbox died (${how})` }
    : { kind: "exit", message: `the program ended the sandbox (${how})` };
}

function testOutcomes(lines: ReceivedLine[], total: number): TestOutcome[] {
  const tests: TestOutcome[] = [];
  for (const line of lines) {
    if (line.type === "test" && line.index < total) tests[line.index] = line.outcome;
  }
  return tests.filter((t) => t !== undefined);
}

/** Options of {@linkcode runSandboxed}. */
export interface RunSandboxedOptions {
  /** Slots to wait for (default: the process's, one per core); benchmarks bring their own. */
  slots?: BigInt64Array;
}

/**
 * Run a program and its tests in a fresh sandbox process and say how it went. The process has
 * no permission but reading the Pyodide package (Python); the code runs in a worker its main
 * thread kills past `timeoutMs` or past `memoryMb`; the parent kills it past the output cap,
 * or when it outlives its own limits. At most one sandbox per core runs at once in the
 * process; the others wait. A sandbox that cannot start throws `SANDBOX_FAILED`; anything the
 * program does is an outcome.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runSandboxed } from "./run_sandboxed.ts";
 * const outcome = await runSandboxed(
 *   { language: "javascript", code: "const add = (a, b) => a + b;", tests: ["assert.equal(add(1, 2), 3);"] },
 *   { timeoutMs: 30_000, memoryMb: 256, maxOutputBytes: 65_536 },
 * );
 * assert.equal(outcome.kind, null);
 * assert.equal(outcome.passed, 1);
 * ```
 */
export async function runSandboxed(
  program: SandboxProgram,
  limits: SandboxLimits,
  options: RunSandboxedOptions = {},
): Promise<SandboxOutcome> {
  const total = program.tests.length;
  if (program.code.trim() === "") {
    return {
      kind: "no_code",
      passed: 0,
      total,
      message: "there is no code to run",
      tests: [],
      stdout: "",
      stderr: "",
      durationMs: 0,
    };
  }
  const holdMs = (limits.startupTimeoutMs ?? STARTUP_TIMEOUT_MS) + limits.timeoutMs +
    3 * KILL_GRACE_MS;
  const release = await acquireSandboxSlot(holdMs, { slots: options.slots });
  let observed: Observed;
  try {
    observed = await observe(program, limits);
  } finally {
    release();
  }
  const { kind, message, ms } = verdict(observed, limits);
  const tests = testOutcomes(observed.output.lines, total);
  return {
    kind,
    passed: kind === null ? total : tests.filter((t) => t.ok).length,
    total,
    message,
    tests,
    stdout: observed.output.stdoutText(),
    stderr: observed.output.stderrText(),
    durationMs: Math.round(ms ?? observed.sinceReady ?? 0),
  };
}
