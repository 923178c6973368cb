import { ThemisError } from "../core/errors.ts";
import { pyodideFiles, sandboxCommand } from "./sandbox_process.ts";

let cached: Promise<Uint8Array> | undefined;

async function makeSnapshot(): Promise<Uint8Array> {
  const pyodide = pyodideFiles();
  const script = new URL("./make_snapshot.ts", import.meta.url);
  const { command } = sandboxCommand(script, {
    read: [pyodide.dir],
    args: [pyodide.url, pyodide.dir],
  });
  const child = command.spawn();
  await child.stdin.close();
  const output = await child.output();
  if (!output.success || output.stdout.length === 0) {
    const stderr = new TextDecoder().decode(output.stderr).slice(-1500);
    throw new ThemisError(
      "SANDBOX_FAILED",
      `Pyodide could not boot to make its start-up snapshot (exit code ${output.code}): ${stderr}`,
      { suggestion: "check that node_modules/pyodide is complete (deno install)" },
    );
  }
  return output.stdout;
}

/**
 * Pyodide's memory right after it booted, made once per thread in a sandbox of its own (about
 * 3 s) and shared by every Python sandbox after it (each then starts in about 0.3 s).
 *
 * @example
 * ```ts ignore
 * import { pyodideSnapshot } from "./pyodide_snapshot.ts";
 * const snapshot = await pyodideSnapshot(); // ~20 MB
 * ```
 */
export function pyodideSnapshot(): Promise<Uint8Array> {
  cached ??= makeSnapshot().catch((error) => {
    cached = undefined; // the next Python run tries again
    throw error;
  });
  return cached;
}
