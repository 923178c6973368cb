import { ThemisError } from "../core/errors.ts";
import { processShared } from "./_process_shared.ts";
import { pyodideFiles, sandboxCommand } from "./sandbox_process.ts";

/** Header: state (Int32), length (Int32), maker's deadline (BigInt64, ms since the epoch). */
const HEADER = 16;
const CAPACITY = 128 * 1024 * 1024;
const NONE = 0, MAKING = 1, READY = 2, TOO_BIG = 3;
/** A maker that has not finished by then is presumed gone (its thread was stopped). */
const MAKING_MS = 180_000;
const POLL_MS = 100;

// Growable, so it costs nothing until a snapshot is put in it.
const shared = processShared(
  "themis.sandbox.pyodideSnapshot",
  () => new SharedArrayBuffer(HEADER, { maxByteLength: HEADER + CAPACITY }),
);
const header = new Int32Array(shared, 0, 2);
const deadline = new BigInt64Array(shared, 8, 1);

let local: Promise<Uint8Array<ArrayBuffer>> | undefined;

async function makeSnapshot(): Promise<Uint8Array<ArrayBuffer>> {
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

/** Make the snapshot and publish it to the other threads (the caller holds MAKING). */
async function makeAndShare(): Promise<Uint8Array<ArrayBuffer>> {
  let snapshot: Uint8Array<ArrayBuffer>;
  try {
    snapshot = await makeSnapshot();
  } catch (error) {
    Atomics.store(deadline, 0, 0n);
    Atomics.store(header, 0, NONE); // let the next caller try again
    throw error;
  }
  if (snapshot.length > CAPACITY) {
    Atomics.store(header, 0, TOO_BIG);
    return snapshot;
  }
  shared.grow(HEADER + snapshot.length);
  new Uint8Array(shared, HEADER, snapshot.length).set(snapshot);
  Atomics.store(header, 1, snapshot.length);
  Atomics.store(header, 0, READY);
  return snapshot;
}

async function obtain(): Promise<Uint8Array<ArrayBuffer>> {
  for (;;) {
    const state = Atomics.load(header, 0);
    if (state === READY) {
      const copy = new Uint8Array(Atomics.load(header, 1));
      copy.set(new Uint8Array(shared, HEADER, copy.length));
      return copy;
    }
    if (state === TOO_BIG) return await makeSnapshot();
    const until = BigInt(Date.now() + MAKING_MS);
    if (state === NONE) {
      if (Atomics.compareExchange(header, 0, NONE, MAKING) !== NONE) continue;
      Atomics.store(deadline, 0, until);
      return await makeAndShare();
    }
    // A maker past its deadline is gone (0: it has not stored its deadline yet); one taker.
    const due = Atomics.load(deadline, 0);
    if (due !== 0n && due < BigInt(Date.now())) {
      if (Atomics.compareExchange(deadline, 0, due, until) !== due) continue;
      return await makeAndShare();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Pyodide's memory right after it booted: made once per process, in a sandbox of its own where
 * no program code runs (about 3 s), shared with every worker thread, and sent to each Python
 * sandbox, which then starts in a fraction of a boot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pyodideSnapshot } from "./pyodide_snapshot.ts";
 * const snapshot = await pyodideSnapshot();
 * assert.ok(snapshot.length > 1_000_000); // ~20 MB of WebAssembly memory
 * ```
 */
export function pyodideSnapshot(): Promise<Uint8Array<ArrayBuffer>> {
  local ??= obtain().catch((error) => {
    local = undefined;
    throw error;
  });
  return local;
}
