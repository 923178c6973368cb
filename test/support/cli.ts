import { main } from "../../src/cli/main.ts";
import type { CliIo } from "../../src/cli/io.ts";

/** What one in-process CLI call printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the CLI in-process with captured output (same code path as the real binary). `signal`
 * stands for Ctrl-C; `onOut` sees stdout as it is printed (to stop a command that serves).
 */
export async function runCli(
  args: string[],
  options: { cwd?: string; signal?: AbortSignal; onOut?: (stdout: string) => void } = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    out: (t) => {
      stdout += t;
      options.onOut?.(stdout);
    },
    err: (t) => void (stderr += t),
    errIsTerminal: false,
    env: () => undefined,
    cwd: options.cwd ?? Deno.cwd(),
    signal: options.signal,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Run `deno run -A cli.ts …` as a real child process. */
export async function runCliProcess(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const cli = new URL("../../cli.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, ...args],
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** A fresh temporary folder holding the given files. */
export async function tempProject(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "themis-test-" });
  for (const [name, text] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
  return dir;
}
