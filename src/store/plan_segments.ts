/**
 * A run's trial list (its plan): `plan/NNNNNN.jsonl.gz`, one trial per line, written once when
 * the run is planned. The same plan always gives the same bytes, so two clones that planned the
 * same run hold identical files. A version 1 manifest lists its trials inline instead.
 */
import { join } from "node:path";
import { constants, crc32, deflateRawSync } from "node:zlib";
import { errorMessage, ThemisError } from "../core/errors.ts";
import type { JsonObject } from "../core/json.ts";
import { readLines } from "./write_atomic.ts";

/** Folder of a run's plan segments. */
export const PLAN_DIR = "plan";

/** One planned trial as the plan lists it. */
export interface PlanTrial {
  /** The trial id. */
  trial: string;
  /** Slice (task) id. */
  task: string;
  /** Model id. */
  model: string;
  /** Prompt variant id. */
  prompt: string;
  /** Index of the inference parameters in the slice's grid. */
  params: number;
  /** Dataset item id. */
  item: string;
  /** Its candidate ids, sample 0 first. */
  candidates: string[];
  /** The item's payload, on the first trial of the run that uses the item (`store_item_payloads`). */
  payload?: JsonObject;
  /** The rendered prompt, on the first trial of the run with this (slice, variant, item). */
  messages?: Array<{ role: string; content: string }>;
}

/** A plan segment file name. */
export const planSegmentName = (index: number): string =>
  `${String(index).padStart(6, "0")}.jsonl.gz`;

/** Plan segments trade a little size for speed: level 2 writes ~5× faster than 6, ~7% larger. */
const GZIP_LEVEL = 2;
/** Text compressed at a time: the memory a plan takes while it is written, whatever its size. */
const PIECE = 1 << 16;
/** gzip header: deflate, no name, no time, unknown OS (the same bytes on every machine). */
const GZIP_HEADER = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
/** An empty final fixed-Huffman block: ends the deflate stream after the last sync flush. */
const DEFLATE_END = new Uint8Array([3, 0]);

/**
 * Write plan lines as plan segments (`000001.jsonl.gz`, … in `dir`), each holding at most
 * `segmentBytes` of text before compression, compressed as the lines come: a plan of any size
 * takes about a megabyte while it is written. A segment is one gzip member whose deflate stream
 * is made a piece at a time (each piece ends with a sync flush), so the same lines always give
 * the same bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { iterPlanTrials, PlanSegmentWriter } from "./plan_segments.ts";
 * const dir = await Deno.makeTempDir();
 * const writer = new PlanSegmentWriter(`${dir}/plan`, 64);
 * for (const item of ["a", "b", "c"]) writer.push(JSON.stringify({ trial: item, item }));
 * assert.equal(writer.close(), 2);
 * const trials = await Array.fromAsync(iterPlanTrials(dir, {}));
 * assert.deepEqual(trials.map((t) => t.trial), ["a", "b", "c"]);
 * ```
 */
export class PlanSegmentWriter {
  readonly dir: string;
  readonly #segmentBytes: number;
  #count = 0;
  #file?: Deno.FsFile;
  #tmp = "";
  /** Text of the open segment, before compression (counted as the lines' lengths). */
  #size = 0;
  #pending = "";
  #crc = 0;
  #bytes = 0;
  #encoder = new TextEncoder();
  #buffer = new Uint8Array(PIECE * 3);

  constructor(dir: string, segmentBytes: number) {
    this.dir = dir;
    this.#segmentBytes = segmentBytes;
    Deno.mkdirSync(dir, { recursive: true });
  }

  /** Add one plan line (compact JSON, no newline). */
  push(line: string): void {
    if (this.#size > 0 && this.#size + line.length + 1 > this.#segmentBytes) this.#io(this.#finish);
    if (this.#file === undefined) this.#io(this.#open);
    this.#pending += line + "\n";
    this.#size += line.length + 1;
    if (this.#pending.length >= PIECE) this.#io(this.#compress);
  }

  /** Finish the last segment; returns the number of segments written. */
  close(): number {
    if (this.#file !== undefined) this.#io(this.#finish);
    return this.#count;
  }

  #io(step: () => void): void {
    try {
      step.call(this);
    } catch (error) {
      this.abort();
      throw new ThemisError(
        "STORE_IO",
        `Cannot write plan segments in "${this.dir}": ${errorMessage(error)}`,
      );
    }
  }

  #open(): void {
    this.#tmp = join(this.dir, `${planSegmentName(this.#count + 1)}.${Deno.pid}.tmp`);
    this.#file = Deno.openSync(this.#tmp, { write: true, create: true, truncate: true });
    this.#write(GZIP_HEADER);
    [this.#crc, this.#bytes] = [0, 0];
  }

  #compress(): void {
    if (this.#pending === "") return;
    if (this.#buffer.length < this.#pending.length * 3) {
      this.#buffer = new Uint8Array(this.#pending.length * 3);
    }
    const text = this.#buffer.subarray(
      0,
      this.#encoder.encodeInto(this.#pending, this.#buffer).written,
    );
    this.#pending = "";
    this.#crc = crc32(text, this.#crc);
    this.#bytes += text.length;
    this.#write(deflateRawSync(text, { level: GZIP_LEVEL, finishFlush: constants.Z_SYNC_FLUSH }));
  }

  #finish(): void {
    this.#compress();
    const trailer = new Uint8Array(8);
    const view = new DataView(trailer.buffer);
    view.setUint32(0, this.#crc >>> 0, true);
    view.setUint32(4, this.#bytes >>> 0, true);
    this.#write(DEFLATE_END);
    this.#write(trailer);
    this.#file!.close();
    this.#file = undefined;
    Deno.renameSync(this.#tmp, join(this.dir, planSegmentName(++this.#count)));
    this.#size = 0;
  }

  #write(bytes: Uint8Array): void {
    let written = 0;
    while (written < bytes.length) written += this.#file!.writeSync(bytes.subarray(written));
  }

  /** Close without finishing (after a failure); the caller removes the folder. */
  abort(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}

/**
 * Write a run's plan segments from a spool of plan lines (one JSON trial per line), each segment
 * holding at most `segmentBytes` of text before compression. Returns the number of segments.
 */
export async function writePlanSegments(
  runDir: string,
  spoolPath: string,
  segmentBytes: number,
): Promise<number> {
  try {
    const writer = new PlanSegmentWriter(join(runDir, PLAN_DIR), segmentBytes);
    for await (const line of readLines(spoolPath)) writer.push(line);
    return writer.close();
  } catch (error) {
    throw new ThemisError(
      "STORE_IO",
      `Cannot write the plan of "${runDir}": ${errorMessage(error)}`,
    );
  }
}

/**
 * Move plan segments written by a {@linkcode PlanSegmentWriter} into a run directory
 * (`<runDir>/plan/`), replacing any left there by an attempt that stopped before its manifest.
 */
export function movePlanSegments(fromDir: string, runDir: string): void {
  const dir = join(runDir, PLAN_DIR);
  try {
    Deno.mkdirSync(dir, { recursive: true });
    const names = [...Deno.readDirSync(fromDir)].map((e) => e.name).filter((name) =>
      /^\d{6,}\.jsonl\.gz$/.test(name)
    );
    for (const name of names) {
      const [from, to] = [join(fromDir, name), join(dir, name)];
      try {
        Deno.renameSync(from, to);
      } catch {
        // Another file system (a cache folder mounted elsewhere): copy, then rename in place.
        Deno.copyFileSync(from, `${to}.${Deno.pid}.tmp`);
        Deno.renameSync(`${to}.${Deno.pid}.tmp`, to);
      }
    }
  } catch (error) {
    throw new ThemisError(
      "STORE_IO",
      `Cannot write the plan of "${runDir}": ${errorMessage(error)}`,
    );
  }
}

/** The plan segment files of a run, in order. */
export function listPlanSegments(runDir: string): string[] {
  const dir = join(runDir, PLAN_DIR);
  try {
    return [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && /^\d{6,}\.jsonl\.gz$/.test(e.name))
      .map((e) => join(dir, e.name))
      .sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/**
 * The trials of a run's plan, in plan order: from its plan segments, or from a version 1
 * manifest's inline list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { iterPlanTrials } from "./plan_segments.ts";
 * const none = await Array.fromAsync(iterPlanTrials(await Deno.makeTempDir(), {}));
 * assert.deepEqual(none, []);
 * ```
 */
export async function* iterPlanTrials(
  runDir: string,
  manifest: { trials?: PlanTrial[] },
): AsyncGenerator<PlanTrial> {
  if (manifest.trials !== undefined) {
    yield* manifest.trials;
    return;
  }
  for (const path of listPlanSegments(runDir)) {
    const file = await Deno.open(path, { read: true });
    const stream = file.readable.pipeThrough(new DecompressionStream("gzip"))
      .pipeThrough(new TextDecoderStream());
    let rest = "";
    let line = 0;
    for await (const chunk of stream) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const part of parts) {
        line++;
        if (part === "") continue;
        try {
          yield JSON.parse(part) as PlanTrial;
        } catch {
          throw new ThemisError(
            "STORE_CORRUPT",
            `Cannot read the plan "${path}": line ${line} is not valid JSON`,
            { file: path, line, suggestion: "restore the file from git" },
          );
        }
      }
    }
  }
}
