/**
 * A cheap fingerprint of what each run directory holds, so the view notices new event bytes,
 * new runs, new plans and a writer that stopped without reading a single event.
 */
import { join } from "node:path";
import { lockHolderAlive } from "../orchestrator/run_progress.ts";
import { storePaths } from "../store/paths.ts";

/** Run id → a text that changes whenever the run directory's content does. */
export type StoreSignature = Map<string, string>;

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) if (entry.isFile) out.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort();
}

async function sizeOf(path: string): Promise<string> {
  try {
    const info = await Deno.stat(path);
    return `${info.size}@${info.mtime?.getTime() ?? 0}`;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "-";
    throw error;
  }
}

/**
 * The signature of one run directory: its manifest, its plan segments, its event segments (the
 * open ones with their size: closed segments never change), and whether a live writer holds it.
 */
async function runSignature(runDir: string): Promise<string> {
  const events = await names(join(runDir, "events"));
  const open = await Promise.all(
    events.filter((n) => n.endsWith(".jsonl")).map((n) => sizeOf(join(runDir, "events", n))),
  );
  const lock = join(runDir, "lock");
  const locked = (await sizeOf(lock)) === "-" ? "free" : lockHolderAlive(lock) ? "held" : "stale";
  return [
    await sizeOf(join(runDir, "manifest.json")),
    (await names(join(runDir, "plan"))).join(","),
    events.join(","),
    open.join(","),
    await sizeOf(join(runDir, "events.jsonl")),
    locked,
  ].join("|");
}

/**
 * The signature of every run of the store (empty when `runs/` does not exist yet).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readStoreSignature } from "./store_signature.ts";
 * const root = await Deno.makeTempDir();
 * assert.equal((await readStoreSignature(root)).size, 0);
 * await Deno.mkdir(`${root}/runs/r1/events`, { recursive: true });
 * const before = await readStoreSignature(root);
 * await Deno.writeTextFile(`${root}/runs/r1/events/000001-0a1b2c3d.jsonl`, "{}\n");
 * assert.notEqual((await readStoreSignature(root)).get("r1"), before.get("r1"));
 * ```
 */
export async function readStoreSignature(root: string): Promise<StoreSignature> {
  const signature: StoreSignature = new Map();
  const runs = storePaths.runs(root);
  const ids: string[] = [];
  try {
    for await (const entry of Deno.readDir(runs)) if (entry.isDirectory) ids.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  for (const id of ids.sort()) signature.set(id, await runSignature(join(runs, id)));
  return signature;
}

/**
 * The runs whose signature differs between two readings (new, changed or removed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { changedRuns } from "./store_signature.ts";
 * const before = new Map([["a", "1"], ["b", "1"]]);
 * const after = new Map([["a", "1"], ["b", "2"], ["c", "1"]]);
 * assert.deepEqual(changedRuns(before, after), ["b", "c"]);
 * ```
 */
export function changedRuns(before: StoreSignature, after: StoreSignature): string[] {
  const ids = new Set([...before.keys(), ...after.keys()]);
  return [...ids].filter((id) => before.get(id) !== after.get(id)).sort();
}
