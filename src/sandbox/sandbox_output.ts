import type { ReceivedLine } from "./sandbox_types.ts";

/** Characters of stdout and of stderr kept at each end of an excerpt. */
const EXCERPT = 2000;

function parseLine(json: string): ReceivedLine | undefined {
  try {
    return JSON.parse(json) as ReceivedLine;
  } catch {
    return undefined; // Cut by output the program wrote at the same moment: not ours.
  }
}

/** The start and the end of a text that may be long; the middle is dropped. */
class Excerpt {
  #head = "";
  #tail = "";
  #dropped = 0;

  add(text: string): void {
    if (this.#head.length < EXCERPT) {
      const room = EXCERPT - this.#head.length;
      this.#head += text.slice(0, room);
      text = text.slice(room);
    }
    if (text === "") return;
    const tail = this.#tail + text;
    this.#dropped += Math.max(0, tail.length - EXCERPT);
    this.#tail = tail.slice(-EXCERPT);
  }

  text(): string {
    if (this.#dropped === 0) return this.#head + this.#tail;
    return `${this.#head}\n… ${this.#dropped} characters left out …\n${this.#tail}`;
  }
}

/**
 * Reads what a sandbox writes: protocol lines (prefixed with the job's nonce, on stdout) apart
 * from the program's own output, of which it keeps excerpts and counts the bytes against the
 * output cap.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SandboxOutput } from "./sandbox_output.ts";
 * const out = new SandboxOutput("n0nce", 1000);
 * const bytes = new TextEncoder().encode('hi\n\nn0nce {"type":"ready","ms":0}\n');
 * out.stdout(bytes);
 * out.end();
 * assert.deepEqual(out.lines, [{ type: "ready", ms: 0 }]);
 * assert.equal(out.stdoutText(), "hi\n");
 * assert.equal(out.overflowed, false);
 * ```
 */
export class SandboxOutput {
  readonly lines: ReceivedLine[] = [];
  #programBytes = 0;
  #partial = "";
  // An empty line just before a protocol line is the sandbox's separator, not output.
  #heldEmpty = false;
  readonly #stdout = new Excerpt();
  readonly #stderr = new Excerpt();
  readonly #outDecoder = new TextDecoder();
  readonly #errDecoder = new TextDecoder();
  readonly #prefix: string;

  constructor(nonce: string, readonly maxOutputBytes: number) {
    this.#prefix = `${nonce} `;
  }

  /** True once the program wrote more than `maxOutputBytes`. */
  get overflowed(): boolean {
    return this.#programBytes > this.maxOutputBytes;
  }

  /** Feed a chunk of stdout. */
  stdout(chunk: Uint8Array): void {
    this.#programBytes += chunk.length;
    const text = this.#partial + this.#outDecoder.decode(chunk, { stream: true });
    const lines = text.split("\n");
    this.#partial = lines.pop()!;
    for (const line of lines) this.#line(line);
  }

  /** Feed a chunk of stderr. */
  stderr(chunk: Uint8Array): void {
    this.#programBytes += chunk.length;
    this.#stderr.add(this.#errDecoder.decode(chunk, { stream: true }));
  }

  /** The streams have ended. */
  end(): void {
    const rest = this.#partial + this.#outDecoder.decode();
    this.#partial = "";
    if (this.#heldEmpty) this.#stdout.add("\n");
    this.#heldEmpty = false;
    if (rest !== "") this.#stdout.add(rest);
    this.#stderr.add(this.#errDecoder.decode());
  }

  #line(line: string): void {
    const parsed = line.startsWith(this.#prefix)
      ? parseLine(line.slice(this.#prefix.length))
      : undefined;
    if (parsed !== undefined) {
      this.#programBytes -= new TextEncoder().encode(line).length + (this.#heldEmpty ? 2 : 1);
      this.#heldEmpty = false;
      this.lines.push(parsed);
      return;
    }
    if (this.#heldEmpty) this.#stdout.add("\n");
    this.#heldEmpty = line === "";
    if (!this.#heldEmpty) this.#stdout.add(line + "\n");
  }

  stdoutText(): string {
    return this.#stdout.text();
  }

  stderrText(): string {
    return this.#stderr.text();
  }
}
