/**
 * The types shared by the parent side of the sandbox ({@linkcode runSandboxed}) and the
 * sandbox process. Types only: the sandbox process imports nothing at run time from here.
 *
 * @module
 */

/** Languages the sandbox runs: JavaScript and TypeScript by Deno, Python by Pyodide. */
export const SANDBOX_LANGUAGES = ["python", "typescript", "javascript"] as const;
export type SandboxLanguage = typeof SANDBOX_LANGUAGES[number];

/**
 * Why a program did not pass, each its own kind:
 * - `no_code`: there was nothing to run;
 * - `syntax`: the code (or a test) does not compile;
 * - `runtime_error`: the code raised while loading, before any test ran;
 * - `tests_failed`: the code loaded and at least one test failed or raised;
 * - `timeout`: the wall-clock limit passed (the sandbox was killed: nothing can catch it);
 * - `memory`: the heap, WebAssembly or process memory limit was reached;
 * - `output_limit`: stdout + stderr passed the output cap;
 * - `exit`: the program ended its own run (`Deno.exit`, `process.exit`, `sys.exit`, …);
 * - `permission`: the program tried something the sandbox forbids (files, network, env,
 *   subprocesses, FFI);
 * - `crash`: the sandbox process died any other way.
 */
export const FAILURE_KINDS = [
  "no_code",
  "syntax",
  "runtime_error",
  "tests_failed",
  "timeout",
  "memory",
  "output_limit",
  "exit",
  "permission",
  "crash",
] as const;
export type FailureKind = typeof FAILURE_KINDS[number];

/** A program to run: code, then each test in the code's scope. */
export interface SandboxProgram {
  language: SandboxLanguage;
  code: string;
  /**
   * Test snippets, run one by one after the code and in its scope. Python: statements
   * (`assert add(1, 2) == 3`). JavaScript/TypeScript: a function body where `assert` is
   * `node:assert/strict` (`assert.equal(add(1, 2), 3)`); it may `await`.
   */
  tests: string[];
}

/** Resource limits of one execution. */
export interface SandboxLimits {
  /** Wall-clock milliseconds the code and its tests may run (start-up not counted). */
  timeoutMs: number;
  /** Megabytes the program may allocate: V8 heap, WebAssembly memory, process growth. */
  memoryMb: number;
  /** Bytes of stdout + stderr after which the sandbox is killed. */
  maxOutputBytes: number;
  /** Milliseconds the sandbox may take to start (load Pyodide) before it is an error. */
  startupTimeoutMs?: number;
}

/** The outcome of one test. */
export interface TestOutcome {
  ok: boolean;
  /** `assertion` (the test's check failed), `error` (it raised), or a stronger kind. */
  kind?: "assertion" | "error" | FailureKind;
  message?: string;
}

/** What came of one execution. */
export interface SandboxOutcome {
  /** `null` when the code loaded and every test passed. */
  kind: FailureKind | null;
  passed: number;
  total: number;
  /** What went wrong, for a person (clipped); `null` on success. */
  message: string | null;
  tests: TestOutcome[];
  /** The program's own output (clipped excerpts). */
  stdout: string;
  stderr: string;
  /** From the start of the code to its end; start-up excluded. */
  durationMs: number;
}

/** What the parent sends on the sandbox's stdin (one JSON line). */
export interface SandboxJob {
  /** Prefix of every protocol line the sandbox writes: the program cannot forge one. */
  nonce: string;
  program: SandboxProgram;
  timeoutMs: number;
  memoryMb: number;
  startupTimeoutMs: number;
  /** Source of the worker that runs the program (sandbox_harness.ts). */
  harness: string;
  /** `file:` URL of pyodide.mjs and the folder holding it (Python only). */
  pyodideUrl?: string;
  pyodideDir?: string;
  /** Bytes of the Pyodide memory snapshot that follow the JSON line (0: none). */
  snapshotBytes: number;
}

/** Messages of the harness worker to the sandbox's main thread, relayed to the parent. */
export type HarnessMessage =
  | { type: "ready" }
  | { type: "test"; index: number; outcome: TestOutcome }
  | { type: "done"; kind: FailureKind | null; message: string | null }
  | { type: "exit"; code: number };

/** Protocol lines the sandbox writes to stdout (after the nonce). */
export type SandboxLine =
  | HarnessMessage
  | { type: "startup_failed"; message: string }
  | { type: "limit"; kind: "timeout" | "memory"; message: string };

/** A protocol line as read: `ms` = milliseconds since the code started (0 before). */
export type ReceivedLine = SandboxLine & { ms: number };
