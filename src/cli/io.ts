/** Where a command writes: injectable so tests can capture output in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (live progress, colours). */
  errIsTerminal: boolean;
  env(name: string): string | undefined;
  cwd: string;
}

const encoder = new TextEncoder();

/** The real terminal. */
export function denoIo(): CliIo {
  return {
    out: (text) => void Deno.stdout.writeSync(encoder.encode(text)),
    err: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
    errIsTerminal: Deno.stderr.isTerminal(),
    env: (name) => Deno.env.get(name),
    cwd: Deno.cwd(),
  };
}
