/**
 * The entry of the sandbox process. `runSandboxed` starts it with no permission but reading
 * the Pyodide package; it reads the job from stdin, runs the program in a worker started from
 * the harness source, and enforces the limits from this thread, which the program cannot
 * reach: past the timeout, or past the memory limit, the whole process exits. Protocol lines
 * go to stdout prefixed with the job's nonce, which the program never sees.
 *
 * @module
 */
import type { HarnessMessage, SandboxJob, SandboxLine } from "./sandbox_types.ts";

const MB = 1024 * 1024;
const MEMORY_POLL_MS = 20;
const PARENT_POLL_MS = 500;

function writeAll(bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/** The job line and the snapshot bytes after it. */
async function readJob(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<{ job: SandboxJob; snapshot?: Uint8Array }> {
  let buffer: Uint8Array = new Uint8Array(0);
  let newline = -1;
  while (newline === -1) {
    const { value, done } = await reader.read();
    if (done) Deno.exit(2);
    buffer = concat(buffer, value);
    newline = buffer.indexOf(10);
  }
  const job = JSON.parse(new TextDecoder().decode(buffer.subarray(0, newline))) as SandboxJob;
  if (job.snapshotBytes === 0) return { job };
  const snapshot = new Uint8Array(job.snapshotBytes);
  let filled = Math.min(buffer.length - newline - 1, job.snapshotBytes);
  snapshot.set(buffer.subarray(newline + 1, newline + 1 + filled));
  while (filled < job.snapshotBytes) {
    const { value, done } = await reader.read();
    if (done) Deno.exit(2);
    const take = Math.min(value.length, job.snapshotBytes - filled);
    snapshot.set(value.subarray(0, take), filled);
    filled += take;
  }
  return { job, snapshot };
}

/** Writes protocol lines; `finish` writes the last one and ends the process. */
function protocol(nonce: string) {
  const encoder = new TextEncoder();
  let readyAt: number | undefined;
  const elapsed = () => readyAt === undefined ? 0 : Math.round(performance.now() - readyAt);
  const emit = (line: SandboxLine) =>
    writeAll(encoder.encode(`\n${nonce} ${JSON.stringify({ ...line, ms: elapsed() })}\n`));
  return {
    emit,
    finish(line: SandboxLine): never {
      emit(line);
      return Deno.exit(0);
    },
    ready: () => void (readyAt = performance.now()),
    started: () => readyAt !== undefined,
  };
}

/** From the moment the code starts: the time limit and the memory limit (growth of the RSS). */
function armLimits(job: SandboxJob, finish: (line: SandboxLine) => never): void {
  const limit = Deno.memoryUsage().rss + job.memoryMb * MB;
  setTimeout(() =>
    finish({
      type: "limit",
      kind: "timeout",
      message: `the code ran past the ${job.timeoutMs / 1000}s time limit and was stopped`,
    }), job.timeoutMs);
  setInterval(() => {
    if (Deno.memoryUsage().rss <= limit) return;
    finish({
      type: "limit",
      kind: "memory",
      message: `the program grew past the ${job.memoryMb} MB memory limit and was stopped`,
    });
  }, MEMORY_POLL_MS);
}

async function main(): Promise<void> {
  const reader = Deno.stdin.readable.getReader();
  const { job, snapshot } = await readJob(reader);
  reader.releaseLock();
  const out = protocol(job.nonce);
  // An orphan (the parent thread or process is gone) is adopted by another: stop at once.
  const parent = Deno.ppid;
  setInterval(() => Deno.ppid !== parent && Deno.exit(3), PARENT_POLL_MS);
  const worker = new Worker(`data:application/typescript,${encodeURIComponent(job.harness)}`, {
    type: "module",
    name: "themis-sandbox",
  });
  const startup = setTimeout(() =>
    out.finish({
      type: "startup_failed",
      message: `the sandbox did not start within ${job.startupTimeoutMs / 1000}s`,
    }), job.startupTimeoutMs);
  worker.onmessage = (event: MessageEvent<HarnessMessage>) => {
    const message = event.data;
    if (message.type === "ready") {
      clearTimeout(startup);
      out.ready();
      armLimits(job, out.finish);
    }
    if (message.type === "done" || message.type === "exit") out.finish(message);
    out.emit(message);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    const message = String(event.message ?? "the worker failed").slice(0, 1500);
    out.finish(
      out.started()
        ? { type: "done", kind: "runtime_error", message }
        : { type: "startup_failed", message },
    );
  };
  const { program } = job;
  worker.postMessage({
    language: program.language,
    code: program.code,
    tests: program.tests,
    pyodideUrl: job.pyodideUrl,
    pyodideDir: job.pyodideDir,
    snapshot: snapshot?.buffer,
  }, snapshot ? [snapshot.buffer as ArrayBuffer] : []);
}

if (import.meta.main) await main();
