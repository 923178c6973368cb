/**
 * The worker that runs a program and its tests inside the sandbox process. The parent sends
 * this file's text and the sandbox starts it from a `data:` URL, so it imports nothing but
 * `node:` builtins and Pyodide (its types are written out here for the same reason). The
 * sandbox's main thread watches it (timeout, memory) and relays what it posts to the parent.
 *
 * @module
 */

type Kind = "syntax" | "runtime_error" | "tests_failed" | "memory" | "exit" | "permission";
type TestKind = "assertion" | "error" | "memory" | "exit" | "permission";
interface Outcome {
  ok: boolean;
  kind?: TestKind;
  message?: string;
}
type Post = (message: unknown) => void;
/** The worker's global scope, as far as the harness uses it. */
interface WorkerScope {
  name?: string;
  onmessage: ((event: MessageEvent<HarnessStart>) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;

/** What the sandbox's main thread sends the harness. */
export interface HarnessStart {
  language: "python" | "typescript" | "javascript";
  code: string;
  tests: string[];
  pyodideUrl?: string;
  pyodideDir?: string;
  snapshot?: ArrayBuffer;
}

const CLIP = 1500;

function clip(text: string): string {
  return text.length > CLIP ? text.slice(0, CLIP) + "…" : text;
}

/**
 * The failure kind an error thrown by a JavaScript program (or passed through Pyodide's `js`
 * bridge) stands for: a refused permission (or a refused subprocess), exhausted memory, an exit
 * (Emscripten's `exit()` under Python), or `undefined` for a plain error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyError } from "./sandbox_harness.ts";
 * const refused = new Error('Requires read access to "/etc/passwd"');
 * refused.name = "NotCapable";
 * assert.equal(classifyError(refused), "permission");
 * assert.equal(classifyError(new TypeError("x is not a function")), undefined);
 * ```
 */
export function classifyError(error: unknown): "permission" | "memory" | "exit" | undefined {
  const name = (error as { name?: unknown })?.name;
  const text = `${String(name)}: ${String((error as { message?: unknown })?.message ?? error)}`;
  if (name === "NotCapable" || name === "PermissionDenied") return "permission";
  if (/\b(NotCapable|PermissionDenied)\b|Requires \S+ access|Failed to spawn/.test(text)) {
    return "permission";
  }
  if (/out of memory|Array buffer allocation failed|Invalid array buffer length/i.test(text)) {
    return "memory";
  }
  if (name === "ExitStatus" || /Program terminated with exit\(/.test(text)) return "exit";
  return undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) return clip(`${error.name}: ${error.message}`);
  return clip(String(error));
}

/**
 * The module that runs a JavaScript/TypeScript program: a mark that evaluation started (on the
 * code's first line, so line numbers stay), the code, then its tests as async functions of
 * `assert` stored under `key` (so they share the code's module scope).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { testModule } from "./sandbox_harness.ts";
 * const source = testModule("const two = 2;", ["assert.equal(two, 2);"], "k");
 * assert.match(source, /^Reflect\.set\(globalThis, "k_started", true\);const two = 2;\n/);
 * assert.match(source, /Reflect\.set\(globalThis, "k", \[/);
 * ```
 */
export function testModule(code: string, tests: string[], key: string): string {
  const started = `Reflect.set(globalThis, ${JSON.stringify(`${key}_started`)}, true);`;
  // A shebang must open the file: keep its line, as a comment.
  const body = code.startsWith("#!") ? `//${code}` : code;
  const bodies = tests.map((test) => `async (assert) => {\n${test}\n}`);
  return `${started}${body}\n;Reflect.set(globalThis, ${JSON.stringify(key)}, [\n${
    bodies.join(",\n")
  }\n]);\n`;
}

/** The overall kind of a run whose code loaded: the strongest kind among failed tests. */
function overall(outcomes: Outcome[]): Kind | null {
  for (const kind of ["permission", "memory", "exit"] as const) {
    if (outcomes.some((o) => o.kind === kind)) return kind;
  }
  return outcomes.every((o) => o.ok) ? null : "tests_failed";
}

function firstFailure(outcomes: Outcome[]): string | null {
  const index = outcomes.findIndex((o) => !o.ok);
  return index === -1 ? null : `test ${index + 1}: ${outcomes[index].message ?? "failed"}`;
}

async function runScript(start: HarnessStart, post: Post): Promise<void> {
  const assert = (await import("node:assert/strict")).default;
  post({ type: "ready" });
  const key = `__themis_tests_${crypto.randomUUID().replaceAll("-", "")}`;
  const media = start.language === "typescript" ? "typescript" : "javascript";
  const source = testModule(start.code, start.tests, key);
  try {
    await import(`data:application/${media},${encodeURIComponent(source)}`);
  } catch (error) {
    // Only a module that never started running failed to parse (JSON.parse's SyntaxError
    // at load time is a runtime error).
    const started = Reflect.get(globalThis, `${key}_started`) === true;
    const syntax = !started &&
      (error instanceof SyntaxError || String(error).includes("SyntaxError"));
    const kind = classifyError(error) ?? (syntax ? "syntax" : "runtime_error");
    post({ type: "done", kind, message: describe(error) });
    return;
  }
  const tests = Reflect.get(globalThis, key) as Array<(a: unknown) => Promise<void>>;
  const outcomes: Outcome[] = [];
  for (let index = 0; index < tests.length; index++) {
    let outcome: Outcome;
    try {
      await tests[index](assert);
      outcome = { ok: true };
    } catch (error) {
      const assertion = (error as { name?: unknown })?.name === "AssertionError";
      const kind = classifyError(error) ?? (assertion ? "assertion" : "error");
      outcome = { ok: false, kind, message: describe(error) };
    }
    outcomes.push(outcome);
    post({ type: "test", index, outcome });
  }
  post({ type: "done", kind: overall(outcomes), message: firstFailure(outcomes) });
}

// Runs inside Pyodide: compile and run the code, then each test in its namespace. A test's
// outcome goes to `report` as soon as it is known; the return value is (kind, message).
const PYTHON_RUNNER = `
def run(code, tests, report):
    import errno
    import traceback

    # What WebAssembly cannot do (processes, sockets) or the read-only file system refuses.
    refused = {errno.ENOSYS, errno.ENOTSUP, errno.EHOSTUNREACH, errno.ENETUNREACH,
               errno.EACCES, errno.EPERM, errno.EROFS}

    def kind_of(e):
        if isinstance(e, SystemExit):
            return "exit"
        if isinstance(e, MemoryError):
            return "memory"
        for cause in (e, getattr(e, "reason", None)):  # urllib wraps the OSError
            if isinstance(cause, OSError) and cause.errno in refused:
                return "permission"
        text = f"{type(e).__name__}: {e}"
        if type(e).__name__ == "JsException" and any(
            mark in text for mark in ("NotCapable", "PermissionDenied", "Requires ", "Failed to spawn")
        ):
            return "permission"
        return None

    def describe(e):
        lines = traceback.format_exception_only(type(e), e)
        return "".join(lines).strip()[:1500]

    try:
        compiled = compile(code, "solution.py", "exec")
    except BaseException as e:
        return ("syntax", describe(e))
    namespace = {"__name__": "solution", "__builtins__": __builtins__}
    try:
        exec(compiled, namespace)
    except BaseException as e:
        return (kind_of(e) or "runtime_error", describe(e))
    strongest = None
    failed = None
    for index, test in enumerate(tests):
        try:
            exec(compile(test, f"test_{index + 1}.py", "exec"), namespace)
            report(index, True, None, None)
            continue
        except AssertionError as e:
            kind, message = "assertion", describe(e)
            if message == "AssertionError":
                message = "AssertionError: " + test.strip().splitlines()[0][:200]
        except BaseException as e:
            kind, message = kind_of(e) or "error", describe(e)
        report(index, False, kind, message)
        failed = failed or f"test {index + 1}: {message}"
        if kind in ("exit", "memory", "permission") and strongest is None:
            strongest = kind
        if kind == "exit":
            break
    if strongest is not None:
        return (strongest, failed)
    return ("tests_failed", failed) if failed else (None, None)
`;

interface PyProxy {
  toJs(): unknown;
  destroy(): void;
}
interface FileSystem {
  readdir(path: string): string[];
  stat(path: string): { mode: number };
  isDir(mode: number): boolean;
  chmod(path: string, mode: number): void;
}
interface Pyodide {
  FS: FileSystem;
  runPython(code: string, options?: { globals?: unknown }): unknown;
  toPy(value: unknown): unknown;
  setStdout(options: { write(buffer: Uint8Array): number }): void;
  setStderr(options: { write(buffer: Uint8Array): number }): void;
  setStdin(options: { error: boolean }): void;
}

function writeAll(stream: { writeSync(p: Uint8Array): number }, buffer: Uint8Array): number {
  let written = 0;
  while (written < buffer.length) written += stream.writeSync(buffer.subarray(written));
  return buffer.length;
}

/** Take the write bits off Pyodide's in-memory files, so writes fail as they do in JS. */
function freezeFiles(fs: FileSystem, path = "/"): void {
  const { mode } = fs.stat(path);
  if (fs.isDir(mode)) {
    for (const name of fs.readdir(path)) {
      const child = path === "/" ? `/${name}` : `${path}/${name}`;
      if (name === "." || name === ".." || child === "/dev" || child === "/proc") continue;
      freezeFiles(fs, child);
    }
  }
  fs.chmod(path, mode & ~0o222);
}

async function runPython(start: HarnessStart, post: Post): Promise<void> {
  const { loadPyodide } = await import(start.pyodideUrl!);
  const pyodide = await loadPyodide({
    indexURL: start.pyodideDir + "/",
    ...(start.snapshot ? { _loadSnapshot: new Uint8Array(start.snapshot) } : {}),
  }) as Pyodide;
  pyodide.setStdout({ write: (b) => writeAll(Deno.stdout, b) });
  pyodide.setStderr({ write: (b) => writeAll(Deno.stderr, b) });
  pyodide.setStdin({ error: true });
  freezeFiles(pyodide.FS);
  const scope = pyodide.toPy({});
  pyodide.runPython(PYTHON_RUNNER, { globals: scope });
  const run = (scope as { get(k: string): (...a: unknown[]) => PyProxy }).get("run");
  post({ type: "ready" });
  const report = (index: number, ok: boolean, kind: TestKind | null, message: string | null) => {
    post({
      type: "test",
      index,
      outcome: ok ? { ok } : { ok, kind: kind ?? "error", message: message ?? "failed" },
    });
  };
  const result = run(start.code, pyodide.toPy(start.tests), report);
  // Python's None arrives as undefined.
  const [kind, message] = result.toJs() as [Kind | undefined, string | undefined];
  result.destroy();
  post({ type: "done", kind: kind ?? null, message: message ?? null });
}

// A program that ends the worker itself is reported as `exit` before it goes.
function guardExits(post: Post): void {
  const exit = Deno.exit;
  const report = (code: unknown) => post({ type: "exit", code: Number(code ?? 0) || 0 });
  Deno.exit = ((code?: number) => {
    report(code);
    return exit(code);
  }) as typeof Deno.exit;
  const process = (globalThis as { process?: { exit?: (code?: number) => never } }).process;
  if (process?.exit) {
    const processExit = process.exit.bind(process);
    process.exit = (code?: number) => {
      report(code);
      return processExit(code);
    };
  }
  const close = scope.close.bind(scope);
  scope.close = () => {
    report(0);
    close();
  };
}

/** The worker's entry: one start message, one run. */
function listen(): void {
  const post: Post = scope.postMessage.bind(scope);
  scope.onmessage = (event: MessageEvent<HarnessStart>) => {
    scope.onmessage = null;
    guardExits(post);
    const start = event.data;
    const run = start.language === "python" ? runPython : runScript;
    run(start, post).catch((error) => {
      post({
        type: "done",
        kind: classifyError(error) ?? "runtime_error",
        message: describe(error),
      });
    });
  };
}

// Imported anywhere else (tests, type checks), the module only defines functions.
if (scope.name === "themis-sandbox") listen();
