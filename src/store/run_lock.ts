/**
 * The one-writer lock of a run directory: a `lock` file naming its holder. Creation is atomic
 * (the content is written to a file of its own and hard-linked into place, so nobody ever
 * reads a half-written lock), and so is taking over a lock left by a dead process: only the
 * process that creates the takeover claim for that very lock — named after its content,
 * which carries a random nonce — may remove it, so two processes can never both take it over,
 * and nobody ever removes a fresh lock by mistake.
 */
import process from "node:process";
import { errorMessage, ThemisError } from "../core/errors.ts";
import { sha256 } from "../core/sha256.ts";

/** What a lock file holds. */
interface LockInfo {
  pid: number;
  hostname: string;
  started: string;
  /** Random per acquisition: no two locks ever have the same content. */
  nonce?: string;
}

/** A lock file that cannot be read as JSON is stale once it is this old (ms). */
const UNREADABLE_STALE_MS = 10_000;
/** How long to wait for another process in the middle of a takeover (ms). */
const TAKEOVER_WAIT_MS = 5_000;

function isAlive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else.
    return (error as { code?: string }).code === "EPERM";
  }
}

function readRaw(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new ThemisError("STORE_IO", `Cannot read lock "${path}": ${errorMessage(error)}`);
  }
}

function parse(raw: string): LockInfo | undefined {
  try {
    const info = JSON.parse(raw);
    return typeof info?.pid === "number" ? info as LockInfo : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a lock's holder is gone (same host, dead pid; or unreadable and old). */
function isStale(path: string, raw: string): boolean {
  const holder = parse(raw);
  if (holder === undefined) {
    try {
      return Date.now() - (Deno.statSync(path).mtime?.getTime() ?? 0) > UNREADABLE_STALE_MS;
    } catch {
      return true; // gone: nothing left to take over
    }
  }
  return holder.hostname === Deno.hostname() && !isAlive(holder.pid);
}

/** Create `path` holding `text` if it does not exist: atomically, complete or not at all. */
function createExclusive(path: string, text: string): boolean {
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    Deno.writeTextFileSync(tmp, text);
    Deno.linkSync(tmp, path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw new ThemisError("STORE_IO", `Cannot create lock "${path}": ${errorMessage(error)}`);
  } finally {
    try {
      Deno.removeSync(tmp);
    } catch { /* not created */ }
  }
}

/**
 * Remove the stale lock at `path` if it still holds `raw`. Returns false when another live
 * process is taking it over right now.
 */
function takeOver(path: string, raw: string, claimText: string): boolean {
  const claim = `${path}.takeover-${sha256(raw).slice(0, 16)}`;
  if (!createExclusive(claim, claimText)) {
    const claimRaw = readRaw(claim);
    if (claimRaw === undefined) return true; // that takeover just finished: look again
    // A claimer that died mid-takeover leaves its claim: take the claim over the same way.
    if (isStale(claim, claimRaw)) return takeOver(claim, claimRaw, claimText);
    return false;
  }
  try {
    // Only the holder of the claim for this very content may remove it, and no new lock can
    // appear while it exists: reading then removing is safe.
    if (readRaw(path) === raw) Deno.removeSync(path);
  } finally {
    Deno.removeSync(claim);
  }
  return true;
}

/** Sleep without the event loop (the lock is taken synchronously). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A held run lock; release it when the run ends. */
export interface RunLock {
  release(): void;
}

function held(path: string, nonce: string): RunLock {
  return {
    release() {
      const raw = readRaw(path);
      if (raw !== undefined && parse(raw)?.nonce === nonce) {
        try {
          Deno.removeSync(path);
        } catch { /* already gone */ }
      }
    },
  };
}

function lockedError(path: string, raw: string): ThemisError {
  const holder = parse(raw);
  if (holder === undefined) {
    return new ThemisError(
      "STORE_LOCKED",
      `Run directory is locked by a lock file that cannot be read; if no themis process uses ` +
        `it, delete it. Lock file: ${path}`,
      { file: path },
    );
  }
  return new ThemisError(
    "STORE_LOCKED",
    `Run directory is in use by process ${holder.pid} on ${holder.hostname} (since ` +
      `${holder.started}); wait for it to finish, or stop it. Lock file: ${path}`,
    { file: path, pid: holder.pid },
  );
}

/**
 * Take the one-writer lock of a run directory. A lock held by a live process fails fast with
 * `STORE_LOCKED`; a lock left by a dead process (same host) is taken over — by exactly one of
 * the processes that try at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireRunLock } from "./run_lock.ts";
 * const dir = await Deno.makeTempDir();
 * const lock = acquireRunLock(`${dir}/lock`);
 * assert.throws(() => acquireRunLock(`${dir}/lock`), /in use by process/);
 * lock.release();
 * acquireRunLock(`${dir}/lock`).release();
 * ```
 */
export function acquireRunLock(path: string, options: { now?: () => Date } = {}): RunLock {
  const info: LockInfo = {
    pid: Deno.pid,
    hostname: Deno.hostname(),
    started: (options.now?.() ?? new Date()).toISOString(),
    nonce: crypto.randomUUID(),
  };
  const text = JSON.stringify(info) + "\n";
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  while (true) {
    if (createExclusive(path, text)) return held(path, info.nonce!);
    const raw = readRaw(path);
    if (raw === undefined) continue; // released meanwhile
    if (!isStale(path, raw)) throw lockedError(path, raw);
    if (takeOver(path, raw, text)) continue;
    if (Date.now() > deadline) {
      throw new ThemisError(
        "STORE_LOCKED",
        `Cannot take over the stale lock "${path}": another process keeps taking it over`,
        { file: path },
      );
    }
    pause(5);
  }
}
