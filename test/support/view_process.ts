/** `themis view` as a real child process, as a user starts it, for browser tests and the bench. */

/** A running `themis view`. */
export interface ViewProcess {
  /** The URL it printed. */
  url: string;
  pid: number;
  /** Everything it wrote so far. */
  output(): { stdout: string; stderr: string };
  /** Ctrl-C (SIGINT), then wait for it to exit; returns its exit code. */
  stop(): Promise<number>;
}

function collect(stream: ReadableStream<Uint8Array>, onText: (text: string) => void) {
  return stream.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => onText(chunk) }),
  );
}

/**
 * Start `deno run -A cli.ts view …args` and wait for the URL it prints (or its exit).
 *
 * @example
 * ```ts
 * // const view = await startView(["--store", root, "--poll", "200"]);
 * // await fetch(view.url); await view.stop();
 * ```
 */
export async function startView(args: string[]): Promise<ViewProcess> {
  const cli = new URL("../../cli.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "view", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let stdout = "";
  let stderr = "";
  let served = false;
  let found: (url: string) => void;
  const printed = new Promise<string>((resolve) => (found = resolve));
  const reading = Promise.all([
    collect(child.stdout, (t) => {
      stdout += t;
      const url = /http:\/\/\S+/.exec(stdout)?.[0];
      if (url && !served) (served = true, found(url));
    }),
    collect(child.stderr, (t) => void (stderr += t)),
  ]);
  const exited = child.status.then((s) => {
    if (!served) throw new Error(`themis view exited with ${s.code} first:\n${stdout}${stderr}`);
    return "";
  });
  const url = await Promise.race([printed, exited]);
  return {
    url,
    pid: child.pid,
    output: () => ({ stdout, stderr }),
    async stop() {
      try {
        child.kill("SIGINT");
      } catch {
        // already gone
      }
      const status = await child.status;
      await reading;
      return status.code;
    },
  };
}
