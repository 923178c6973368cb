/** Where a command writes: injectable so tests can capture output in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (live progress, colours). */
  errIsTerminal: boolean;
  env(name: string): string | undefined;
  cwd: string;
  /** Aborted on Ctrl-C: runs stop cleanly, leaving resumable work. */
  signal?: AbortSignal;
}

const encoder = new TextEncoder();

/** The real terminal. */
export function denoIo(): CliIo {
  const controller = new AbortController();
  let interrupts = 0;
  Deno.addSignalListener("SIGINT", () => {
    // The first Ctrl-C stops the run cleanly; a second one exits at once.
    if (++interrupts > 1) Deno.exit(130);
    Deno.stderr.writeSync(
      encoder.encode("\nstopping: finishing in-flight work (Ctrl-C again to quit now)\n"),
    );
    controller.abort();
  });
  return {
    signal: controller.signal,
    out: (text) => void Deno.stdout.writeSync(encoder.encode(text)),
    err: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
    errIsTerminal: Deno.stderr.isTerminal(),
    env: (name) => Deno.env.get(name),
    cwd: Deno.cwd(),
  };
}
