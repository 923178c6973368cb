import { dirname } from "node:path";

/** Writes text to the file being produced, in order. */
export type WriteText = (text: string) => Promise<void>;

const BUFFER = 1 << 16;

/**
 * Write a file atomically: a temporary file beside it, synced, then renamed over it, so a
 * reader sees the old content or the new, never half of it. `content` is the text, or a
 * function that writes it in pieces (buffered).
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./write_atomic.ts";
 * await writeFileAtomic(await Deno.makeTempFile(), "{}\n");
 * ```
 */
export async function writeFileAtomic(
  path: string,
  content: string | ((write: WriteText) => Promise<void>),
): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  let pending = "";
  const flush = async () => {
    const bytes = encoder.encode(pending);
    pending = "";
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
  };
  try {
    if (typeof content === "string") pending = content;
    else {
      await content(async (text) => {
        pending += text;
        if (pending.length >= BUFFER) await flush();
      });
    }
    await flush();
    await file.sync();
  } catch (error) {
    file.close();
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
  file.close();
  await Deno.rename(tmp, path);
}

/** The lines of a text file, streamed (no trailing empty line). */
export async function* readLines(path: string): AsyncGenerator<string> {
  const stream = (await Deno.open(path, { read: true })).readable
    .pipeThrough(new TextDecoderStream());
  let rest = "";
  for await (const chunk of stream) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const part of parts) if (part !== "") yield part;
  }
  if (rest !== "") yield rest;
}

/**
 * Buffered appends of lines to a temporary file (synchronous, for use inside generators).
 *
 * @example
 * ```ts
 * import { LineSpool } from "./write_atomic.ts";
 * const spool = LineSpool.create(await Deno.makeTempDir());
 * spool.push("a");
 * spool.close();
 * await Deno.remove(spool.path);
 * ```
 */
export class LineSpool {
  readonly path: string;
  #file: Deno.FsFile;
  #pending = "";
  #encoder = new TextEncoder();
  #buffer = new Uint8Array(BUFFER * 3);

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  static create(dir: string): LineSpool {
    Deno.mkdirSync(dir, { recursive: true });
    const path = Deno.makeTempFileSync({ dir, prefix: "plan-", suffix: ".tmp" });
    return new LineSpool(path, Deno.openSync(path, { write: true, truncate: true }));
  }

  push(line: string): void {
    this.#pending += line + "\n";
    if (this.#pending.length >= BUFFER) this.#flush();
  }

  #flush(): void {
    if (this.#buffer.length < this.#pending.length * 3) {
      this.#buffer = new Uint8Array(this.#pending.length * 3);
    }
    const length = this.#encoder.encodeInto(this.#pending, this.#buffer).written;
    this.#pending = "";
    let written = 0;
    while (written < length) {
      written += this.#file.writeSync(this.#buffer.subarray(written, length));
    }
  }

  close(): void {
    this.#flush();
    this.#file.close();
  }
}
