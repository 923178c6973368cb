/**
 * A run's trial list (its plan): `plan/NNNNNN.jsonl.gz`, one trial per line, written once when
 * the run is planned. The same plan always gives the same bytes, so two clones that planned the
 * same run hold identical files. A version 1 manifest lists its trials inline instead.
 */
import { join } from "node:path";
import { gzipSync } from "node:zlib";
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

function writeAtomicSync(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.${Deno.pid}.tmp`;
  Deno.writeFileSync(tmp, bytes);
  Deno.renameSync(tmp, path);
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
  const dir = join(runDir, PLAN_DIR);
  try {
    Deno.mkdirSync(dir, { recursive: true });
    let index = 0;
    let chunk: string[] = [];
    let size = 0;
    const emit = () => {
      const text = chunk.join("\n") + "\n";
      writeAtomicSync(join(dir, planSegmentName(++index)), gzipSync(text, { level: 6 }));
      chunk = [];
      size = 0;
    };
    for await (const line of readLines(spoolPath)) {
      if (size > 0 && size + line.length + 1 > segmentBytes) emit();
      chunk.push(line);
      size += line.length + 1;
    }
    if (chunk.length > 0) emit();
    return index;
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
