import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { ThemisError } from "../core/errors.ts";

/** Where Pyodide lives on disk: the one folder a Python sandbox may read. */
export interface PyodideFiles {
  /** `file:` URL of pyodide.mjs. */
  url: string;
  /** Its folder. */
  dir: string;
}

/** The Pyodide package this themis runs (deno.json pins the same version). */
const PYODIDE = "npm:pyodide@0.28.3";
/** In the message too: a failure record keeps the message, not the details. */
const SUGGESTION = `in your deno.json, add "pyodide": "${PYODIDE}" to "imports" and set ` +
  `"nodeModulesDir": "auto" (docs/library.md)`;

/**
 * The Pyodide package of this themis, on disk: Deno installs it in a `node_modules` folder
 * when the project's deno.json lists it and sets `"nodeModulesDir": "auto"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pyodideFiles } from "./sandbox_process.ts";
 * assert.match(pyodideFiles().url, /^file:.*pyodide\.mjs$/);
 * ```
 */
export function pyodideFiles(): PyodideFiles {
  // A literal, so that a published package's import graph names the package too.
  const url = import.meta.resolve("npm:pyodide@0.28.3");
  if (!url.startsWith("file:")) {
    throw new ThemisError(
      "SANDBOX_FAILED",
      `Python code runs in Pyodide, which must be on disk, but "${PYODIDE}" resolves to ${url}: ` +
        SUGGESTION,
      { suggestion: SUGGESTION },
    );
  }
  return { url, dir: dirname(fileURLToPath(url)) };
}

/** Options of {@linkcode sandboxCommand}. */
export interface SandboxCommandOptions {
  /** Paths the process may read (nothing else: no write, net, env, run, ffi, sys). */
  read: string[];
  /** Megabytes of V8 heap and of each WebAssembly memory (none: V8's defaults). */
  memoryMb?: number;
  args?: string[];
}

/**
 * The command that starts `script` as a sandbox: a Deno process with no permission but
 * reading `read`, no prompt, no remote or npm imports, an empty environment, `/` as its
 * folder, and the V8 heap and WebAssembly memory capped at `memoryMb`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sandboxCommand } from "./sandbox_process.ts";
 * const url = new URL("./sandbox_main.ts", import.meta.url);
 * const args = sandboxCommand(url, { read: [], memoryMb: 128 }).args;
 * assert.ok(args.includes("--no-prompt"));
 * assert.ok(args.includes("--v8-flags=--max-old-space-size=128,--wasm-max-mem-pages=2048"));
 * assert.ok(!args.some((a) => a.startsWith("--allow")));
 * ```
 */
export function sandboxCommand(
  script: URL,
  options: SandboxCommandOptions,
): { command: Deno.Command; args: string[] } {
  if (script.protocol !== "file:") {
    throw new ThemisError(
      "SANDBOX_FAILED",
      `the code sandbox runs from local files; this themis was loaded from ${script.origin}`,
      { suggestion: "clone themis and run it from its folder" },
    );
  }
  const args = [
    "run",
    "--no-prompt",
    "--no-config",
    "--no-lock",
    "--no-remote",
    "--no-npm",
    "--node-modules-dir=manual",
  ];
  if (options.memoryMb !== undefined) {
    const pages = options.memoryMb * 16; // WebAssembly pages are 64 KiB
    args.push(`--v8-flags=--max-old-space-size=${options.memoryMb},--wasm-max-mem-pages=${pages}`);
  }
  if (options.read.length > 0) args.push(`--allow-read=${options.read.join(",")}`);
  args.push(script.href, ...(options.args ?? []));
  const command = new Deno.Command(Deno.execPath(), {
    args,
    clearEnv: true,
    env: { NO_COLOR: "1" },
    cwd: "/",
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
  return { command, args };
}
